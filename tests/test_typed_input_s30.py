"""Data typed the way a tired official types it, round 4 (录入规整, issue 15).

1. Digits of another script. Python's ``\\d``, ``str.isdigit()`` and ``int()`` take every script's digits:
   a 联系电话 ``010-٦٢٣٤٥٦٧٨`` (Arabic-Indic, as an input method or a pasted page gives them) was stored,
   a number nobody dials; ``٢٠٢٦-١١-٠١`` was read as 2026-11-01 and ``٥٠٠٠`` as 5000 unseen; a
   15-digit 身份证号 of such digits passed a 统一社会信用代码 box. Now ASCII and full-width digits are read
   (full-width folded to ASCII) and any other is refused beside the field: 「含有无法识别的数字“٦”，数字请用
   0–9 填写」 — our forms, the REST API, the page, forms drawn in a model and the enterprise registry alike.
2. One reader of a number (``engine/typed_input.number_text``): a Flowable call activity's ``targetType``
   conversion (engine/flowable_types.py) read 「5,000,000」 but not 「五万五」 (55,000), 「伍仟元」 or
   「三」, which our forms and forms drawn in a model read; it refused them as no number at all.
3. A function's argument that cannot be handed to it (a number past 10^300, which a figure typed with
   extra zeros makes) was named 「变量「duban_feel_collection[2]」」 — a name of ours, an index that
   counts the FEEL function's name — and the incident page showed only 「流程执行出错…请管理员查看错误详情」.
   Now 「函数「append」的第2个参数是超出范围的整数…」 after the element's name.

Real forms of bpmn/ (every field of a kind, walked as tests/test_typed_probe_s27.py walks them), real
models (tests/bpmn/interop), the served REST API and the page, a SQLite file and PostgreSQL.
"""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from engine.errors import IncidentRaised, InvalidData
from engine.typed_input import SPOKEN_UNCLEAR
from tests.interop_support import CORPUS, models_engine, open_tasks_data
from tests.test_typed_feel_lengths_s29 import SCRIPT, ZEEBE
from tests.test_typed_probe_s27 import CODES, _fields, _kind, _read_by, _reader, _submit
from tests.ui_support import ACME, START, api_client, client_login, investigator_world, open_task, start_hazard
from webui.labels import incident_explanation
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete
from workflows.forms.fields import PartyName
from workflows.forms.samples import sample

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # Arabic-Indic digits, U+0660–U+0669
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def _refused_for_digits(kind_fields, typed: str) -> list:
    """The fields of ``kind_fields`` that do not refuse ``typed`` saying its digit is not 0–9."""
    first = next(ch for ch in typed if not ch.isascii() and ch.isdigit())
    said = f"含有无法识别的数字“{first}”，数字请用 0–9 填写"
    return [(k, f["name"], got) for k, f in kind_fields
            if (got := _submit(k, f["name"], typed)) != (None, {f["name"]: said})]


# --- 1. digits of another script, every field of every form ----------------------------------------------

@pytest.mark.parametrize("kind, typed", [
    ("money", "5000".translate(ARABIC)), ("money", "5,000元".translate(ARABIC)), ("money", "500万".translate(DEVANAGARI)),
    ("integer", "3".translate(ARABIC)), ("integer", "3人".translate(DEVANAGARI)),
    ("date", "2026-11-01".translate(ARABIC)), ("date", "2026年11月1日".translate(DEVANAGARI)),
    ("datetime", "2026-11-01 09:30".translate(ARABIC)), ("datetime", "2026年11月1日 9:30".translate(DEVANAGARI)),
])
def test_a_figure_typed_in_another_scripts_digits_is_refused_in_every_field_of_its_kind(kind, typed):
    fields = _kind(kind)
    wrong = _refused_for_digits(fields, typed)
    assert len(fields) >= 5 and not wrong, wrong[:5]


@pytest.mark.parametrize("reader, typed", [
    ("phone", "010-" + "62345678".translate(ARABIC)), ("phone", "010-62345678".translate(ARABIC)), ("phone", "13800138000".translate(ARABIC)),
    ("phone", "62345678".translate(DEVANAGARI)), ("id_number", "110101900101123".translate(ARABIC)),
])
def test_a_phone_or_id_number_in_another_scripts_digits_is_refused_not_stored(reader, typed):
    """``010-٦٢٣٤٥٦٧٨`` was stored as typed; a mobile's were refused only as no phone number at all."""
    fields = _read_by(reader)
    wrong = _refused_for_digits(fields, typed)
    assert fields and not wrong, wrong[:5]


