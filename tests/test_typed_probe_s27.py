"""Every user-task form of every deployed process, typed as a tired official types it (录入规整, issue 15).

The walk takes the form of every user task of every model in bpmn/ (what ``build_engine`` deploys) and
types into each field, by its kind, what people really type: a day as 2026年11月1日, 2026.11.1,
20261101 or in full-width digits with a full-width space after it; an amount as 5，000，000, ５００００００,
500万元, ¥5,000,000.00 or 伍佰万; a count as 3项, ３, 3 个 or 三; a name as 阿卜杜拉・买买提 (U+30FB, U+2022
or the 间隔号 with blanks) or 欧阳 娜娜; a phone number as 0571-8888 8888 转 123; text pasted from Word
with its no-break spaces, zero-width spaces, \\r\\n line ends and smart quotes; a choice by its
shorthand through the API (重大 for 重大事故隐患, 重大事故 for the grade 重大). Each is read as meant, or
refused with a Chinese reason naming the field; never stored half-read.

Decided here: 11月1日 (no year) is refused, not read as this year — typed on 7 December about a
January deadline it means next year, typed in January about a December fact last year; 三 for a count
and 伍佰万 for an amount are read (cn2an, strict; 五万五 is 55,000: tests/test_typed_shorthand_s28.py); 3.5 for a count
is refused. Then, on SQLite and PostgreSQL, through the REST API and the page: the refusal names the
field's label and keeps everything typed; what is taken is stored as meant and shown back on the case
page as people write it (5,000,000.00).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from werkzeug.datastructures import MultiDict

from tests.ui_support import ACME, START, _password_hash, api_client, client_login, investigator_world, open_task, start_hazard
from workflows.forms import FormError, registry
from workflows.forms.fields import PersonName, _ReadBy
from workflows.forms.samples import sample
from workflows.runtime import BPMN_DIR

TODAY = dt.date(2026, 12, 7)
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _deployed_forms() -> list[str]:
    """The form (``formSchema``) of every user task of every model build_engine deploys."""
    keys: set[str] = set()
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        for task in etree.parse(str(path)).getroot().iter(f"{BPMN}userTask"):
            keys |= {p.get("value") for p in task.iter() if p.get("name") == "formSchema"}
    return sorted(keys)


FORMS = _deployed_forms()


def _fields(test) -> list[tuple[str, dict]]:
    return [(key, f) for key in FORMS for f in registry.fields(key) if test(key, f)]


def _kind(*kinds):
    return _fields(lambda key, f: f["type"] in kinds)


def _reader(key: str, name: str):
    return registry.schema(key).fields[name]


def _submit(key: str, name: str, typed):
    """(stored value, None) or (None, {field: reason}), as the engine's completion validates."""
    try:
        return registry.validate(key, {**sample(key, TODAY), name: typed}, TODAY).get(name), None
    except FormError as exc:
        return None, exc.errors


def _meant(key: str, name: str):
    return _submit(key, name, sample(key, TODAY).get(name))


def test_the_walk_covers_every_deployed_process_and_every_kind():
    processes = {p.stem for p in BPMN_DIR.glob("*.bpmn")}
    assert len(FORMS) >= 100 and len(processes) >= 12
    kinds = {f["type"] for key in FORMS for f in registry.fields(key)}
    assert kinds >= {"text", "textarea", "date", "datetime", "money", "integer", "choice", "multichoice", "names"}


# --- dates --------------------------------------------------------------------------------------------

FULL = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")


def _spellings(iso: str) -> list[str]:
    y, m, d = iso.split("-")
    mi, di = int(m), int(d)
    return [f"{y}年{mi}月{di}日", f"{y}年{m}月{d}日", f"{y}-{mi}-{di}", f"{y}/{m}/{d}", f"{y}.{mi}.{di}", f"{y}{m}{d}",
            f"{y}-{m}-{d}".translate(FULL), f"{y}年{mi}月{di}日  ", f"{y}/{m}/{d}\u3000", f"\u200b{y}-{m}-{d}\u00a0"]


DATES = [(k, f) for k, f in _kind("date") if _meant(k, f["name"])[0]]


