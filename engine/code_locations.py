"""Where a model keeps code (模型代码位置): the one inventory behind the deploy check and the runtime.

Every place SpiffWorkflow (through our script environment, engine/evaluator.py) or the engine
itself (engine/projection.py, engine/assignment.py) evaluates text from a model file is listed in
``LOCATIONS``; ``locations(root)`` finds each occurrence in a BPMN or DMN document. The deploy check
(``check_model``) compiles each with the restricted compiler (engine/restricted.py); the runtime
compiles the same text the same way before it runs (engine/evaluator.py), so code the inventory
might miss is still restricted, bounded and isolated when it runs.

| kind                 | element (namespace)                                            | mode |
|----------------------|----------------------------------------------------------------|------|
| script               | bpmn:script (script task)                                      | exec |
| preScript/postScript | spiffworkflow:preScript / postScript                           | exec |
| condition            | bpmn:conditionExpression (sequence flow)                       | eval |
| conditional event    | bpmn:condition (conditionalEventDefinition)                    | eval |
| loop condition       | bpmn:loopCondition (standard loop)                             | eval |
| loop cardinality     | bpmn:loopCardinality (multi-instance)                          | eval |
| completion condition | bpmn:completionCondition (multi-instance, ad-hoc sub-process)  | eval |
| timer                | bpmn:timeDate / timeDuration / timeCycle (unless ISO literal)  | eval |
| task property        | spiffworkflow:property dueDate, assignee, candidateUsers, itemLabel | eval |
| service parameter    | spiffworkflow:parameter value                                  | eval |
| call mapping         | spiffworkflow:variableMapping input/output expression          | eval |
| message payload      | spiffworkflow:messagePayload                                   | eval |
| correlation          | bpmn:messagePath / formalExpression of a correlation property  | eval |
| DMN input            | dmn:inputExpression/text                                       | eval |
| DMN rule condition   | dmn:inputEntry/text (``-`` = any; ``> 5`` means ``value > 5``) | eval |
| DMN rule result      | dmn:outputEntry/text                                           | eval |
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator

from lxml import etree

from . import restricted

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_PREFIXES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")
TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
# Task properties the engine evaluates as expressions (engine/projection.py, engine/assignment.py).
EVALUATED_PROPERTIES = frozenset({"dueDate", "assignee", "candidateUsers", "itemLabel", "orgLevel", "nameExpression",
                                 "priorityExpression"})
BPMN_EXPRESSIONS = {"conditionExpression": "条件表达式", "condition": "条件事件的条件",
                    "loopCondition": "循环条件", "loopCardinality": "多实例数量",
                    "completionCondition": "完成条件", "messagePath": "消息关联表达式"}
SPIFF_EXPRESSIONS = {"messagePayload": "消息内容"}
LABELS = {"script": "脚本", "preScript": "前置脚本", "postScript": "后置脚本", "inputExpression": "决策输入表达式",
          "inputEntry": "决策规则条件", "outputEntry": "决策规则结果", "parameter": "服务参数",
          "mapping_input": "调用活动输入变量", "mapping_output": "调用活动输出变量", "timeDate": "定时器时间", "timeDuration": "定时器时长", "timeCycle": "定时器周期",
          **BPMN_EXPRESSIONS, **SPIFF_EXPRESSIONS}


@dataclass
class CodeLocation:
    element: etree._Element  # the element holding the text
    source: str
    mode: str  # exec | eval
    kind: str  # local name of the element (script, conditionExpression, inputEntry, property...)

    @property
    def owner_id(self) -> str | None:
        """The id of the shape the code belongs to (a timer's event, not its event definition)."""
        node = self.element
        while node is not None:
            if node.get("id") and not etree.QName(node).localname.endswith("EventDefinition"):
                return node.get("id")
            node = node.getparent()
        return None

    @property
    def label(self) -> str:
        if self.kind == "property":
            return f"属性 {self.element.get('name')}"
        return LABELS.get(self.kind, f"表达式 <{self.kind}>")


def locations(root: etree._Element) -> Iterator[CodeLocation]:
    """Every piece of code in a BPMN or DMN document, in document order."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        ns, name = q.namespace or "", q.localname
        text = (el.text or "").strip()
        if ns == BPMN_NS:
            if name == "script" and text:
                yield CodeLocation(el, el.text, "exec", name)
            elif name in BPMN_EXPRESSIONS and text:
                yield CodeLocation(el, text, "eval", name)
            elif name == "formalExpression" and text and _in_correlation(el):
                yield CodeLocation(el, text, "eval", "messagePath")
            elif name in TIMER_KINDS and text and not _iso_literal(TIMER_KINDS[name], text):
                yield CodeLocation(el, text, "eval", name)
        elif ns == SPIFF_NS:
            value = (el.get("value") or "").strip()
            if name in ("preScript", "postScript") and text:
                yield CodeLocation(el, el.text, "exec", name)
            elif name in SPIFF_EXPRESSIONS and text:
                yield CodeLocation(el, text, "eval", name)
            elif name == "property" and el.get("name") in EVALUATED_PROPERTIES and value:
                yield CodeLocation(el, value, "eval", name)
            elif name == "parameter" and value:  # service task operator arguments
                yield CodeLocation(el, value, "eval", name)
            elif name in ("input", "output") and (el.get("expression") or "").strip():  # call activity mapping
                yield CodeLocation(el, el.get("expression").strip(), "eval", f"mapping_{name}")
        elif ns.startswith(DMN_PREFIXES) and name == "text":
            parent = el.getparent()
            kind = etree.QName(parent).localname if parent is not None else ""
            if not text or (kind == "inputEntry" and text == "-"):
                continue
            if kind == "inputEntry":
                yield CodeLocation(el, dmn_test_expression(text), "eval", kind)
            elif kind in ("inputExpression", "outputEntry"):
                yield CodeLocation(el, text, "eval", kind)


def _in_correlation(el) -> bool:
    parent = el.getparent()
    return parent is not None and etree.QName(parent).localname in (
        "correlationPropertyRetrievalExpression", "messagePath", "correlationKey")


def dmn_test_expression(text: str) -> str:
    """SpiffWorkflow reads an input entry as an expression, or as ``value <entry>`` (``> 5``), with
    ``?`` standing for the input value; give the check the form that parses."""
    candidate = text.replace("?", "dmninputexpr")
    for form in (candidate, f"dmninputexpr {candidate}"):
        try:
            ast.parse(form, mode="eval")
            return form
        except SyntaxError:
            continue
    return candidate


def _iso_literal(kind: str, text: str) -> bool:
    from .timeexpr import looks_like_iso_literal
    return looks_like_iso_literal(kind, text)


def check_model(root: etree._Element) -> list[dict]:
    """Problems with the code of a whole model file, each ``{"message", "element_id", "line"}``.

    Scripts of script tasks, conditions of sequence flows and timer texts that do not parse at all
    are left to deploy validation's own checks (one report each); elsewhere a syntax error is
    reported here.
    """
    problems = []
    for loc in locations(root):
        try:
            ast.parse(loc.source, mode=loc.mode)
        except (SyntaxError, ValueError, MemoryError, RecursionError):  # nested too deep: the check says so
            parent = loc.element.getparent()
            if (loc.kind == "script" and parent is not None and etree.QName(parent).localname == "scriptTask") \
                    or loc.kind == "conditionExpression" or loc.kind in TIMER_KINDS:
                continue
        found = restricted.problems(loc.source, loc.mode)
        if found:  # one report per location, naming every construct at fault
            problems.append({"message": f"{loc.label}: {'；'.join(found)} (脚本安全检查)",
                             "element_id": loc.owner_id, "line": loc.element.sourceline})
    return problems