def test_a_credit_code_box_refuses_a_15_digit_id_number_of_arabic_indic_digits():
    typed = "110101900101123".translate(ARABIC)
    wrong = _refused_for_digits(CODES, typed)
    assert len(CODES) >= 6 and not wrong, wrong[:5]


def test_the_enterprise_registry_refuses_a_phone_number_of_arabic_indic_digits():
    from workflows.enterprises.schemas import EnterpriseSchema
    row = {"credit_code": ACME, "name": "甲化工有限公司", "org_unit": "east", "sector": "危化", "size": "小型",
           "legal_rep_phone": "010-" + "62345678".translate(ARABIC)}  # was stored: \d took the digits
    errors = EnterpriseSchema().validate(row)
    assert errors.get("legal_rep_phone") == ["电话号码格式不正确（手机11位，或区号-号码）"], errors
    assert "legal_rep_phone" not in EnterpriseSchema().validate({**row, "legal_rep_phone": "１３８ ００１３ ８０００"})


# --- 4. what else a tired official types: 「无」, a year of two digits, a unit's brackets -------------------------

@pytest.mark.parametrize("kind, what", [("money", "金额"), ("integer", "整数"), ("date", "日期"), ("datetime", "时间")])
def test_none_typed_in_a_box_for_a_figure_is_refused_saying_what_to_do_not_that_it_is_no_figure(kind, what):
    """「无」 (or 「/」) where a 直接经济损失, a 死亡人数 or a 复查日期 has none was told 应为金额（元），如 12,000…: as
    if the clerk had mistyped a number. Now: 不要填写“无”, and what to do — 填 0 where 0 is an answer,
    留空 where the field may be left empty."""
    wrong = []
    for key, field in _kind(kind):
        for typed in ("无", " 暂无 ", "/"):
            got = _submit(key, field["name"], typed)
            said = (got[1] or {}).get(field["name"], "")
            if got[0] is not None or not said.startswith(f"应为{what}，不要填写“{typed.strip()}”"):
                wrong.append((key, field["name"], typed, got))
            elif ("留空" in said) == bool(field["required"]) or ("填 0" in said) != (kind in ("money", "integer")
                                                                                     and _zero_is_an_answer(key, field)):
                wrong.append((key, field["name"], typed, said))
    assert not wrong, wrong[:5]


def _zero_is_an_answer(key: str, field: dict) -> bool:
    """0 is a count or an amount the field takes (死亡人数: 0), not one below its least (案卷册数: 1 or more)."""
    from marshmallow import validate
    return not any(isinstance(v, validate.Range) and (v.min or 0) > 0 for v in _reader(key, field["name"]).validators)


@pytest.mark.parametrize("typed", ["26/11/1", "26年11月1日", "26.11.1", "1/11/26"])
def test_a_day_with_a_two_digit_year_is_refused_saying_the_year_has_four_digits(typed):
    """26/11/1: 2026-11-01, 2001-11-26 or 2026-01-11? Refused, never guessed, saying how to write it."""
    said = f"年份须写全四位，如 2026年11月1日（“{typed}”可读作不同的年月日）"
    wrong = [(k, f["name"], got) for k, f in _kind("date") if (got := _submit(k, f["name"], typed)) != (None, {f["name"]: said})]
    assert len(_kind("date")) >= 90 and not wrong, wrong[:5]


UNITS = _fields(lambda k, f: f["name"] in ("enterprise_name", "responsible_unit", "power_supplier"))


@pytest.mark.parametrize("typed, meant", [
    ("甲化工(北京)有限公司", "甲化工（北京）有限公司"), ("\u200b甲化工 （北京） 有限公司\u00a0", "甲化工（北京）有限公司"),
])
def test_every_unit_name_field_writes_a_chinese_names_brackets_as_the_registry_does(typed, meant):
    """生产经营单位名称, 事故发生单位, 被举报单位, 责任单位, 供电企业: 「甲化工(北京)有限公司」 and 「甲化工（北京）有限公司」
    were two names of one enterprise in the records."""
    wrong = [(k, f["name"], got) for k, f in UNITS if (got := _submit(k, f["name"], typed)) != (meant, None)
             or _submit(k, f["name"], "ACME (China) Co., Ltd.") != ("ACME (China) Co., Ltd.", None)]  # a Latin name's kept
    assert len(UNITS) >= 8 and not wrong, wrong[:5]


def test_a_party_that_is_a_unit_writes_its_brackets_as_the_registry_does():
    parties = _fields(lambda k, f: isinstance(_reader(k, f["name"]), PartyName))
    wrong = [(k, f["name"], got) for k, f in parties
             if (got := _submit(k, f["name"], "甲化工(北京)有限公司")) != ("甲化工（北京）有限公司", None)]
    assert parties and not wrong, wrong


