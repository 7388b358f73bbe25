"""The leftovers of the typed probe (录入规整, issue 15): spoken money shorthand, examples people
recognise in the errors, a 当事人 typed with blanks, and the one reader of a 姓名.

Decided here: 「五万五」 is 55,000 — one digit after a unit counts the next lower unit (一万五 = 15,000,
三千五 = 3,500, 两百五 = 250, 一亿五 = 1.5亿); 50,005 is written 五万零五, so nobody typing 五万五 means it
(engine/typed_input.spoken_amount). Where the shorthand could say two things it is refused saying how
to write it (「十万五」: 10.5万 or 一百五十万?; 「五万五元」; 「1万50」). A 当事人 of two to four Chinese
characters with a blank between them is a person (「张　三」 → 张三); a unit's name is trimmed and its
blanks one blank each. Through the REST API and the page, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from engine import typed_input
from tests.ui_support import START, api_client, client_login, investigator_world, open_task
from workflows.forms import FormError, registry
from workflows.forms.samples import sample

TODAY = dt.date(2026, 12, 7)
SPOKEN_UNCLEAR = "无法确定金额，请写成数字，如 55000 或 5.5万"


def _submit(key: str, name: str, typed):
    """(stored value, None) or (None, {field: reason}), as the engine's completion validates."""
    try:
        return registry.validate(key, {**sample(key, TODAY), name: typed}, TODAY).get(name), None
    except FormError as exc:
        return None, exc.errors


@pytest.fixture(scope="module")
def money_fields():
    """Every money field of every user task's form of every model build_engine deploys."""
    from tests.test_typed_probe_s27 import FORMS
    fields = [(key, f["name"]) for key in FORMS for f in registry.fields(key) if f["type"] == "money"]
    assert len(fields) >= 8
    return fields


