"""Decision tables (决策表) evaluated as DMN 1.3 and Camunda 7/8 evaluate them.

Why a subclass of SpiffWorkflow's ``DMNEngine`` (and a converter that restores it): SpiffWorkflow
3.x evaluates a table's input expression inside every cell's Python, so a case lacking the input
stopped with an incident where Camunda reads null and goes on; it knows two hit policies (UNIQUE
answers its first match without a word when two rules match; FIRST, PRIORITY, ANY, RULE ORDER and
OUTPUT ORDER all answered the first match, COLLECT's aggregation was dropped). Here:

- **Inputs** are evaluated once per table. A name the case lacks reads as null (空值), and so does a
  path (``企业.从业人数``) through a value that is missing or not a context. A string typed into a
  number column (``5,000,000``, ``500万``, ``30人``, ``40天``: engine/typed_input) is read as the number,
  a yes/no column's ``是``/``否`` as true/false, a date column's ``2026年11月1日`` as ``2026-11-01``
  and a date-and-time column's value as ISO text, which is what ``date("2026-11-01")`` and ``date and
  time("...")`` cells are translated to (engine/dialects.py), so they compare as days and moments.
- **Cells** (translated at deploy, engine/dialects.normalize_dmn) are tests of ``?``, the input;
  ``-`` or empty matches anything, ``null`` matches null, and a comparison or range over null is
  null, which does not match (DMN 1.3, 10.3.2; engine/feel_null.py), so a rule testing a missing
  input is simply not hit. Output entries: a name the case lacks is null, an empty entry is null, a
  path reads as an input's does.
- **Hit policies** (DMN 1.3, 8.2.11): UNIQUE (two matching rules are an incident naming the table
  and the rules), ANY (matching rules must agree), FIRST, PRIORITY (by the order of the output
  values), RULE ORDER, OUTPUT ORDER, COLLECT and COLLECT SUM/MIN/MAX/COUNT. A single-hit table no
  rule matches answers null for each output (Camunda: an empty result, the result variable null);
  a multiple-hit one an empty list, COUNT 0, SUM/MIN/MAX null. Aggregations skip null outputs.
- **Required decisions** (a DRD's ``informationRequirement``): evaluated first, each one's outputs
  readable by the decision that requires it by output name (Camunda 7) and by decision id (Camunda 8).

The result is merged into the task's data by output name, as SpiffWorkflow does (single-hit: the
value; multiple-hit: a list per output, or the aggregate).
"""
from __future__ import annotations

import ast
import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any, NoReturn

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter

from .feel_null import null_propagating
from .restricted import mark_absent_as_null, names_read
from . import typed_input

INPUT = "dmninputexpr"  # the cell's ``?`` (SpiffWorkflow's name for it)
FEEL_PATH = "duban_feel_path"  # engine/dialects.py writes a FEEL path with spaces as duban_feel_path("Credit Score")
_FEEL_PATH_CALL = re.compile(rf'{FEEL_PATH}\((["\'])(.*)\1\)', re.S)
SINGLE_HIT = ("UNIQUE", "ANY", "FIRST", "PRIORITY")
MULTIPLE_HIT = ("RULE ORDER", "OUTPUT ORDER", "COLLECT")
HIT_POLICIES = SINGLE_HIT + MULTIPLE_HIT
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
HIT_POLICY_NAMES = {"UNIQUE": "UNIQUE（唯一）", "ANY": "ANY（任一）", "FIRST": "FIRST（首个）",
                    "PRIORITY": "PRIORITY（优先级）", "RULE ORDER": "RULE ORDER（规则顺序）",
                    "OUTPUT ORDER": "OUTPUT ORDER（输出顺序）", "COLLECT": "COLLECT（收集）"}

_PATH = re.compile(r"[^\W\d][\w]*(?:\.[^\W\d][\w]*)*")
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # a ? outside quotes
_DECIMAL = re.compile(r"[+-]?\d{1,30}(?:\.\d{1,30})?")  # a number as people write it, bounded: no exponent
_NUMBER_TYPES = {"number", "integer", "long", "double", "int", "decimal", "float"}