def test_every_day_typed_as_people_write_it_is_the_day_meant():
    wrong = []
    for key, field in DATES:
        meant = _meant(key, field["name"])
        for typed in _spellings(meant[0]):
            if _submit(key, field["name"], typed) != meant:
                wrong.append((key, field["name"], typed, _submit(key, field["name"], typed)))
    assert not wrong and len(DATES) >= 40, wrong[:5]


@pytest.mark.parametrize("typed, reason", [("2026年2月30日", "2026年2月30日不是有效的日期"),
                                           ("２０２６－０２－３０", "2026年2月30日不是有效的日期"),
                                           ("11月1日", "日期须写明年份，如 2026年11月1日")])
def test_a_day_that_does_not_exist_or_has_no_year_is_refused_saying_so(typed, reason):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in _kind("date")
             if _submit(k, f["name"], typed) != (None, {f["name"]: reason})
             and reason not in (_submit(k, f["name"], typed)[1] or {}).get(f["name"], "")]
    assert not wrong, wrong[:5]


# --- amounts and counts -------------------------------------------------------------------------------

AMOUNTS = [("5,000,000", "5000000.00"), ("5，000，000", "5000000.00"), ("５００００００", "5000000.00"),
           ("500万", "5000000.00"), ("500万元", "5000000.00"), ("¥5,000,000.00", "5000000.00"),
           ("5000000元", "5000000.00"), ("0.5万", "5000.00"), ("伍佰万", "5000000.00"), ("伍佰万元整", "5000000.00"),
           ("五百万元", "5000000.00"), ("壹拾贰万叁仟肆佰伍拾陆点柒捌", "123456.78"), ("5,000,000\u200b元\u00a0", "5000000.00")]


@pytest.mark.parametrize("typed, meant", AMOUNTS)
def test_every_amount_typed_as_people_write_it_is_the_yuan_meant(typed, meant):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in _kind("money")
             if _submit(k, f["name"], typed) != (meant, None)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("typed, reason", [("－5", "金额不能为负数"), ("-5,000", "金额不能为负数"),
                                           ("十万五", "无法确定金额，请写成数字，如 55000 或 5.5万"),
                                           ("伍佰万左右", "应为金额（元），如 12,000 或 1.2万")])
def test_an_amount_that_is_no_amount_is_refused_naming_why(typed, reason):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in _kind("money")
             if _submit(k, f["name"], typed) != (None, {f["name"]: reason})]
    assert not wrong, wrong[:5]


COUNTS = [(k, f) for k, f in _kind("integer") if _submit(k, f["name"], 3) == (3, None)]


@pytest.mark.parametrize("typed", ["3", "3项", "３", "3 个", "三", "三人", "３项", "\u00a03\u200b"])
def test_every_count_typed_with_its_unit_or_in_chinese_is_the_count(typed):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in COUNTS if _submit(k, f["name"], typed) != (3, None)]
    assert not wrong and len(COUNTS) >= 10, wrong[:5]


@pytest.mark.parametrize("typed", ["3.5", "三点五", "3.5项"])
def test_a_fraction_of_a_count_is_refused(typed):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in COUNTS
             if _submit(k, f["name"], typed) != (None, {f["name"]: "应为整数"})]
    assert not wrong, wrong[:5]


# --- people: names, phone numbers, identity numbers, credit codes ------------------------------------

NAMES = _fields(lambda k, f: isinstance(_reader(k, f["name"]), PersonName))


@pytest.mark.parametrize("typed, meant", [
    ("阿卜杜拉·买买提", "阿卜杜拉·买买提"), ("阿卜杜拉\u30fb买买提", "阿卜杜拉·买买提"), ("阿卜杜拉\u2022买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉 · 买买提", "阿卜杜拉·买买提"), ("阿卜杜拉\uff65买买提", "阿卜杜拉·买买提"), ("张三 ", "张三"),
    ("欧阳 娜娜", "欧阳娜娜"), ("欧阳\u3000娜娜", "欧阳娜娜"), ("\u200b王五\u00a0", "王五"), ("John Smith", "John Smith"),
])
def test_every_name_field_stores_the_name_as_every_record_writes_it(typed, meant):
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in NAMES if _submit(k, f["name"], typed) != (meant, None)]
    assert not wrong and len(NAMES) >= 9, wrong[:5]


