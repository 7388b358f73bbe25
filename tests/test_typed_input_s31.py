"""Model code's results and errors said in Chinese, and data typed the way a tired official types it, round 5 (issue 15).

1. A result past what case data holds. A script or FEEL expression computing a number past 10^300 (a
   figure typed with extra zeros, multiplied) was refused as 「变量「daily」的值不能保存为案件数据 (类型 int)」:
   a Latin word, and the incident page showed only 「流程执行出错…请管理员查看错误详情」. An infinity or NaN
   was said without the element that computed it. Now: 「「计算每日罚款」出错: 变量「daily」的值是超出范围的
   整数（绝对值须在 10 的 300 次方以内），不能保存为案件数据…」 on the page too, the element named for an
   infinity, and the step rolled back: the case keeps the data it had.
2. Line numbers of our translation. A one-line FEEL expression's error said 「(第 2 行)」 (the line after
   our absent-as-null comment); the incident page turned it into 「（脚本第 2 行）」. Now a one-line
   expression names no line, and a script with our lines ahead of it names its own line.
3. 「无」, 「暂无」 or 「/」 in a drawn form's field for a number or a day (a Camunda 7 ``long``) was 「须为整数」, as
   if a figure were mistyped. Now what our forms' amount fields say, in the field's kind: 「应为整数，不要填写“无”：
   没有的请填 0 或留空」.
4. A dict a script keyed by a number (``{2026: 5}``, JSON keys are text): 「变量「daily[2026]」…(类型
   int)」, the key said as a path step. Now 「变量「daily」的值是字典，其键「2026」不是文字…」.
5. A fresh round as a tired official types, decided by the standard:
   - a day copied from a notice or a calendar with its weekday (``2026年11月1日（星期日）``, ``2026-11-01 周日``):
     read when it is that day's; refused when it is not (``（星期一）``: which was meant?) saying which weekday
     the day is; a month without its day (``2026年11月``) refused saying the day is wanted, not read as the 1st;
   - an amount written ``RMB5,000`` (as ``￥5,000`` and ``人民币5000元`` already are);
   - a 身份证号 whose check character X (GB 11643-1999: 10 is written as the Roman numeral X) came from the
     input method as ``×``: it can be nothing else;
   - a 统一社会信用代码 copied with hyphens (``91110101-MA0000000-5``, the old 组织机构代码's ``XXXXXXXX-X``, GB
     11714): GB 32100's code is 18 digits and capitals, no hyphen, so one separates as a blank does.
   Left as they were, decided so: 「11月1日」 (no year) refused saying the year is wanted; 「O」 in a code refused
   naming it (GB 32100 uses no I, O, Z, S, V); 「5k」, 「.5万」 refused.

Real forms of bpmn/ (every field of a kind, walked as tests/test_typed_probe_s27.py walks them), the forms
drawn in tests/bpmn/interop, real models on the engine, a SQLite file and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine import ManualClock
from engine.errors import IncidentRaised
from engine.scripting import DubanScriptEngine
from tests.support import START, make_engine
from tests.test_typed_feel_lengths_s29 import PYTHON, SCRIPT, ZEEBE
from webui.labels import incident_explanation
from workflows.functions import FUNCTIONS

# 计算每日罚款 after a 填报 task: its result is refused at a completion, when the case has data to keep
AFTER_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name="按日计罚" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="inspector">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>calc</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="立案"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="填报罚款基数"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="calc" name="计算每日罚款" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="review" name="复核"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="calc" />
    <bpmn:sequenceFlow id="f3" sourceRef="calc" targetRef="review" />
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
HUGE = "超出范围的整数（绝对值须在 10 的 300 次方以内），不能保存为案件数据"
INFINITE = "的值为无穷大或非数，数据库无法保存"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for key, script in [("daily_huge", "daily = total ** 40"), ("daily_infinite", "daily = total * 1e308 * 10"),
                        ("daily_by_year", "daily = {'明细': {2026: total}}")]:
        eng.deploy(AFTER_TASK.format(key=key, script=script), by="boss", filename=f"{key}.bpmn")
    for key, expression in [("feel_product_huge", "=total * rate"), ("feel_date_one_line", "=date(name)")]:
        eng.deploy(ZEEBE.format(key=key, element=SCRIPT.format(expression=expression)), by="boss", filename=f"{key}.bpmn")
    eng.deploy(PYTHON.replace("daily = total / days", "daily = {1: total, 2: days}").replace(
        'id="fine_on_start"', 'id="python_number_keys"'), by="boss", filename="python_number_keys.bpmn")
    yield eng
    eng.dispose()


def _completed_into_incident(engine, key: str) -> tuple[str, dict, dict]:
    """(the incident's message, the case's data before, after) of 填报罚款基数 completed with 罚款基数 10^10."""
    case = engine.start(key, by="zhang", org="east", data={"note": "首次检查"})
    (task,) = engine.case(case.id).tasks
    before = engine.case(case.id).data
    with pytest.raises(IncidentRaised) as stopped:
        engine.complete(task.id, "zhang", {"total": 10 ** 10})
    after = engine.case(case.id)
    assert [t.spec_id for t in after.tasks] == ["fill"] and after.tasks[0].state == "open"
    return stopped.value.message, before, after.data


# --- 1. a result past what case data holds, in Chinese, naming the variable and the element ---------------

def test_a_script_result_past_ten_to_the_300_is_said_in_chinese_and_the_case_keeps_its_data(engine):
    """罚款基数 10^10 to the 40th power: 10^400, which no JSON reader takes as a number."""
    message, before, after = _completed_into_incident(engine, "daily_huge")
    assert message.startswith("「计算每日罚款」出错: ") and f"变量「daily」的值是{HUGE}" in message, message
    assert "类型 int" not in message
    shown = incident_explanation(message, names={"daily": "每日罚款"})
    assert shown.startswith(f"环节“计算每日罚款”出错：变量「每日罚款」的值是{HUGE}"), shown
    assert "请管理员查看错误详情" not in shown and not shown.endswith(".")
    assert after == before and "total" not in after


def test_a_script_result_that_is_infinite_names_the_element_and_the_case_keeps_its_data(engine):
    message, before, after = _completed_into_incident(engine, "daily_infinite")
    assert message.startswith("「计算每日罚款」出错: 流程写入的变量「daily」" + INFINITE), message
    assert incident_explanation(message).startswith("环节“计算每日罚款”出错：流程写入的变量" + INFINITE)
    (incident,) = [i for i in engine.incidents() if i.message == message]
    assert incident.element_id == "calc"
    assert after == before


def test_a_feel_result_past_ten_to_the_300_is_said_in_chinese_after_the_element(engine):
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("feel_product_huge", by="zhang", org="east", data={"total": 10 ** 200, "rate": 10 ** 150})
    message = stopped.value.message
    assert message.startswith("「汇总会签人员」出错: ") and f"变量「seats」的值是{HUGE}" in message, message
    assert incident_explanation(message).startswith(f"环节“汇总会签人员”出错：变量的值是{HUGE}")


# --- 2. no line of our translation in an expression's error ------------------------------------------------

def test_a_one_line_feel_expressions_error_names_no_line(engine):
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("feel_date_one_line", by="zhang", org="east", data={"name": "甲化工"})
    message = stopped.value.message
    assert "读不出日期「甲化工」" in message and "行" not in message.replace("写法", ""), message


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


@pytest.mark.parametrize("source, mode, said", [
    ("# absent-as-null: start\nd = workday_after(start, 5)", "exec", None),  # one line of its own: none
    ("# absent-as-null: start\na = 1\nd = workday_after(start, 5)", "exec", "第 2 行"),  # its own second line
    ("workday_after(start, 5)", "eval", None),
])
def test_a_line_is_said_as_the_model_wrote_it_or_not_at_all(env, source, mode, said):
    run = env.execute if mode == "exec" else env.evaluate
    for host in (True, False):  # answered in the host and by the worker alike
        env.host_helpers = host
        try:
            with pytest.raises(Exception) as failed:
                run(source, {"start": "不是日期"})
        finally:
            env.host_helpers = True
        text = " ".join([str(failed.value), *getattr(failed.value, "__notes__", [])])
        assert ("行" in text) == (said is not None) and (said is None or said in text), (host, text)


# --- 4. a dict keyed by a number -------------------------------------------------------------------------

def test_a_dict_keyed_by_a_number_is_said_in_chinese_naming_the_variable(engine):
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("python_number_keys", by="zhang", org="east", data={"total": 3000, "days": 10})
    message = stopped.value.message
    said = "变量「daily」的值是字典，其键「1」不是文字，不能保存为案件数据"
    assert message.startswith("「计算每日罚款」出错: ") and said in message and "daily[" not in message, message
    assert incident_explanation(message, names={"daily": "每日罚款"}).startswith(
        "环节“计算每日罚款”出错：变量「每日罚款」的值是字典，其键「1」不是文字"), incident_explanation(message)


def test_a_nested_dict_keyed_by_a_year_names_the_path_to_it_and_the_case_keeps_its_data(engine):
    message, before, after = _completed_into_incident(engine, "daily_by_year")
    assert "变量「daily.明细」的值是字典，其键「2026」不是文字" in message, message
    assert after == before


# --- 3. 「无」 in a drawn form's field for a number or a day -------------------------------------------------

def _drawn_fields() -> list[tuple[str, dict]]:
    """(file, field) of every field drawn in a model of tests/bpmn/interop and bpmn/ (as the deploy
    reads it: engine/dialects.normalize), of a number's, a day's or a time's kind."""
    import json
    from pathlib import Path

    from lxml import etree

    from engine import dialects
    from engine.validation import readable
    from tests.interop_support import CORPUS

    found = []
    for path in sorted([*CORPUS.glob("*.bpmn"), *(Path(__file__).parent.parent / "bpmn").glob("*.bpmn")]):
        root = dialects.normalize(etree.fromstring(readable(path.read_bytes()))).root
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.endswith("}property") and el.get("name") == "formFields":
                found += [(path.name, f) for f in json.loads(el.get("value"))
                          if (f.get("type") or "").lower() in ("long", "integer", "double", "number", "date", "datetime")
                          and not f.get("values") and not f.get("valuesFrom") and not f.get("hide")]  # hidden: not asked
    return found