class DecisionError(Exception):
    """A decision table's answer breaks its hit policy (UNIQUE with two rules, ANY disagreeing)."""


@functools.lru_cache(maxsize=4096)
def cell_test(text: str) -> str:
    """An input entry as Python testing ``dmninputexpr``: a value compared with it, a comparison
    applied to it, or a test of ``?`` as it is; comparisons over null give null; other names the
    cell reads are null when the case lacks them."""
    python = _QUESTION.sub(INPUT, text.strip())
    if INPUT not in python:
        try:
            ast.parse(python, mode="eval")
            python = f"{INPUT} == ({python})"
        except SyntaxError:
            python = f"{INPUT} {python}"
    python = null_propagating(python)
    return mark_absent_as_null(python, data_names(python) - {INPUT})


@functools.lru_cache(maxsize=4096)
def null_reading(text: str) -> str:
    """An input or output expression whose names read as null when the case lacks them."""
    python = text.strip()
    try:
        python = null_propagating(python)
        return mark_absent_as_null(python, data_names(python))
    except SyntaxError:
        return python  # SpiffWorkflow's evaluation reports it


def data_names(python: str) -> set[str]:
    """The names ``python`` reads as values (not those it calls, ``len(hazards)``: hazards)."""
    tree = ast.parse(python, mode="eval")
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return names_read(python) - called


def _path_value(path: str, data: dict, context: dict) -> Any:
    """``企业.从业人数`` read from the case data (FEEL's path): null where a step is missing or not a context."""
    first, *rest = path.split(".")
    value = context[first] if first in context else data.get(first)
    for part in rest:  # a path over a list reads the field of each item (FEEL: hazards.level)
        if isinstance(value, list):
            value = [item.get(part) if isinstance(item, dict) else None for item in value]
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def typed(value: Any, type_ref: str | None) -> Any:
    """An input value as its column's type reads it, when the case holds it as typed text."""
    kind = (type_ref or "").strip().lower().rpartition(":")[2]  # feel:number, xsd:integer (Trisotech, older exports)
    if not isinstance(value, str) or not kind:
        if kind in ("datetime", "date and time") and isinstance(value, dt.datetime):
            return value.isoformat()
        if kind == "date" and isinstance(value, dt.datetime):
            return value.date().isoformat()
        if kind == "date" and isinstance(value, dt.date):
            return value.isoformat()
        return value
    if kind in _NUMBER_TYPES:
        text = typed_input.plain_count(value)  # 5,000,000 / 500万 / 30人 / 40天: the number typed
        if not _DECIMAL.fullmatch(text):  # 1e999999999, Infinity, nan: left as typed (a cell cannot compare it)
            return value
        return int(text) if "." not in text else float(Decimal(text))
    if kind == "boolean":
        truth = typed_input.truth(value)
        return value if truth is None else truth
    if kind == "date":
        try:
            return typed_input.iso_day(value[:10] if "T" in value else value)
        except ValueError:
            return value
    if kind in ("datetime", "date and time"):
        return typed_input.iso_moment(value) or value
    return value


def _nested(key: str, value: Any) -> tuple[str, Any]:
    """An output named ``a.b.c`` as ``a`` holding ``{"b": {"c": value}}`` (SpiffWorkflow's dot notation)."""
    first, *rest = key.split(".")
    for part in reversed(rest):
        value = {part: value}
    return first, value


def _merge(into: dict, key: str, value: Any) -> None:
    if isinstance(value, dict) and isinstance(into.get(key), dict):
        for k, v in value.items():
            _merge(into[key], k, v)
    else:
        into[key] = value