def test_names_typed_in_one_box_are_each_read_as_a_name():
    lists = _kind("names")
    sent = "欧阳 娜娜、阿卜杜拉\u30fb买买提；张三\u200b"
    wrong = [(k, f["name"], _submit(k, f["name"], sent)) for k, f in lists
             if _submit(k, f["name"], sent) != (["欧阳娜娜", "阿卜杜拉·买买提", "张三"], None)]
    assert lists and not wrong, wrong[:5]


def _read_by(name: str):
    return _fields(lambda k, f: isinstance(_reader(k, f["name"]), _ReadBy)
                   and _reader(k, f["name"])._read.__name__ == name)


@pytest.mark.parametrize("typed, meant", [
    ("138-0013-8000", "13800138000"), ("138 0013 8000", "13800138000"), ("+86 13800138000", "13800138000"),
    ("0571-88888888", "0571-88888888"), ("0571-8888 8888 转 123", "0571-88888888-123"),
    ("\u200b138\u00a00013\u00a08000", "13800138000"), ("１３８－００１３－８０００", "13800138000"),
])
def test_every_phone_field_stores_the_number_as_the_records_write_it(typed, meant):
    phones = _read_by("phone")
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in phones if _submit(k, f["name"], typed) != (meant, None)]
    assert len(phones) >= 2 and not wrong, wrong[:5]


def _check_char(first17: str) -> str:  # GB 11643-1999, worked out here
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


X_ID = next(f"11010119900101{n:03d}X" for n in range(1000) if _check_char(f"11010119900101{n:03d}") == "X")


@pytest.mark.parametrize("typed", [X_ID.lower(), f"{X_ID[:6]} {X_ID[6:14]} {X_ID[14:].lower()}", f"\u200b{X_ID}\u00a0"])
def test_every_id_number_field_takes_a_small_x_and_blanks(typed):
    ids = _read_by("id_number")
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in ids if _submit(k, f["name"], typed) != (X_ID, None)]
    assert ids and not wrong, wrong[:5]


CODES = _fields(lambda k, f: f.get("party_code"))


def test_every_credit_code_field_reads_a_pasted_code_and_refuses_a_wrong_check_character_gb_32100_2015():
    wrong = []
    for key, field in CODES:
        if _submit(key, field["name"], "\u200b9111 0101 ma00 0000 05\u00a0") != (ACME, None):
            wrong.append((key, field["name"], "pasted"))
        if _submit(key, field["name"], ACME[:17] + "6") != (None, {field["name"]: "统一社会信用代码校验位不正确，请核对第18位"}):
            wrong.append((key, field["name"], "check character"))
    assert len(CODES) >= 6 and not wrong, wrong


# --- text pasted from Word, and choices -----------------------------------------------------------------

TEXTS = _fields(lambda k, f: f["type"] in ("text", "textarea") and not f.get("party_code")
                and not isinstance(_reader(k, f["name"]), (_ReadBy, PersonName)))


def test_text_pasted_from_word_is_kept_without_what_nobody_sees():
    """No-break spaces around it and zero-width spaces dropped, \\r\\n (what a browser sends for a text
    area's lines) one line end, smart quotes kept as typed."""
    typed = "\u00a0检查发现“动火作业票”未签字\r\n第二\u200b项\ufeff：阀门泄漏\u00a0"
    wrong = [(k, f["name"], _submit(k, f["name"], typed)) for k, f in TEXTS
             if _submit(k, f["name"], typed) != ("检查发现“动火作业票”未签字\n第二项：阀门泄漏", None)]
    assert len(TEXTS) >= 150 and not wrong, wrong[:5]


CHOICES = _kind("choice")


def test_a_choice_sent_with_blanks_or_unseen_characters_or_full_width_is_the_choice():
    wrong = []
    for key, field in CHOICES:
        meant = _meant(key, field["name"])
        if meant[1] or meant[0] is None:
            continue
        for sent in (f" {meant[0]}\u3000", f"\u200b{meant[0]}", meant[0].translate(FULL)):
            if _submit(key, field["name"], sent) != meant:
                wrong.append((key, field["name"], sent))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("form, name, sent, meant", [
    ("tipoff.classify", "tipoff_category", "重大", "重大事故隐患"),
    ("tipoff.reward", "concealed_accident_grade", "重大事故", "重大"),
    ("accident_supervision.list", "supervision_level", "省级", "省级挂牌督办"),
    ("hazard.register", "source", "监督检查", "监督检查发现"),
])
def test_a_choice_named_by_its_shorthand_is_the_choice(form, name, sent, meant):
    data = {**sample(form, TODAY), name: sent}
    try:
        got = registry.validate(form, data, TODAY).get(name)
    except FormError as exc:
        got = exc.errors
    assert got == meant


