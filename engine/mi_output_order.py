"""多实例输出集合按输入顺序 (Camunda 8's ``outputCollection`` filled in the input collection's order).

Zeebe creates a multi-instance activity's ``outputCollection`` when the activity starts, one null per
item of the ``inputCollection``, and each instance, as it completes, sets its ``outputElement`` at its
own place (its ``loopCounter``): the i-th result belongs to the i-th input item whatever order the
instances complete in, and an instance that never completes (a completion condition ended the rest)
leaves its null (Camunda 8 docs, "Multi-instance": "the output collection ... in the same order as
the input collection"). SpiffWorkflow appends each result as its instance completes: three hazards
rechecked by three inspectors in parallel, the third finishing first, gave the third hazard's
conclusion first, against the first hazard — and a sequential one grew item by item. A multi-instance
task engine/dialects.py marks as Camunda 8's (``loop_counter.BASE_PROPERTY``: counts from 1) gets
Zeebe's order here, for parallel and sequential; other dialects' (BPMN's ``loopDataOutputRef``,
Flowable's variable aggregation) are as before. Each activation starts a fresh collection, as in Zeebe
(a 复查 drawn in a loop refilled it, where SpiffWorkflow refused a collection that was not empty).
"""
from __future__ import annotations

from collections.abc import Sequence

from .loop_counter import BASE_PROPERTY

_IN_ORDER = "output_in_input_order"
_PLACE = "output_place"  # [the completed instance's index, the collection's size before its result]


def _zeebe(spec, my_task) -> bool:
    inner = my_task.workflow.spec.task_specs.get(spec.task_spec)
    props = ((getattr(inner, "extensions", None) or {}).get("properties") or {}) if inner is not None else {}
    return str(props.get(BASE_PROPERTY, "0")).strip() == "1"


class InputOrderOutput:
    """Mixin for the multi-instance task specs (engine/parser.py): a Camunda 8 task's output
    collection holds one place per input item, each instance's result at its own place."""

    def _in_input_order(self, my_task) -> bool:
        return (self.data_output is not None and self.output_item is not None and self.data_input is not None
                and _zeebe(self, my_task))

    def init_data_output_with_input_data(self, my_task, input_data):
        if self._in_input_order(my_task) and isinstance(input_data, Sequence) and not isinstance(input_data, str):
            self.data_output.set(my_task, [None] * len(input_data))  # fresh at each activation, as Zeebe's
            my_task.internal_data[_IN_ORDER] = True
            return
        super().init_data_output_with_input_data(my_task, input_data)

    def merge_child(self, workflow, child):
        my_task = child.parent
        if not my_task.internal_data.get(_IN_ORDER):
            return super().merge_child(workflow, child)
        index = child.internal_data.get("key_or_index")
        if isinstance(index, int):
            my_task.internal_data[_PLACE] = [index, len(self.data_output.get(my_task))]
        super().merge_child(workflow, child)  # appends the result, then runs on: the next instance, or ready
        self._place(my_task)

    def add_next_child(self, my_task):
        self._place(my_task)  # before the next sequential instance copies the case data
        return super().add_next_child(my_task)

    def _place(self, my_task) -> None:
        """Move the result SpiffWorkflow appended to its instance's place."""
        pending = my_task.internal_data.pop(_PLACE, None)
        if pending is None:
            return
        index, size = pending
        output = self.data_output.get(my_task)
        if 0 <= index < size and len(output) == size + 1:
            output[index] = output.pop()