# --- through the REST API and the page, SQLite and PostgreSQL ------------------------------------------------

world = investigator_world("typed-s30")


def test_the_api_refuses_arabic_indic_digits_naming_each_label_and_keeps_the_task_open(world):
    eng = world.engine
    case = eng.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
    task = open_task(eng, case.id, "receive")
    client = api_client(world.app, eng, "zhou")
    typed = {**sample("accident.receive", START.date(), eng.clock.now()), "deaths": "٣", "direct_loss": "٥٠٠٠",
             "credit_code": "110101900101123".translate(ARABIC)}
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": typed})
    body = refused.get_json()
    assert refused.status_code == 422, body
    said = "含有无法识别的数字“{}”，数字请用 0–9 填写"
    assert body["errors"] == {"deaths": said.format("٣"), "direct_loss": said.format("٥"), "credit_code": said.format("١")}
    assert "「直接经济损失（元）」含有无法识别的数字" in body["message"], body["message"]
    assert eng.task(task.id).state == "open" and "direct_loss" not in eng.case(case.id).data
    done = client.post(f"/api/tasks/{task.id}/complete",
                       json={"data": {**typed, "deaths": "３", "direct_loss": "五万五", "credit_code": "９１１１０１０１ｍａ０００００００５"}})
    assert done.status_code == 200, done.get_json()
    data = eng.case(case.id).data
    assert (data["deaths"], data["direct_loss"], data["credit_code"]) == (3, "55000.00", ACME)


def test_the_page_refuses_a_day_in_arabic_indic_digits_beside_its_label_keeping_what_was_typed(world):
    eng = world.engine
    case = start_hazard(eng)
    task = open_task(eng, case.id, "register")
    client = client_login(world.app, "zhang")
    found_on = "2026-11-20".translate(ARABIC)
    typed = {"source": "监督检查发现", "enterprise_name": "甲化工有限公司", "credit_code": ACME, "sector": "危化",
             "location": "储罐区", "description": "可燃气体报警装置失效", "found_on": found_on, "fix_deadline": "2026年12月30日"}
    page = client.post(f"/tasks/{task.id}", data=MultiDict([*typed.items(), ("_csrf", client.csrf)]))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "含有无法识别的数字“٢”，数字请用 0–9 填写" in html and "发现日期" in html
    assert f'value="{found_on}"' in html and eng.task(task.id).state == "open"


BRACKETED = complete("91110101MA0J2K001")


def test_the_start_page_finds_the_party_typed_with_half_width_brackets(world):
    """发起案件's 当事企业 typed 「东城宏达(北京)机械有限公司」 for the registered 「东城宏达（北京）机械有限公司」
    was refused: 未找到名为…的企业. It is that enterprise."""
    EnterpriseRegistry(world.engine.db.engine, clock=world.clock.now).add(
        {"credit_code": BRACKETED, "name": "东城宏达（北京）机械有限公司", "org_unit": "east", "sector": "工贸", "size": "小型"},
        by="seed")
    client = client_login(world.app, "zhang")
    form = {"_csrf": client.csrf, "process": "hazard_supervision", "title": "宏达二号车间隐患"}
    response = client.post("/cases/new", data={**form, "party": "东城宏达(北京)机械有限公司 "})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    case = world.engine.case(int(response.location.rsplit("/", 1)[1]))
    assert case.party == BRACKETED


# --- forms drawn in a model: the same refusal after the field's label ----------------------------------------

@pytest.fixture(scope="module")
def drawn(module_database_url):
    yield from models_engine(module_database_url, ("camunda7_purchase.bpmn", "flowable_call_types_child.bpmn",
                                                   "flowable_call_types_typed_parent.bpmn"))


def test_a_camunda7_long_field_refuses_arabic_indic_digits_after_its_label(drawn):
    case = drawn.start("camunda7_purchase", by="zhang", org="east")
    (task,) = drawn.case(case.id).tasks
    with pytest.raises(InvalidData) as refused:
        drawn.complete(task.id, "zhang", {"amount": "٥٠٠٠", "urgent": "否"})
    assert refused.value.errors == {"amount": "「采购金额（元）」含有无法识别的数字“٥”，数字请用 0–9 填写"}
    assert drawn.task(task.id).state == "open" and "amount" not in drawn.case(case.id).data


# --- 2. a Flowable call activity's targetType reads a number as our forms read it ---------------------------

TYPED = {"fineAmount": "5,000,000", "copies": "５", "handedOnSite": "是", "decidedOn": "2026年12月1日"}


