"""Ad-hoc sub-processes (自由子流程): its activities one at a time when drawn ``ordering="Sequential"``.

BPMN 2.0 (§10.3.5, ``adHocOrdering``) and the tools spell the attribute ``Sequential`` or ``Parallel``
(capitalised; Parallel when absent). SpiffWorkflow 3.x's parser looks for it (and for
``cancelRemainingInstances``) in the BPMN namespace, where no tool writes it, so it never read it, and
would have refused ``sequential`` had it read it: an ad-hoc sub-process drawn sequential in Camunda
Modeler or Flowable had all its activities open at once. Ours reads the
attribute whatever its case, and a sequential one runs its independent paths (activities with no
incoming flow, with what follows them) one after another in the order they are drawn: the end of
each path leads to the next path as well as to the sub-process's end, so the completion condition is
still checked after each path and, once it holds, the paths not yet run are cancelled
(``cancelRemainingInstances``) and the sub-process ends. If every path has run and the condition
never held, the sub-process ends as a parallel one does (SpiffWorkflow's rule).

SpiffWorkflow's path bookkeeping also removed the key ``data_objects`` from each open task's data
without asking whether it was there: it is only there when the process draws a data object, so any
ad-hoc sub-process without one failed with ``KeyError: 'data_objects'`` at its start. The key is put
in for the length of that bookkeeping and taken out again.

Camunda 8.7's ``zeebe:adHoc activeElementsCollection`` (a FEEL expression giving the ids of the inner
elements to activate; Camunda 8 docs, "Ad-hoc sub-processes: Activate an element"): computed on the
case's data when the sub-process starts, and only the activities it names open — the others are
cancelled then. Without a completion condition it ends when they have (Zeebe's rule). An empty or
null list (the docs say nothing of it; here the sub-process would wait for ever), an id that names no
activity the sub-process can start with, or a value that is no list of ids is an incident naming the
sub-process, in Chinese.
engine/dialects.py writes the translated expression as the element's ``ACTIVE_ELEMENTS`` property.

Same class name as SpiffWorkflow's spec (``AdHocSubprocessSpec``), so stored specs restore to ours
(engine/parser.py's serializer configuration), with the ordering stored (SpiffWorkflow's converter
writes ``parallel: True`` whatever the spec says; the order itself is in the stored connections).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ProcessParser import AdHocParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.process_spec import AdHocSubprocessSpecConverter
from SpiffWorkflow.bpmn.specs import bpmn_process_spec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import incident_words

_DATA_OBJECTS = "data_objects"
ACTIVE_ELEMENTS = "activeElementsCollection"
ACTIVE_WRITTEN = "activeElementsWritten"


def _condition_said(method):
    """The completion condition is evaluated bare by SpiffWorkflow (``environment.evaluate``), outside
    the task errors the incidents read: a condition over data the case does not have yet
    (``${checked == true}`` before anyone ticked it) stopped with the English 「name 'checked' is not
    defined — 第 1 行」, naming no element. Said in Chinese on the ad-hoc sub-process itself, the
    technical text behind it."""
    def run(self, workflow, task, *args):
        try:
            return method(self, workflow, task, *args)
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            technical = f"{type(exc).__name__}: {exc}"
            said = incident_words.plain_cause(technical, workflow.data, "完成条件") or \
                f"完成条件无法计算；{incident_words.FIX_MODEL}"
            owner = workflow.top_workflow.get_task_from_id(workflow.parent_task_id) \
                if getattr(workflow, "parent_task_id", None) is not None else task
            raise WorkflowTaskException(f"{said} — 自由子流程的完成条件「{self.completion_condition}」：{technical}",
                                        task=owner or task, exception=exc) from exc
    return run


def _with_data_objects_key(method):
    def run(self, workflow, *args):
        added = _DATA_OBJECTS not in workflow.data
        if added:
            workflow.data[_DATA_OBJECTS] = {}
        try:
            return method(self, workflow, *args)
        finally:
            if added:
                workflow.data.pop(_DATA_OBJECTS, None)
    return run


class AdHocSubprocessSpec(bpmn_process_spec.AdHocSubprocessSpec):
    """SpiffWorkflow's ad-hoc sub-process spec, sequential when drawn so."""

    path_complete = _with_data_objects_key(_condition_said(bpmn_process_spec.AdHocSubprocessSpec.path_complete))
    add_path = _with_data_objects_key(bpmn_process_spec.AdHocSubprocessSpec.add_path)

    active_elements: str | None = None  # the translated activeElementsCollection (Camunda 8.7)
    active_written: str | None = None

    def create_paths(self):
        super().create_paths()
        if not self.parallel:
            self._one_path_after_another()
        elif self.active_elements:
            self.start.completed_event.connect(self._only_active_elements)

    def _only_active_elements(self, workflow, task):
        """When the sub-process starts: the activities its collection names stay open, the others are
        cancelled."""
        said = f"自由子流程「{self.description or self.name}」({self.name}) 的待激活元素集合「{self.active_written}」"
        owner = workflow.top_workflow.get_task_from_id(workflow.parent_task_id) \
            if getattr(workflow, "parent_task_id", None) is not None else task
        try:
            ids = workflow.script_engine.evaluate(task, self.active_elements)
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"{said}无法计算；{incident_words.FIX_MODEL} — {type(exc).__name__}: {exc}",
                                        task=owner or task, exception=exc) from exc
        if ids is None or ids == []:  # none to run: here the sub-process would wait for ever
            raise WorkflowTaskException(f"{said}没有列出要办理的事项（其值为「{'空' if ids is None else '[]'}」）；"
                                        f"{incident_words.FIX_DATA}", task=owner or task)
        if isinstance(ids, str) or not isinstance(ids, list):
            raise WorkflowTaskException(f"{said}的值「{str(ids)[:40]}」不是元素编号的列表；{incident_words.FIX_MODEL}",
                                        task=owner or task)
        startable = {child.task_spec.bpmn_id: child for child in task.children}
        unknown = [str(i) for i in ids if i not in startable]
        if unknown:
            raise WorkflowTaskException(f"{said}中的「{'、'.join(unknown)[:80]}」不是该子流程中可直接开始的活动"
                                        f"（可开始的：{'、'.join(k for k in startable if k)[:120]}）；{incident_words.FIX_MODEL}",
                                        task=owner or task)
        for bpmn_id, child in startable.items():
            if bpmn_id not in ids and not child.has_state(TaskState.FINISHED_MASK):
                child.cancel()

    def _one_path_after_another(self) -> None:
        firsts = [spec for spec in self.start.outputs]
        lasts = [self._last_of(first) for first in firsts]
        for last, following in zip(lasts, firsts[1:]):
            self.start._outputs.remove(following.name)
            following._inputs.remove(self.start.name)
            last.connect(following)

    def _last_of(self, first):
        """The one activity a path (from ``first``) ends with: the one of those it reaches that leads to
        the sub-process's end."""
        seen, todo, lasts = set(), [first], []
        while todo:
            spec = todo.pop()
            if spec.name in seen:
                continue
            seen.add(spec.name)
            if self.end.name in spec._outputs:
                lasts.append(spec)
            todo.extend(s for s in spec.outputs if s is not self.end)
        if len(lasts) != 1:  # said in Chinese, naming the sub-process, by engine/validation.py
            raise ValidationException(
                f"Sequential ad hoc path has {len(lasts)} ends: [{first.bpmn_name or first.bpmn_id}]",
                file_name=self.file, id=self.name, name=self.description or self.name, tag="adHocSubProcess")
        return lasts[0]