class DecisionTableEngine(DMNEngine):
    """SpiffWorkflow's DMN engine with DMN's inputs, null, hit policies and required decisions
    (see the module's docstring). The table carries ``aggregation``, ``priorities`` (per output, its
    output values in order, or None) and ``required`` (the decisions it requires, each
    ``(decision id, table)``), set by the parser (engine/parser.py) and kept by the converter below."""

    def decide(self, task):
        return self._matched(self.decision_table, task, self._required_context(task))

    def result(self, task):
        table = self.decision_table
        context = self._required_context(task)
        return self._answer(table, self._matched(table, task, context), task, context)

    # --- required decisions (DRD) ---------------------------------------------------------------
    def _required_context(self, task) -> dict:
        context: dict = {}
        for decision_id, table in getattr(self.decision_table, "required", None) or ():
            engine = DecisionTableEngine(table)
            answer = engine.result(task)
            context.update(answer)
            outputs = [o.name or o.label for o in table.outputs]
            if decision_id not in context:
                context[decision_id] = answer.get(outputs[0]) if len(outputs) == 1 else answer
        return context

    # --- matching ---------------------------------------------------------------------------------
    def _matched(self, table, task, context: dict) -> list:
        """The matching rules in rule order; FIRST stops at the first (the others cannot change its answer)."""
        values = {inp.id: self._input_value(inp, task, context) for inp in table.inputs}
        if (table.hit_policy or "").upper() == "FIRST":
            return next(([rule] for rule in table.rules if self._hit(rule, values, task, context)), [])
        return [rule for rule in table.rules if self._hit(rule, values, task, context)]

    def _input_value(self, inp, task, context: dict) -> Any:
        expression = (inp.expression or "").strip()
        data = task.data
        if not expression:  # SpiffWorkflow's fallback: the input's label names the variable
            value = context.get(inp.label, data.get(inp.label))
        elif _PATH.fullmatch(expression) and expression not in ("True", "False", "None"):
            value = _path_value(expression, data, context)
        elif spaced := _FEEL_PATH_CALL.fullmatch(expression):
            value = _path_value(spaced.group(2), data, context)
        else:
            try:
                value = task.workflow.script_engine.evaluate(task, null_reading(expression), external_context=context)
            except Exception as exc:  # noqa: BLE001 — said in Chinese naming the table and the input
                _failed(task, exc, f"决策表「{self._name()}」的输入「{inp.label or expression}」"
                                         f"（{expression}）无法计算")
        return typed(value, inp.typeRef)

    def _hit(self, rule, values: dict, task, context: dict) -> bool:
        script_engine = task.workflow.script_engine
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                if lhs is None or not lhs.strip() or lhs.strip() == "-":
                    continue
                scope = {**context, INPUT: values.get(entry.input.id)}
                try:
                    if not script_engine.evaluate(task, cell_test(lhs), external_context=scope):
                        return False
                except Exception as exc:  # noqa: BLE001 — said in Chinese naming the table, the row and the input
                    value = repr(scope[INPUT])
                    value = value if len(value) <= 40 else value[:40] + "…"
                    _failed(task, exc, f"决策表「{self._name()}」第 {rule.row_number} 条规则对输入「"
                                             f"{entry.input.label or entry.input.expression}」的条件「{lhs.strip()}」"
                                             f"无法计算（输入的值为「{value}」）")
        return True

    def _name(self) -> str:
        return self.decision_table.name or self.decision_table.id

    # --- outputs and hit policies ----------------------------------------------------------------
    def _outputs(self, rule, task, context: dict) -> dict:
        script_engine = task.workflow.script_engine
        out: dict = {}
        for entry in rule.outputEntries:
            key = entry.output.name or entry.output.label
            if not key:  # an output with neither name nor label: nowhere to put it
                continue
            text = (getattr(entry, "text", "") or "").strip()
            if not text:
                value = None
            elif _PATH.fullmatch(text) and text not in ("True", "False", "None"):
                value = _path_value(text, task.data, context)
            elif spaced := _FEEL_PATH_CALL.fullmatch(text):
                value = _path_value(spaced.group(2), task.data, context)
            else:
                try:
                    value = script_engine.evaluate(task, null_reading(text), external_context=context)
                except Exception as exc:  # noqa: BLE001
                    _failed(task, exc, f"决策表「{self._name()}」第 {rule.row_number} 条规则的结果「{key}」"
                                             f"（{text}）无法计算")
            base, value = _nested(key, value)
            _merge(out, base, value)
        return out

    def _answer(self, table, matched: list, task, context: dict) -> dict:
        policy = (table.hit_policy or "UNIQUE").upper()
        names = [_nested(o.name or o.label, None)[0] for o in table.outputs if o.name or o.label]
        if policy in SINGLE_HIT:
            if not matched:
                return {name: None for name in names}
            if policy == "UNIQUE" and len(matched) > 1:
                raise DecisionError(_several(table, matched, "UNIQUE", "只能有一条规则匹配"))
            if policy == "PRIORITY":
                matched = self._by_priority(table, matched, task, context)
            answer = self._outputs(matched[0], task, context)
            if policy == "ANY" and any(self._outputs(r, task, context) != answer for r in matched[1:]):
                raise DecisionError(_several(table, matched, "ANY", "匹配的规则须给出相同的结果"))
            return answer
        if policy == "OUTPUT ORDER":
            matched = self._by_priority(table, matched, task, context)
        answers = [self._outputs(rule, task, context) for rule in matched]
        aggregation = (getattr(table, "aggregation", None) or "").upper()
        if policy == "COLLECT" and aggregation:
            return {name: _aggregate(aggregation, [a.get(name) for a in answers]) for name in names}
        collected: dict = {name: [] for name in names}
        for answer in answers:
            for key, value in answer.items():
                collected.setdefault(key, []).append(value)
        return collected

    def _by_priority(self, table, matched: list, task, context: dict) -> list:
        """The matched rules highest priority first: by each output's value's place in that output's
        output values (the first output most significant); a value not listed last; ties in rule order."""
        priorities = getattr(table, "priorities", None) or []

        def key(rule):
            answer = self._outputs(rule, task, context)
            places = []
            for output, order in zip(table.outputs, priorities):
                if order:
                    value = answer.get(_nested(output.name or output.label, None)[0])
                    places.append(_place(order, value))
            return places
        return sorted(matched, key=key)