@pytest.mark.parametrize("typed, meant", [
    ("五万五", "55000.00"), ("一万五", "15000.00"), ("三千五", "3500.00"), ("两万五", "25000.00"),
    ("两百五", "250.00"), ("一亿五", "150000000.00"), ("十五万五", "155000.00"), ("五万五千五", "55500.00"),
    ("伍万伍", "55000.00"), ("1万5", "15000.00"), ("１万５", "15000.00"), ("12万5", "125000.00"),
    ("1万5千", "15000.00"), ("1万5000", "15000.00"), ("1万5千元", "15000.00"),
    ("￥五万五", "55000.00"), ("\u200b五万五\u3000", "55000.00"),
])
def test_money_spoken_shorthand_is_the_amount_it_says_in_every_money_field(money_fields, typed, meant):
    wrong = [(k, n, _submit(k, n, typed)) for k, n in money_fields if _submit(k, n, typed) != (meant, None)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("typed", ["十万五", "一百万五", "五万五元", "1万50", "1万500", "1.5万5"])
def test_money_shorthand_that_could_say_two_amounts_is_refused_saying_how_to_write_it(money_fields, typed):
    wrong = [(k, n, _submit(k, n, typed)) for k, n in money_fields
             if _submit(k, n, typed) != (None, {n: SPOKEN_UNCLEAR})]
    assert not wrong, wrong[:5]


def test_errors_give_examples_people_write_an_amount_and_a_day():
    assert _submit("accident.receive", "direct_loss", "伍佰万左右") == \
        (None, {"direct_loss": "应为金额（元），如 12,000 或 1.2万"})
    assert _submit("enforcement.payment", "paid_on", "下月初") == \
        (None, {"paid_on": "应为日期，如 2026年11月1日 或 2026-11-01"})  # 2026年11月: 须写明哪一日 (s31)
    with pytest.raises(ValueError, match="生效日期格式有误，请写成 2026年11月1日 或 2026-11-01 这样的日期"):
        typed_input.iso_day("明年", "生效日期")


@pytest.mark.parametrize("typed, meant", [
    ("张　三", "张三"), ("欧阳 娜娜", "欧阳娜娜"), (" 张 三 丰 ", "张三丰"), ("\u3000李\u00a0四 ", "李四"),
    (" 某某化工  有限公司 ", "某某化工 有限公司"), ("某某化工　 有限公司", "某某化工 有限公司"),
    ("ACME  Chemical\u3000Co., Ltd.", "ACME Chemical Co., Ltd."),
])
def test_a_party_is_a_persons_name_joined_or_a_units_name_trimmed(typed, meant):
    assert _submit("enforcement.intake", "party_name", typed) == (meant, None)


def test_one_reader_of_a_persons_name_for_forms_users_and_assignment():
    """engine/typed_input.person_name: what the forms' 姓名, 系统管理 › 用户 and a task given by 姓名 read."""
    from workflows.forms.fields import name_as_written
    typed = ["张　三", " 欧阳 娜娜", "阿卜杜拉\u30fb买买提", "\u200b王五\u00a0", "John Smith"]
    assert [typed_input.person_name(t) for t in typed] == ["张三", "欧阳娜娜", "阿卜杜拉·买买提", "王五", "John Smith"]
    assert [name_as_written(t) for t in typed] == [typed_input.person_name(t) for t in typed]


# --- through the REST API and the page, stored on SQLite and PostgreSQL -----------------------------

world = investigator_world("typed-shorthand")


def test_the_api_stores_five_wan_five_as_55000_and_refuses_ten_wan_five_keeping_the_task(world):
    eng = world.engine
    case = eng.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
    task = open_task(eng, case.id, "receive")
    client = api_client(world.app, eng, "zhou")
    typed = {**sample("accident.receive", START.date(), eng.clock.now()), "direct_loss": "十万五"}
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": typed})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"] == {"direct_loss": SPOKEN_UNCLEAR}
    assert "「直接经济损失（元）」无法确定金额" in refused.get_json()["message"]
    assert eng.task(task.id).state == "open" and "direct_loss" not in eng.case(case.id).data
    done = client.post(f"/api/tasks/{task.id}/complete", json={"data": {**typed, "direct_loss": "五万五"}})
    assert done.status_code == 200, done.get_json()
    assert eng.case(case.id).data["direct_loss"] == "55000.00"


def test_the_page_stores_1_wan_5_as_15000(world):
    eng = world.engine
    case = eng.start("accident_investigation", by="zhou", org="east", title="乙机械机械伤害事故")
    task = open_task(eng, case.id, "receive")
    client = client_login(world.app, "zhou")
    typed = {k: str(v) for k, v in sample("accident.receive", START.date(), eng.clock.now()).items() if v is not None}
    page = client.post(f"/tasks/{task.id}", data=MultiDict([*{**typed, "direct_loss": "1万50"}.items(),
                                                            ("_csrf", client.csrf)]))
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "无法确定金额，请写成数字，如 55000 或 5.5万" in html and 'value="1万50"' in html
    page = client.post(f"/tasks/{task.id}", data=MultiDict([*{**typed, "direct_loss": "1万5"}.items(),
                                                            ("_csrf", client.csrf)]))
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    assert eng.case(case.id).data["direct_loss"] == "15000.00"


def test_the_api_stores_a_party_typed_with_blanks_as_every_record_writes_it(world):
    eng = world.engine
    client = api_client(world.app, eng, "zhang")
    stored = []
    for typed in ("张　三", " 某某化工有限公司 "):
        case = eng.start("enforcement_case", by="zhang", title="未按规定检测报警装置案")
        task = open_task(eng, case.id, "intake")
        data = {**sample("enforcement.intake", START.date()), "party_name": typed,
                "party_type": "个人" if "三" in typed else "单位"}
        done = client.post(f"/api/tasks/{task.id}/complete", json={"data": data})
        assert done.status_code == 200, done.get_json()
        stored.append(eng.case(case.id).data["party_name"])
    assert stored == ["张三", "某某化工有限公司"]