def test_a_choice_that_names_none_is_refused_naming_the_choices():
    wrong = []
    for key, field in CHOICES:
        got = _submit(key, field["name"], "随便")
        if got != (None, {field["name"]: "应为以下之一：" + "、".join(field["choices"])}):
            wrong.append((key, field["name"], got))
    assert not wrong, wrong[:5]


# --- through the REST API and the page, stored on SQLite and PostgreSQL -----------------------------

world = investigator_world("typed-probe")


def test_the_api_names_the_label_keeps_the_task_open_then_stores_what_was_meant(world):
    eng = world.engine
    case = eng.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
    task = open_task(eng, case.id, "receive")
    client = api_client(world.app, eng, "zhou")
    now = eng.clock.now()
    typed = {**sample("accident.receive", START.date(), now), "deaths": "三", "serious_injuries": "３ 人",
             "minor_injuries": "2项", "direct_loss": "五万左右", "enterprise_name": "\u00a0甲化工有限公司\u200b",
             "credit_code": "９１１１ ０１０１ ｍａ００ ００００ ０５", "category": " 工矿商贸\u3000", "local_level": "县",
             "summary": "反应釜“超压”爆炸\r\n造成3人死亡"}
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": typed})
    body = refused.get_json()
    assert refused.status_code == 422, body
    assert body["errors"] == {"direct_loss": "应为金额（元），如 12,000 或 1.2万",
                              "local_level": "应为以下之一：县级、设区的市、省级、国务院"}
    assert "「直接经济损失（元）」应为金额" in body["message"] and "「本级人民政府层级」应为以下之一" in body["message"]
    assert eng.task(task.id).state == "open" and "direct_loss" not in eng.case(case.id).data
    done = client.post(f"/api/tasks/{task.id}/complete",
                       json={"data": {**typed, "direct_loss": "伍佰万元", "local_level": "县级"}})
    assert done.status_code == 200, done.get_json()
    data = eng.case(case.id).data
    assert (data["deaths"], data["serious_injuries"], data["minor_injuries"], data["direct_loss"]) == (3, 3, 2, "5000000.00")
    assert (data["enterprise_name"], data["credit_code"], data["category"]) == ("甲化工有限公司", ACME, "工矿商贸")
    assert data["summary"] == "反应釜“超压”爆炸\n造成3人死亡"
    assert data["accident_grade"] == "较大"  # 3 deaths (《生产安全事故报告和调查处理条例》第三条)
    html = client_login(world.app, "qian").get(f"/cases/{case.id}").get_data(as_text=True)
    shown = html[html.index('id="case-data"'):]
    row = shown[shown.index('data-key="direct_loss"'):]
    assert "5,000,000.00" in row[:row.index("</tr>")]


def test_the_page_refuses_a_day_that_does_not_exist_beside_its_label_keeping_every_value(world):
    eng = world.engine
    case = start_hazard(eng)
    task = open_task(eng, case.id, "register")
    client = client_login(world.app, "zhang")
    typed = {"source": "监督检查发现", "enterprise_name": "甲化工有限公司 ", "credit_code": "9111 0101 ma00 0000 05",
             "sector": "危化", "location": "储罐区\u3000", "description": "“可燃气体报警装置”失效\r\n未设置防火堤",
             "found_on": "2026年2月30日", "fix_deadline": "２０２６年１２月３０日"}
    page = client.post(f"/tasks/{task.id}", data=MultiDict([*typed.items(), ("_csrf", client.csrf)]))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "2026年2月30日不是有效的日期" in html and "发现日期" in html
    for value in ("2026年2月30日", "9111 0101 ma00 0000 05", "２０２６年１２月３０日", "甲化工有限公司"):
        assert f'value="{value}' in html, value
    assert "可燃气体报警装置" in html and eng.task(task.id).state == "open"
    page = client.post(f"/tasks/{task.id}", data=MultiDict([*{**typed, "found_on": "2026.11.20"}.items(),
                                                            ("_csrf", client.csrf)]))
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    data = eng.case(case.id).data
    assert (data["found_on"], data["fix_deadline"], data["credit_code"], data["location"]) == \
        ("2026-11-20", "2026-12-30", ACME, "储罐区")
    assert data["description"] == "“可燃气体报警装置”失效\n未设置防火堤"