def _failed(task, exc: Exception, message: str) -> NoReturn:
    """Raise an evaluation error said in Chinese (the page shows it as it is); one of ours, or a time
    limit the evaluator names, is raised unchanged."""
    if isinstance(exc, DecisionError) or (isinstance(exc, SpiffWorkflowException)
                                          and not str(exc).startswith("Error evaluating expression")):
        raise exc
    raise WorkflowTaskException(message, task=task) from exc


def _place(order: list, value: Any) -> int:
    """``value``'s place in an output's values, last when not listed; a number listed as text
    (Flowable writes a number output's values quoted: ``"0","5","10"``) is found as that number."""
    if value in order:
        return order.index(value)
    if not isinstance(value, bool) and isinstance(value, (int, float)) and str(value) in order:
        return order.index(str(value))
    return len(order)


def _aggregate(aggregation: str, values: list) -> Any:
    present = [v for v in values if v is not None]
    if aggregation == "COUNT":
        return len(present)
    if not present:
        return None
    if aggregation == "SUM":
        return sum(present)
    return min(present) if aggregation == "MIN" else max(present)


def _several(table, matched: list, policy: str, rule_text: str) -> str:
    """Rules by their row numbers, as the modeler's table shows them (no ids: they mean nothing to the reader)."""
    rows = "、".join(str(r.row_number) for r in matched)
    return (f"决策表「{table.name or table.id}」的命中策略为「{HIT_POLICY_NAMES[policy]}」，{rule_text}，"
            f"但第 {rows} 条规则同时匹配；请修改这些规则的条件，或在建模工具中改用「{HIT_POLICY_NAMES['FIRST']}」"
            f"或「{HIT_POLICY_NAMES['COLLECT']}」命中策略")