DRAWN = _drawn_fields()


@pytest.mark.parametrize("typed", ["无", " 暂无 ", "/", "\u200b无"])
def test_none_typed_in_a_drawn_fields_box_for_a_figure_says_what_to_do_as_our_forms_do(typed):
    """「无」 in a Camunda 7 long field (采购金额（元）) was 「须为整数」, as if a figure were mistyped; our own
    forms' amount fields say 不要填写“无”：没有的请填 0 或留空 (4c: hinput4). Now a drawn field says it too,
    in its kind's word: 整数, 数字, 日期."""
    import json

    from engine import model_forms
    from engine.errors import InvalidData

    wrong = []
    for name, f in DRAWN:
        kind = f["type"].lower()
        what = {"long": "整数", "integer": "整数", "double": "数字", "number": "数字", "date": "日期", "datetime": "日期和时间"}[kind]
        zero = what in ("整数", "数字") and (f.get("min") is None or f["min"] <= 0)
        ways = [w for w in ("填 0" if zero else "", "" if f.get("required") else "留空") if w]
        said = f"「{f.get('label') or f['id']}」应为{what}，不要填写“无”" if typed != "/" else \
            f"「{f.get('label') or f['id']}」应为{what}，不要填写“/”"
        said += f"：没有的请{' 或'.join(ways)}" if ways else ""
        try:
            model_forms.check({"formFields": json.dumps([f])}, {f["id"]: typed})
            wrong.append((name, f["id"], "accepted"))
        except InvalidData as refused:
            if refused.errors != {f["id"]: said.replace("“无”", f"“{typed.strip().strip(chr(0x200b))}”")}:
                wrong.append((name, f["id"], refused.errors))
    assert len(DRAWN) >= 55 and not wrong, wrong[:5]


