"""Call activities (调用活动) that pass only the variables their model maps in and out.

SpiffWorkflow's call activity copies all of the parent's data into the called process and, at its
end, replaces the parent's data with the child's. Camunda 7 (``camunda:in``/``camunda:out``),
Flowable/Activiti (``flowable:in``/``flowable:out``) and Camunda 8 (``zeebe:ioMapping``) models say
which variables go in and come back; engine/dialects.py writes what they say as one
``spiffworkflow:variableMapping`` element::

    <spiffworkflow:variableMapping inputs="mapped" outputs="all">
      <spiffworkflow:input target="hazard_no" expression="case_no"/>
      <spiffworkflow:output target="conclusion" expression="result"/>
    </spiffworkflow:variableMapping>

``inputs="all"`` starts the child with a copy of all the parent's data, ``"mapped"`` with only the
mapped inputs (and the case's number, organisation and party, which every case's data carries);
``outputs="all"`` merges all the child's data back into the parent's, ``"mapped"`` only the mapped
outputs — the parent keeps the rest of its own data either way. An expression is Python
(translated from JUEL/FEEL at deploy): a bare name is read from the data (a missing one is
``None``, as Camunda gives ``null``); anything else runs in the script environment, inputs on the
parent's data, outputs on the child's. A call activity without the element behaves as
SpiffWorkflow's.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.spiff.parser.task_spec import CallActivityParser
from SpiffWorkflow.spiff.specs.defaults import CallActivity as SpiffCallActivity

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAPPING = "variableMapping"
# What every case's data carries from its start (engine/step.py), so scripts may read it: a called
# process sees it too, whatever the mapping says — Camunda's child has its own execution context.
CASE_CONTEXT = ("case_no", "org_code", "party")


class MappedCallActivityParser(CallActivityParser):
    """Reads ``spiffworkflow:variableMapping`` into the spec's extensions (stored with the spec)."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        element = (node if node is not None else self.node).find(
            f"{{http://www.omg.org/spec/BPMN/20100524/MODEL}}extensionElements/{{{SPIFF_NS}}}{MAPPING}")
        if element is not None:
            extensions[MAPPING] = {
                "inputs": element.get("inputs") or "all",
                "outputs": element.get("outputs") or "all",
                "in": [[m.get("target"), m.get("expression")] for m in element.iterfind(f"{{{SPIFF_NS}}}input")],
                "out": [[m.get("target"), m.get("expression")] for m in element.iterfind(f"{{{SPIFF_NS}}}output")],
            }
        return extensions


def _value(task, expression: str):
    if expression.isidentifier():
        return deepcopy(task.data.get(expression))
    return task.workflow.script_engine.evaluate(task, expression)


class CallActivity(SpiffCallActivity):
    """SpiffWorkflow's call activity honouring a variable mapping (same name, so stored specs
    restore to it)."""

    def _mapping(self) -> dict | None:
        return (getattr(self, "extensions", None) or {}).get(MAPPING)

    def copy_data(self, my_task, subworkflow):
        mapping = self._mapping()
        if mapping is None:
            return super().copy_data(my_task, subworkflow)
        data = deepcopy(my_task.data) if mapping["inputs"] == "all" else {
            name: deepcopy(my_task.data[name]) for name in CASE_CONTEXT if name in my_task.data}
        for target, expression in mapping["in"]:
            data[target] = _value(my_task, expression)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**data)

    def update_data(self, my_task, subworkflow):
        mapping = self._mapping()
        if mapping is None:
            return super().update_data(my_task, subworkflow)
        last = subworkflow.last_task
        if mapping["outputs"] == "all":
            my_task.data.update(deepcopy(last.data))
        for target, expression in mapping["out"]:
            my_task.data[target] = _value(last, expression)