class DubanAdHocParser(AdHocParser):
    """SpiffWorkflow's ad-hoc parser, reading ``ordering`` and ``cancelRemainingInstances`` whatever
    their case, making our spec."""

    def _plain(self, name: str, default: str) -> str:
        """An attribute as the tools write it: without a namespace (SpiffWorkflow's ``attribute`` looks
        for it in the BPMN namespace, where no tool puts it, so it never read either of these)."""
        return (self.node.get(name) or self.attribute(name) or default).strip().lower()

    def create_spec(self):
        condition = self.xpath("./bpmn:completionCondition")
        spec = self._spec(condition)
        properties = {p.get("name"): p.get("value") for p in self.node.iterfind(
            "{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements/"
            "{http://spiffworkflow.org/bpmn/schema/1.0/core}properties/"
            "{http://spiffworkflow.org/bpmn/schema/1.0/core}property")}
        spec.active_elements = properties.get(ACTIVE_ELEMENTS)
        spec.active_written = properties.get(ACTIVE_WRITTEN)
        return spec

    def _spec(self, condition):
        return AdHocSubprocessSpec(
            completion_condition=condition[0].text if len(condition) > 0 else None,
            parallel=self._plain("ordering", "Parallel") != "sequential",
            cancel_remaining=self._plain("cancelRemainingInstances", "true") != "false",
            name=self.bpmn_id,
            description=self.get_name(),
            filename=self.filename,
        )


class AdHocConverter(AdHocSubprocessSpecConverter):
    """SpiffWorkflow's converter, storing what the spec says of its ordering and cancelling."""

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["parallel"], dct["cancel_remaining"] = spec.parallel, spec.cancel_remaining
        if spec.active_elements:
            dct["active_elements"], dct["active_written"] = spec.active_elements, spec.active_written
        return dct

    def from_dict(self, dct):
        active, written = dct.pop("active_elements", None), dct.pop("active_written", None)
        spec = super().from_dict(dct)
        spec.active_elements, spec.active_written = active, written
        if active and spec.parallel:  # connected at parse (create_paths); a stored spec connects it here
            spec.start.completed_event.connect(spec._only_active_elements)
        return spec
