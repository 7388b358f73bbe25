"""What a task shows above its form (办理依据): the facts under decision, earlier steps' files, the chain
of opinions so far, why the task came back, and what a loop-back gate found missing.

Which facts and files a step shows is declared once per form in ``workflows.forms.context``; this
module reads them out of a case for one viewer. The opinions and the return reason come from the
audit log, where every completion keeps the data it submitted (so a file is shown under the field it
was uploaded to, and a plan returned twice shows both reviews). An enterprise user (当事企业) never
sees fields marked internal there.
A task of a model drawn elsewhere (Camunda Modeler, Flowable: no form of ours, so nothing declared)
shows as its facts the case's data its model labels (``model_data``), as people read it — what
负责人审批 decides on is the 采购金额 填写采购单 gave — except what its own drawn form asks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workflows.forms.context import COMPUTED_AMOUNTS, FACT_LABELS, HIDDEN, RETURN_VALUES, context_for, is_internal, is_opinion

from . import case_data, drawn_form, formspec, linked_penalties, model_data, queries


@dataclass
class Fact:
    name: str
    label: str
    value: object


@dataclass
class Step:
    """One completed task of the case, with what it submitted."""
    task_id: str
    element: str
    name: str
    form_key: str | None
    actor: str
    at: object
    seq: int
    data: dict
    labels: dict = field(default_factory=dict)  # field -> label of this step's form
    kinds: dict = field(default_factory=dict)   # field -> kind (attachments, table…)

    def files(self) -> list[Fact]:
        """What this step uploaded, each file under the field it was uploaded to."""
        return [Fact(k, f"{self.name}·{self.labels[k]}", list(v)) for k, v in self.data.items()
                if self.kinds.get(k) == "attachments" and v]

    def opinions(self, viewer_is_party: bool) -> list[Fact]:
        return [Fact(k, self.labels.get(k) or FACT_LABELS.get(k, ""), v) for k, v in self.data.items()
                if is_opinion(k) and v not in (None, "", []) and (k in self.labels or k in FACT_LABELS)
                and not (viewer_is_party and is_internal(k))]

    @property
    def returned(self) -> bool:
        return any(is_opinion(k) and (v in RETURN_VALUES or (k.endswith("_passed") and v is False))
                   for k, v in self.data.items() if isinstance(v, (str, bool)))


@dataclass
class TaskContext:
    facts: list[Fact]
    files: list[Fact]
    opinions: list[tuple[Step, list[Fact]]]
    returned: list[tuple[Step, list[Fact]]]
    gate: list[str]
    columns: dict
    penalties: linked_penalties.LinkedPenalties | None = None  # None: the step rests on no penalty case

    @property
    def empty(self) -> bool:
        return not (self.facts or self.files or self.opinions or self.returned or self.gate
                    or self.penalties is not None)


def steps(engine, case, form_keys: dict[str, str | None] | None = None) -> list[Step]:
    """The case's completed tasks in order, each with its form's labels (``form_keys``: the case's
    ``queries.task_form_keys`` when the caller has read them already)."""
    form_keys = queries.task_form_keys(engine, case.id) if form_keys is None else form_keys
    out = []
    for ev in case.history:
        if ev["action"] != "completed" or not ev.get("task_id"):
            continue
        detail = ev.get("detail") or {}
        key = form_keys.get(ev["task_id"])
        fields = formspec.fields_for(engine.forms, key) or []
        out.append(Step(ev["task_id"], detail.get("element", ""), detail.get("task", ""), key, ev["actor"],
                        ev["at"], ev["seq"], dict(detail.get("data") or {}),
                        {f["name"]: f["label"] for f in fields}, {f["name"]: f["type"] for f in fields}))
    return out


@dataclass(frozen=True)
class SubmittedBy:
    """What brought a task to its desk: 提请 — the step completed last before it opened (name, who,
    when; what a leader approves came from it) — or 起因 — a deadline that passed since (``actor``
    empty, ``name`` the timer's: 督办期限届满), as a 约谈 opened by an overdue hazard is no one's proposal."""
    name: str
    actor: str
    at: object


def submitted_before(case, task) -> SubmittedBy | None:
    """``SubmittedBy`` for ``task`` from the case's audit log; None for a case's first task, or a
    task whose opening the log does not hold."""
    opened = next((e["seq"] for e in case.history if e["action"] == "task_opened" and e.get("task_id") == task.id), None)
    if opened is None:
        return None
    last = None
    for e in case.history:
        if e["seq"] >= opened:
            break
        detail = e.get("detail") or {}
        if e["action"] == "completed" and e.get("task_id") and detail.get("task"):
            last = SubmittedBy(detail["task"], e["actor"], e["at"])
        elif e.get("actor") == "timer" and e["action"] != "reminded" and detail.get("name"):
            last = SubmittedBy(detail["name"], "", e["at"])  # a deadline passed: nobody proposed it
    return last


def labels_for(engine, case, history_steps: list[Step]) -> dict[str, str]:
    labels = formspec.data_labels(engine.forms, [s.form_key for s in history_steps if s.form_key])
    return {**FACT_LABELS, **labels}


def build(engine, case, task, viewer) -> TaskContext:
    ctx = context_for(task.form_key)
    party_view = bool(getattr(viewer, "party", None))
    done = steps(engine, case)
    labels = labels_for(engine, case, done)
    money = {k for s in done for k, kind in s.kinds.items() if kind == "money"} | COMPUTED_AMOUNTS
    facts = [Fact(n, labels[n], formspec.money_text(case.data[n]) if n in money else case.data[n]) for n in ctx.facts
             if n in labels and n not in HIDDEN and case.data.get(n) not in (None, "", [])
             and not (party_view and is_internal(n))]
    if not ctx.facts and formspec.fields_for(engine.forms, task.form_key) is None:
        facts = _drawn_facts(engine, case, task, party_view)
    files = []
    for form_key, name in ctx.files:
        step = next((s for s in reversed(done) if s.form_key == form_key and s.data.get(name)), None)
        if step is not None:
            files += [f for f in step.files() if f.name == name]
    opinions = [(s, ops) for s in done if (ops := s.opinions(party_view))]
    returned = _returned(done, task, party_view)
    gate = case.data.get(ctx.gate) if ctx.gate else None
    columns = formspec.table_columns(engine.forms, [s.form_key for s in done if s.form_key])
    penalties = None
    if ctx.penalty_cases and not party_view and linked_penalties.applies(case):
        penalties = linked_penalties.linked(engine, case, viewer.username)
    return TaskContext(facts, files, opinions, returned, list(gate or []), columns, penalties)


def _drawn_facts(engine, case, task, party_view: bool) -> list[Fact]:
    """The case's data its drawn model labels, shown as people read it (``ModelData.shown``; an amount
    with 元 as the case page shows it, ``case_data.amount``); not
    what this task's own drawn form asks (that is on the form)."""
    drawn = model_data.model_data(engine, case.model_id)
    if not drawn.labels:
        return []
    asked = {f["name"] for f in drawn_form.fields(engine, task, case.model_id) or []}
    return [Fact(k, label, case_data.amount(label, case.data[k]) or drawn.shown(k, case.data[k], case.data) or case.data[k])
            for k, label in drawn.labels.items()
            if k not in asked and k not in HIDDEN and case.data.get(k) not in (None, "", [])
            and not (party_view and is_internal(k))]


def _returned(done: list[Step], task, party_view: bool) -> list[tuple[Step, list[Fact]]]:
    """When this step was done before, the returns since then: who sent it back, and why."""
    earlier = [i for i, s in enumerate(done) if s.element == task.spec_id and s.task_id != task.id]
    if not earlier:
        return []
    out = []
    for s in done[earlier[-1] + 1:]:
        if s.returned:
            ops = s.opinions(party_view)
            if ops:
                out.append((s, ops))
    return out


def prefill(task, case_data: dict) -> dict:
    """Values this form takes from what the request already says (批准延长至 <- 申请延长至)."""
    return {mine: case_data[theirs] for mine, theirs in context_for(task.form_key).prefill
            if case_data.get(theirs) not in (None, "", [])}
