"""Shapes the mechanisms of seed 004 share. A standing round (报送安排、进度提醒安排): a case a unit sets up once that wakes at each quarter's start, asks
a service what to open now, opens it by a script and waits for the next quarter — the shape the hazard statistics
report's round (bpmn/hazard_report_round.bpmn), the leader inspection's round and the joint mechanisms' round
(bpmn/joint_round.bpmn) share. The service returns the list the script hands on and ``next_round_at``. Matters followed up one by one
(``answered_items``): the leader inspection's 督办事项 and a 联席会议's 议定事项.
"""
from __future__ import annotations

from .layout import Process


def standing_round(key: str, name: str, lane: str, doc: str, *, start: str, look: tuple[str, str, str, str],
                   act: tuple[str, str, str], props: dict | None = None) -> Process:
    """``look``: (task id, its name, the service's operator, its documentation); ``act``: (task id, its name,
    the script's code). The start event is named ``start``; the wait for the next quarter ``next``."""
    look_id, look_name, operator, look_doc = look
    act_id, act_name, code = act
    p = Process(key, name, [lane], doc=doc, props=props)
    p.start("start", start, lane, 0)
    p.service(look_id, look_name, lane, 1, operator=operator, doc=look_doc)
    p.script(act_id, act_name, lane, 2, code=code)
    p.wait("next", "下一季度开始", lane, 3, expr="next_round_at")
    p.chain("start", look_id, act_id, "next")
    p.flow("next", look_id, id=f"Flow_next_{look_id}_again")
    return p


def answered_items(p: Process, after: str, lane: str, col: int, *, items: str, form: str, gate: tuple[str, str],
                   names: tuple[str, str, str], doc: str) -> None:
    """After ``after``: a gateway (``gate``: its name and lane) to one ``answer`` task per row of ``items`` — assigned
    to the row's ``owner`` (of its ``responsible_org``), due at the end of its ``item_due``, labelled by its
    ``matter``, each answer kept in ``item_answers`` with ``answered_late`` — then ``close`` (``items_closed_on``)
    and ``end``; none: straight to ``close``. ``names``: the answer task's, the close's and the end's."""
    answer, close, end = names
    p.xor("has_items", gate[0], gate[1], col)
    p.user("answer", answer, lane, col + 1, form=form,
           due="deadline_at(item['item_due'])",
           props={"assignee": "item['owner']", "assigneeUnit": "item['responsible_org']", "itemLabel": "item['matter']"},
           multi={"input": items, "item": "item", "output": "item_answers", "output_item": "item_answer",
                  "scripts_on_instances": True},
           post=("item_answer = {'matter': item['matter'], 'responsible_org': item['responsible_org'], "
                 "'owner': item['owner'], 'item_due': item['item_due'], 'item_reply': item_reply, "
                 "'item_done_on': item_done_on, 'answered_late': item_done_on > item['item_due']}"),
           doc=doc)
    p.script("close", close, lane, col + 2, code="items_closed_on = iso_day(now())")
    p.end("end", end, lane, col + 3)
    p.chain(after, "has_items")
    p.flow("has_items", "answer", "有", cond=f"len({items} or []) > 0")
    p.flow("has_items", "close", "无", default=True)
    p.chain("answer", "close", "end")


HAZARDS_DOC = ("发现的一般事故隐患、重大事故隐患各生成一件隐患案件（隐患来源：监督检查发现），由所在单位执法人员登记、"
               "分级和督促整改（原国家安全监管总局令第16号）。")


def hazards_passed_on(p: Process, lane: str, col: int, facts: tuple[str, str, str], opener: str) -> None:
    """``facts`` (the service task ``facts``: its name, operator, documentation), then the script ``open_hazards``
    calling ``opener`` (a function call on ``hazard_findings``) that turns each 事故隐患 found into a hazard case."""
    name, operator, doc = facts
    p.service("facts", name, lane, col, operator=operator, doc=doc)
    p.script("open_hazards", "事故隐患转入隐患排查治理", lane, col + 1,
             code=f"hazards_opened = {opener}\nhazard_findings = []", doc=HAZARDS_DOC)


def reminder(key: str, name: str, lane: str, doc: str, task: tuple[str, str, str], prefix: str) -> Process:
    """The reminder a round opens for a unit behind: one task (``task``: its name, form, documentation) for the
    people the round named (``reminder_to``), in ``lane``, numbered ``prefix``-…"""
    task_name, form, task_doc = task
    p = Process(key, name, [lane], doc=doc, props={"caseNumberPrefix": prefix})
    p.start("start", "进度落后", lane, 0)
    p.user("remind", task_name, lane, 1, form=form, props={"candidateUsers": "reminder_to"}, doc=task_doc)
    p.end("end", "已安排", lane, 2)
    p.chain("start", "remind", "end")
    return p