class DecisionTableConverter(BusinessRuleTaskConverter):
    """SpiffWorkflow's business rule task converter, restoring ``DecisionTableEngine`` and keeping a
    table's aggregation, output value order and required decisions (written only when there are
    some, so a stored table without them reads as it always did)."""

    def decision_table_to_dict(self, table):
        dct = super().decision_table_to_dict(table)
        if getattr(table, "aggregation", None):
            dct["aggregation"] = table.aggregation
        if any(getattr(table, "priorities", None) or ()):
            dct["priorities"] = table.priorities
        if getattr(table, "required", None):
            dct["required"] = [{"decision_id": d, "table": self.decision_table_to_dict(t)} for d, t in table.required]
        return dct

    def decision_table_from_dict(self, dct):
        dct = dict(dct)
        extra = {k: dct.pop(k, None) for k in ("aggregation", "priorities", "required")}
        table = super().decision_table_from_dict(dct)
        table.aggregation = extra["aggregation"]
        table.priorities = extra["priorities"]
        table.required = [(r["decision_id"], self.decision_table_from_dict(r["table"]))
                          for r in extra["required"] or ()]
        return table

    def from_dict(self, dct):
        dct["dmnEngine"] = DecisionTableEngine(self.decision_table_from_dict(dct.pop("decision_table")))
        return self.task_spec_from_dict(dct)


def _output_values(output_el, ns: dict) -> list | None:
    """An output's values in their order (``"高","中","低"``), or None when it lists none."""
    from .dialects import feel_cell
    from .expressions import split_top_level

    text = output_el.findtext("dmn:outputValues/dmn:text", namespaces=ns)
    if not text or not text.strip():
        return None
    values = []
    for part in split_top_level(text):
        try:
            values.append(ast.literal_eval(feel_cell(part.strip())))
        except (ValueError, SyntaxError):
            values.append(part.strip())
    return values


def engine_for(spiff_engine: DMNEngine, dmn_parser, required: list | None = None) -> DecisionTableEngine:
    """SpiffWorkflow's parsed table as ours, with what its parser leaves out of the DMN file
    (``required``: the tables of the decisions it requires, engine/parser.py finds them)."""
    table = spiff_engine.decision_table
    ns = {"dmn": dmn_parser.nsmap.get("dmn")}
    found = dmn_parser.node.xpath(".//dmn:decisionTable[@id=$id]", namespaces=ns, id=table.id)
    table.aggregation = found[0].get("aggregation") if found else None
    table.priorities = [_output_values(o, ns) for o in found[0].findall("dmn:output", ns)] if found else None
    table.required = required or []
    return DecisionTableEngine(table)


def required_decisions(dmn_parser) -> list[str]:
    """The ids of the decisions a decision requires (``informationRequirement/requiredDecision href="#id"``)."""
    ns = {"dmn": dmn_parser.nsmap.get("dmn")}
    decision = dmn_parser.decision_element()
    hrefs = decision.xpath("dmn:informationRequirement/dmn:requiredDecision/@href", namespaces=ns)
    return [h.rpartition("#")[2] for h in hrefs if h.rpartition("#")[2]]


class DecisionParser(DMNParser):
    """SpiffWorkflow's DMN parser for one decision of a file holding several (a DRD: Camunda 7's and
    8's decision requirements diagrams draw a decision and the decisions it requires in one file);
    SpiffWorkflow's reads only a file with one decision and refuses the rest."""

    def __init__(self, parser, node, nsmap, decision_id: str, filename=None):
        super().__init__(parser, node, nsmap, filename=filename)
        self.decision_id = decision_id

    def decision_element(self):
        return self.node.xpath(".//dmn:decision[@id=$id]", namespaces=self.nsmap, id=self.decision_id)[0]

    def parse(self):
        self.decision = self._parse_decision([self.decision_element()])

    @property
    def bpmn_id(self):
        return self.decision_id

    def get_name(self):
        return self.decision_element().get("name")


def refuse_cycle(chain: list[str], filename: str | None) -> ValidationException:
    return ValidationException(f"Decision requirements form a cycle: {' -> '.join(chain)}", file_name=filename or "")