@pytest.fixture(scope="module")
def drawn(module_database_url):
    from tests.interop_support import models_engine
    yield from models_engine(module_database_url, ("camunda7_purchase.bpmn",))


def test_none_typed_in_a_camunda7_long_field_is_refused_beside_it_and_the_task_stays_open(drawn):
    from engine.errors import InvalidData

    case = drawn.start("camunda7_purchase", by="zhang", org="east")
    (task,) = drawn.case(case.id).tasks
    with pytest.raises(InvalidData) as refused:
        drawn.complete(task.id, "zhang", {"amount": "无", "urgent": "否"})
    assert refused.value.errors["amount"].startswith("「采购金额（元）」应为整数，不要填写“无”：没有的请填 0"), refused.value.errors
    assert drawn.task(task.id).state == "open" and "amount" not in drawn.case(case.id).data
    drawn.complete(task.id, "zhang", {"amount": "5,000", "urgent": "否"})
    assert drawn.case(case.id).data["amount"] == 5000


# --- 5. as a tired official types: a weekday after a day, a month without its day, RMB, ×, hyphens -------------

def _probe():
    from tests import test_typed_probe_s27 as probe
    return probe


@pytest.mark.parametrize("typed", ["2026年11月1日（星期日）", "2026-11-01 周日", "二〇二六年十一月一日(星期天)", "2026.11.1 礼拜日"])
def test_a_day_copied_with_its_own_weekday_is_that_day_in_every_date_field(typed):
    probe = _probe()
    wrong = [(k, f["name"], got) for k, f in probe.DATES
             if (got := probe._submit(k, f["name"], typed)) != probe._submit(k, f["name"], "2026-11-01")]
    assert len(probe.DATES) >= 40 and not wrong, wrong[:5]