def test_the_api_reads_a_name_phone_and_id_number_as_typed_at_a_12350_desk(world):
    eng = world.engine
    eng.directory.add_user("he", org="east", roles=["intake"], name="何受理", password_hash=_password_hash())
    case = eng.start("tipoff_12350", by="he", org="east", party=ACME, title="12350举报")
    task = next(t for t in eng.case(case.id).tasks if t.form_key == "tipoff.intake")
    client = api_client(world.app, eng, "he")
    typed = {**sample("tipoff.intake", START.date()), "whistleblower_name": "阿卜杜拉\u30fb买买提 ",
             "whistleblower_phone": "0571-8888 8888 转 123", "whistleblower_id_number": X_ID[:-1] + "0",
             "channel": "１２３５０电话"}
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": typed})
    assert refused.status_code == 422
    assert "「举报人身份证号」身份证号校验码不符" in refused.get_json()["message"]
    done = client.post(f"/api/tasks/{task.id}/complete",
                       json={"data": {**typed, "whistleblower_id_number": f"{X_ID[:6]} {X_ID[6:14]} {X_ID[14:].lower()}"}})
    assert done.status_code == 200, done.get_json()
    data = eng.case(case.id).data
    assert (data["whistleblower_name"], data["whistleblower_phone"], data["whistleblower_id_number"], data["channel"]) == \
        ("阿卜杜拉·买买提", "0571-88888888-123", X_ID, "12350电话")


def test_no_message_shown_to_a_person_carries_an_english_word_or_a_field_name():
    """The reasons the walk met are Chinese; none names a field by its variable name."""
    names = {f["name"] for key in FORMS for f in registry.fields(key)}
    reasons = set()
    for key, field in _kind("money", "integer", "date"):
        for typed in ("十万五", "五万五元", "3.5", "2026年2月30日", "随便"):
            reasons |= set((_submit(key, field["name"], typed)[1] or {}).values())
    assert reasons
    assert not [r for r in reasons if re.search(r"[A-Za-z]{3,}", r) or any(n in r for n in names if "_" in n)]


# --- the admin pages that take typed values: 规则配置, 节假日日历, 用户, 一企一档 import -----------------

@pytest.mark.parametrize("rule, typed, meant", [
    ("hearing.large_fine_unit", "伍万元整", 50000), ("hearing.large_fine_unit", "５０，０００", 50000),
    ("hearing.large_fine_unit", "\u200b5万元\u00a0", 50000), ("hazard.plan_due_days", "十五天", 15),
    ("hazard.plan_due_days", "１５天", 15), ("hazard.plan_due_days", "15 日", 15),
])
def test_the_rules_page_reads_a_figure_as_the_forms_read_it(rule, typed, meant):
    """规则配置 (workflows/rules.check_value): the forms' money and count readers, one per kind."""
    from workflows import rules
    assert rules.check_value(rules.RULES[rule], typed) == meant


@pytest.mark.parametrize("rule, typed, says", [
    ("hearing.large_fine_unit", "五万左右", "应为金额"), ("hearing.large_fine_unit", "十万五", "无法确定金额"),
    ("hazard.plan_due_days", "半个月", "应为整数（"),
    ("hazard.plan_due_days", "1,5", "分隔符应每三位一组"), ("hazard.plan_due_days", "3.5天", "应为整数（"),
])
def test_the_rules_page_refuses_what_is_no_figure_naming_the_rule(rule, typed, says):
    from workflows import rules
    with pytest.raises(ValueError) as refused:
        rules.check_value(rules.RULES[rule], typed)
    assert rules.RULES[rule].label in str(refused.value) and says in str(refused.value)


