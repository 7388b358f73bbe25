"""芋道 (yudao / ruoyi-vue-pro) 审批超时自动同意: yudao's BPM designer (and its 仿钉钉 simple designer)
draws a task's timeout as a non-interrupting timer boundary event with no outgoing flow and two
extension elements — ``flowable:boundaryEventType`` 1 (用户任务超时) and ``flowable:timeoutHandlerType``
(1 自动提醒, 2 自动同意, 3 自动拒绝; on the boundary event, or on its task). yudao's own listener does
the rest when the timer fires: for 自动同意 it approves the open task, and the case goes on along the
task's flow. Run here as drawn, the timer fired and did nothing — the case waited on a person where
yudao moved on — with only the generic note that the extension elements are ignored.

Here 自动同意 on a task with one outgoing flow is drawn as what it does: the timer interrupts the task
(the task ends unworked, as approved) and its flow goes where the task's goes, noted on the event. A
reminder (1) stays a timer that fires with nothing to do (noted as ignored, as before): the task's
deadline shows people its due time; 自动拒绝 (3) and a task with several flows out are left as drawn,
noted as ignored.
"""
from __future__ import annotations

from lxml import etree

from .waiting_loops import free_id

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FLOWABLE_NS = "http://flowable.org/bpmn"
B = f"{{{BPMN_NS}}}"
F = f"{{{FLOWABLE_NS}}}"
USER_TASK_TIMEOUT = "1"  # yudao's BpmBoundaryEventTypeEnum.USER_TASK_TIMEOUT
APPROVE = "2"  # BpmUserTaskTimeoutHandlerTypeEnum.APPROVE, 自动同意


def _setting(el, name: str) -> str | None:
    found = el.find(f"{B}extensionElements/{F}{name}") if el is not None else None
    return (found.text or "").strip() if found is not None else None


def auto_approvals(container, label) -> list[tuple[str, etree._Element]]:
    """Draw each yudao 自动同意 timeout of ``container`` (and its sub-processes) as an interrupting timer
    whose flow goes where its task's goes; the notes to say, as (text, element)."""
    notes = []
    for node in container:
        if isinstance(node.tag, str) and etree.QName(node).localname in ("subProcess", "transaction"):
            notes += auto_approvals(node, label)
    nodes = {n.get("id"): n for n in container if isinstance(n.tag, str) and n.get("id")}
    used = {el.get("id") for el in container.getroottree().getroot().iter() if isinstance(el.tag, str) and el.get("id")}
    for event in container.findall(f"{B}boundaryEvent"):
        if event.find(f"{B}timerEventDefinition") is None or _setting(event, "boundaryEventType") != USER_TASK_TIMEOUT:
            continue
        task = nodes.get(event.get("attachedToRef"))
        handler = _setting(event, "timeoutHandlerType") or _setting(task, "timeoutHandlerType")
        if handler != APPROVE or task is None:
            continue
        out = [f for f in container.findall(f"{B}sequenceFlow") if f.get("sourceRef") == task.get("id")]
        if len(out) != 1 or any(f.get("sourceRef") == event.get("id") for f in container.findall(f"{B}sequenceFlow")):
            continue
        event.set("cancelActivity", "true")
        flow = etree.Element(f"{B}sequenceFlow", id=free_id(f"{event.get('id')}_approved", used),
                             sourceRef=event.get("id"), targetRef=out[0].get("targetRef"))
        container.insert(list(container).index(out[0]) + 1, flow)
        for owner, name in ((event, "boundaryEventType"), (event, "timeoutHandlerType"), (task, "timeoutHandlerType")):
            setting = owner.find(f"{B}extensionElements/{F}{name}")
            if setting is not None:
                setting.getparent().remove(setting)
        notes.append((f"{label(event)} 是芋道（yudao）的审批超时「自动同意」：期满时{label(task)}结束（视为同意），"
                      "流程沿该任务之后的连线继续，与芋道一致", event))
    return notes