@pytest.mark.parametrize("typed, said", [
    ("2026年11月1日（星期一）", "2026年11月1日是星期日，不是星期一；请核对日期"),
    ("2026-11-01 周三", "2026年11月1日是星期日，不是星期三；请核对日期"),
    ("2026年11月", "日期须写明哪一日，如 2026年11月1日"), ("2026-11", "日期须写明哪一日，如 2026年11月1日"),
])
def test_a_day_whose_weekday_is_anothers_or_a_month_without_its_day_is_refused_saying_why(typed, said):
    probe = _probe()
    wrong = [(k, f["name"], got) for k, f in probe._kind("date")
             if (got := probe._submit(k, f["name"], typed)) != (None, {f["name"]: said})]
    assert len(probe._kind("date")) >= 90 and not wrong, wrong[:5]


@pytest.mark.parametrize("typed, said", [
    ("2026年11月1日（星期一）", "2026年11月1日是星期日，不是星期一；请核对日期"), ("2026年11月", "须写明哪一日，如 2026年11月1日"),
])
def test_a_drawn_date_field_refuses_the_same_saying_why_after_its_label(typed, said):
    import json

    from engine import model_forms
    from engine.errors import InvalidData

    dates = [(name, f) for name, f in DRAWN if f["type"].lower() == "date"]
    wrong = []
    for name, f in dates:
        with pytest.raises(InvalidData) as refused:
            model_forms.check({"formFields": json.dumps([f])}, {f["id"]: typed})
        if refused.value.errors != {f["id"]: f"「{f.get('label') or f['id']}」{said}"}:
            wrong.append((name, refused.value.errors))
        if model_forms.check({"formFields": json.dumps([f])}, {f["id"]: "2026年11月1日（星期日）"}) != {f["id"]: "2026-11-01"}:
            wrong.append((name, "weekday"))
    assert len(dates) >= 5 and not wrong, wrong[:5]


@pytest.mark.parametrize("typed, meant", [("RMB5,000", "5000.00"), ("rmb 500万", "5000000.00"), ("ＲＭＢ５０００元", "5000.00")])
def test_an_amount_written_with_rmb_before_it_is_the_yuan_meant(typed, meant):
    probe = _probe()
    wrong = [(k, f["name"], got) for k, f in probe._kind("money") if (got := probe._submit(k, f["name"], typed)) != (meant, None)]
    assert len(probe._kind("money")) >= 10 and not wrong, wrong[:5]


def test_an_id_numbers_check_character_typed_as_the_multiplication_sign_is_x():
    """11010119900307002X: its check character is 10, which GB 11643-1999 writes as the Roman numeral X;
    an input method gives 「×」 for it. It was refused as 第18位为数字或X."""
    probe = _probe()
    fields = probe._read_by("id_number")
    wrong = [(k, f["name"], got) for k, f in fields
             if (got := probe._submit(k, f["name"], "11010119900307002×")) != ("11010119900307002X", None)]
    assert fields and not wrong, wrong


@pytest.mark.parametrize("typed", ["91110101-MA0000000-5", "9111-0101-MA00-0000-05", "９１１１０１０１－ＭＡ００００００－０５"])
def test_a_credit_code_copied_with_hyphens_is_the_registrys(typed):
    """It was 「应为18位，实际为20位」: counting hyphens GB 32100's code never holds."""
    from tests.test_typed_input_s30 import ACME
    probe = _probe()
    wrong = [(k, f["name"], got) for k, f in probe.CODES if (got := probe._submit(k, f["name"], typed)) != (ACME, None)]
    assert len(probe.CODES) >= 6 and not wrong, wrong[:5]