def test_the_holiday_calendar_reads_the_notice_as_the_state_council_writes_it():
    """《国务院办公厅关于2027年部分节假日安排的通知》 writes 「1月1日至3日放假」「2月15日（星期日）上班」:
    the page's 年份 is the year of each day typed without one (never guessed: the notice's own)."""
    from workflows.calendar import parse_days
    days = parse_days("1月1日至3日、１０月１日至７日\u200b", "法定节假日", 2027)
    assert [d.isoformat() for d in days][:3] == ["2027-01-01", "2027-01-02", "2027-01-03"] and len(days) == 10
    assert [d.isoformat() for d in parse_days("2月15日（星期日）、2027年2月28日(星期六)", "调休上班日", 2027)] == \
        ["2027-02-15", "2027-02-28"]
    with pytest.raises(ValueError, match="法定节假日中不是有效的日期：2月30日"):
        parse_days("2月30日", "法定节假日", 2027)
    with pytest.raises(ValueError, match="无法识别的日期：1月1日"):
        parse_days("1月1日", "法定节假日")  # no year on the page: not guessed


def test_a_users_name_is_written_as_every_record_writes_it():
    from workflows.forms.fields import name_as_written
    assert [name_as_written(t) for t in ("欧阳 娜娜 ", "阿卜杜拉\u30fb买买提", "\u200b张三", "John Smith")] == \
        ["欧阳娜娜", "阿卜杜拉·买买提", "张三", "John Smith"]


def test_the_enterprise_import_reads_days_and_phones_typed_as_text_in_xlsx_cells(world, tmp_path):
    """一企一档 imported from an .xlsx whose cells a clerk formatted as text: 最近检查日期 typed
    「２０２６年１１月１日」 or 「2026.11.1」, phones 「138-0013-8000」 and 「0571-8888 8888 转 123」, a code and a
    sector with a zero-width space, 法定代表人 「欧阳 娜娜」; stored as every record writes them, on SQLite and PostgreSQL. 「2026年2月30日」 is
    refused naming its row, column and reason, and nothing of the file is stored."""
    import openpyxl

    from webui import parties
    from workflows.enterprises.credit_code import complete
    from workflows.enterprises.spreadsheet import COLUMNS, import_enterprises
    headers = [h for _, h in COLUMNS]
    codes = [complete("91330100MA2B0C1D" + n) for n in "23"]

    def write(rows):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(headers)
        for values in rows:
            sheet.append([values.get(attr, "") for attr, _ in COLUMNS])
        path = tmp_path / f"import{len(list(tmp_path.iterdir()))}.xlsx"
        book.save(path)
        return path

    rows = [{"credit_code": "\u200b" + codes[0].lower(), "name": "杭州甲化工有限公司", "org_unit": "east", "sector": "危化\u200b",
             "size": "小型", "legal_rep_phone": "138-0013-8000", "last_inspected_on": "２０２６年１１月１日",
             "legal_rep": "欧阳 娜娜", "safety_manager": "阿卜杜拉\u30fb买买提"},
            {"credit_code": codes[1], "name": "杭州乙机械有限公司", "org_unit": "east", "sector": "工贸", "size": "小型",
             "safety_manager_phone": "0571-8888 8888 转 123", "last_inspected_on": "2026.11.1"}]
    with world.app.app_context():
        registry = parties.registry()
        bad = import_enterprises(registry, write([rows[0], {**rows[1], "last_inspected_on": "2026年2月30日"}]), by="admin")
        assert not bad.ok and [(e.line, e.field, e.message) for e in bad.errors] == \
            [(3, "最近检查日期", "2026年2月30日不是有效的日期")]
        assert registry.get(codes[0]) is None
        report = import_enterprises(registry, write(rows), by="admin")
        assert report.ok and report.created == 2, [str(e) for e in report.errors]
        first, second = registry.get(codes[0]), registry.get(codes[1])
    assert (first.legal_rep_phone, first.last_inspected_on) == ("13800138000", dt.date(2026, 11, 1))
    assert (first.legal_rep, first.safety_manager, first.sector.value) == ("欧阳娜娜", "阿卜杜拉·买买提", "危化")
    assert (second.safety_manager_phone, second.last_inspected_on) == ("0571-88888888-123", dt.date(2026, 11, 1))