@pytest.mark.parametrize("amount, copies, meant", [("五万五", "三", (55000, 3)), ("伍仟元", "五", (5000, 5)),
                                                   ("1万5", "２", (15000, 2))])
def test_a_flowable_call_activity_converts_an_amount_in_spoken_shorthand_or_numerals_to_long(drawn, amount, copies, meant):
    """罚款决定转换交办 (《行政处罚法》第六十一条 送达): 「五万五」 typed for the fine is 55,000 in the child, as
    our forms and a drawn form's long field read it; it stopped the case as 「无法转换」."""
    case = drawn.start("flowable_call_types_typed_parent", by="zhang", org="east",
                       data={**TYPED, "fineAmount": amount, "copies": copies}).id
    (seen,) = open_tasks_data(drawn, case, "sid-deliver")
    assert (seen["fineAmount"], seen["copies"]) == meant
    assert seen["fineText"] == amount  # the string mapping passes it as typed


@pytest.mark.parametrize("field, typed, said", [
    ("fineAmount", "十万五", SPOKEN_UNCLEAR),
    ("fineAmount", "1,5", "无法确定数值：分隔符应每三位一组"),
    ("copies", "٣", "含有无法识别的数字“٣”，数字请用 0–9 填写"),
    ("decidedOn", "2026-12-01".translate(ARABIC), "含有无法识别的数字“٢”，数字请用 0–9 填写"),
])
def test_a_call_activity_value_the_reader_refuses_says_why_after_the_variable(drawn, field, typed, said):
    with pytest.raises(IncidentRaised) as stopped:
        drawn.start("flowable_call_types_typed_parent", by="zhang", org="east", data={**TYPED, field: typed})
    message = str(stopped.value)
    assert f"的输入变量「{field}」要求转换为" in message and said in message, message


# --- 3. a function's argument that cannot be handed to it, named as the model wrote the call -----------------

@pytest.fixture(scope="module")
def feel(module_database_url):
    from tests.support import make_engine
    eng = make_engine(module_database_url)
    for key, expression in [("feel_append_huge", "=append(amounts, total * rate)"),
                            ("feel_sum_huge", "=sum([total * rate, 1])"), ("feel_sum_result", "=sum(fines)")]:
        eng.deploy(ZEEBE.format(key=key, element=SCRIPT.format(expression=expression)), by="boss", filename=f"{key}.bpmn")
    yield eng
    eng.dispose()


@pytest.mark.parametrize("key, said", [
    ("feel_append_huge", "函数「append」的第2个参数是超出范围的整数（绝对值须在 10 的 300 次方以内），无法交给函数计算"),
    ("feel_sum_huge", "函数「sum」的第1个参数中的一项是超出范围的整数（绝对值须在 10 的 300 次方以内），无法交给函数计算"),
    ("feel_sum_result", "函数「sum」的结果是超出范围的整数（绝对值须在 10 的 300 次方以内），无法保存"),
])
def test_an_argument_that_cannot_be_handed_to_a_feel_function_is_named_by_the_function_not_ours(feel, key, said):
    """A figure typed with extra zeros (10^200 times 10^150) handed to FEEL's ``append``/``sum``, or a sum
    past 10^300: the incident names the function and its argument (or its result) as the model wrote
    the call, after the element — not 「变量「duban_feel_collection[2]」」 nor 「变量「duban_feel_sum」」."""
    with pytest.raises(IncidentRaised) as stopped:
        feel.start(key, by="zhang", org="east", data={"amounts": [1], "total": 10 ** 200, "rate": 10 ** 150,
                                                      "fines": [9 * 10 ** 299, 9 * 10 ** 299]})
    message = stopped.value.message
    assert said in message and "duban_" not in message and "变量「" not in message, message
    shown = incident_explanation(message)
    assert shown.startswith("环节“汇总会签人员”出错：" + said), shown
    assert "请管理员查看错误详情" not in shown


def test_a_scripts_range_handed_to_a_function_is_named_in_chinese():
    from engine import restricted
    with pytest.raises(restricted.HelperArgumentError) as refused:
        restricted.encode_arguments("duban_feel_collection", ("append", [], range(3)), {})
    assert str(refused.value).startswith("函数「append」的第2个参数是数列，无法交给函数计算"), str(refused.value)
    with pytest.raises(restricted.HelperArgumentError) as refused:
        restricted.encode_arguments("add_workdays", ("2026-11-01",), {"days": {1, 2}})
    assert str(refused.value).startswith("函数「add_workdays」的参数「days」是集合"), str(refused.value)
