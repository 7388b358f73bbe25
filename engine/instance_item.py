"""多实例 (multi-instance): each instance's item — Flowable's and Camunda 7's ``elementVariable``,
Camunda 8's ``inputElement`` — is that instance's own variable, as those engines keep it (a local
variable of the instance's execution): it shadows a case variable of the same name while the
instances run and is gone when the multi-instance task ends, the case variable as it was.

SpiffWorkflow merges each instance's data, the item included, back into the case and refuses to
start instances while a variable of the item's name exists ("Multiinstance input item … already
exists"). So 会签 drawn in a loop — 会签 → 驳回 → 起草 → 会签 again, the 会签驳回重审 of the Chinese
Flowable tutorials and yudao's BPM models — stopped with an incident the second time round, and so
did a 会签 whose item is named like a variable the case already had (``assignee`` given at the start,
then ``flowable:elementVariable="assignee"``). Here the case's value is set aside when the first
instance is made and put back, the item removed, when the task ends.
"""
from __future__ import annotations

_SHADOWED = "shadowed_item"


class LocalInstanceItem:
    """Mixin for SpiffWorkflow's parallel and sequential multi-instance task specs."""

    def create_child(self, my_task, item, key_or_index=None):
        if self.input_item is not None:
            name = self.input_item.bpmn_id
            if name in my_task.data:
                value = my_task.data.pop(name)
                if not my_task.internal_data.get("merged") and _SHADOWED not in my_task.internal_data:
                    my_task.internal_data[_SHADOWED] = {"value": value}  # the case's own, before any instance
        super().create_child(my_task, item, key_or_index)

    def _run_hook(self, my_task):
        if self.input_item is not None:
            my_task.data.pop(self.input_item.bpmn_id, None)
            shadowed = my_task.internal_data.pop(_SHADOWED, None)
            if shadowed is not None:
                my_task.data[self.input_item.bpmn_id] = shadowed["value"]
        return super()._run_hook(my_task)
