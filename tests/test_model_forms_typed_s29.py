"""Forms drawn inside public models read what a tired official types as our own forms read it (录入规整, issue 15).

A Camunda 7 ``camunda:formField``, a Flowable ``flowable:formProperty`` and a Camunda 8 linked form
(form-js) of type long/double/date were checked by engine/model_forms.py, which read 「5,000,000」
and 「500万」 but refused what our forms (workflows/forms/fields.py) read: spoken shorthand
(「五万五」 = 55,000, 「1万5」), an amount in Chinese numerals as a 文书 writes it (「伍仟元」), a day in
Chinese numerals (「二〇二六年十二月一日」). What it refused it refused as 「…」须为整数 even where our
forms say why: 「1,5」 (1.5 or 15?), 「十万五」 (10.5万 or 一百五十万?), 「12月1日」 (no year: never guessed),
「2026年2月30日」 (no such day). Now the same readers (engine/typed_input) and the same words after the
field's label. A long keeps its bounds: 「5.5」 is no whole number.

Also here: the date examples people are shown put 2026年11月1日 first, as people write it.

Models of the public corpus (tests/bpmn/interop): camunda7_purchase (填写采购单, 采购金额（元） long),
flowable_leave (the start form's 请假天数 long), flowable_boundary_timer_date_form (整改期限 date with
``datePattern="yyyy-MM-dd"``), zeebe_linked_form with inspection-form.form (拟罚款金额（元） number,
检查日期 date). Completed through the engine and through the served REST API
(tests/api_probe_support.served_world), on a SQLite file and PostgreSQL.
"""
from __future__ import annotations

import io

import pytest

from engine.errors import InvalidData
from engine.typed_input import MISGROUPED, SPOKEN_UNCLEAR
from tests.api_probe_support import case, served_world, start, task, worker
from tests.interop_support import CORPUS

MODELS = ("camunda7_purchase.bpmn", "flowable_leave.bpmn", "flowable_boundary_timer_date_form.bpmn")
LINKED, FORM = CORPUS / "zeebe_linked_form.bpmn", CORPUS / "inspection-form.form"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("model-forms-typed"))
    for name in MODELS:
        path = CORPUS / name
        r = w.call("POST", "/api/models", "des", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                   content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
    r = w.call("POST", "/api/models", "des", content_type="multipart/form-data",
               data={"file": (io.BytesIO(LINKED.read_bytes()), LINKED.name),
                     "forms": [(io.BytesIO(FORM.read_bytes()), FORM.name)]})
    assert r.status_code == 201, r.get_json()
    yield w
    w.engine.dispose()


def _open(world, key: str, data: dict | None = None) -> tuple[int, dict]:
    """A new case of ``key`` and its one open task (as the API reads it)."""
    case_id = start(world, key, data)
    (only,) = case(world, case_id)["tasks"]
    return case_id, only


def _by_engine(world, key: str, form: dict) -> tuple[int, dict | None]:
    """(case, errors): the first task of a new case completed through the engine with ``form``."""
    case_id, only = _open(world, key)
    try:
        world.engine.complete(only["id"], worker(world, only), form)
    except InvalidData as refused:
        assert world.engine.task(only["id"]).state == "open"  # nothing lost: the task waits
        return case_id, refused.errors
    return case_id, None


def _by_api(world, key: str, form: dict) -> tuple[int, dict | None]:
    """(case, errors): the same through ``POST /api/tasks/{id}/complete``."""
    case_id, only = _open(world, key)
    r = world.call("POST", f"/api/tasks/{only['id']}/complete", worker(world, only), json={"data": form})
    if r.status_code == 422:
        assert task(world, case_id, only["spec_id"])["state"] == "open"
        return case_id, r.get_json()["errors"]
    assert r.status_code == 200, r.get_json()
    return case_id, None


WAYS = [_by_engine, _by_api]
AMOUNTS = [("五万五", 55000), ("1万5", 15000), ("伍仟元", 5000), ("伍万伍仟元整", 55000), ("1.2亿", 120000000),
           ("5，000，000", 5000000), ("５０００", 5000), ("5,000元", 5000), ("一万五", 15000)]


@pytest.mark.parametrize("way", WAYS, ids=["engine", "api"])
def test_a_camunda7_long_field_reads_money_as_our_forms_read_it(world, way):
    for typed, meant in AMOUNTS:
        case_id, errors = way(world, "camunda7_purchase", {"amount": typed, "urgent": "否"})
        assert errors is None, (typed, errors)
        assert world.engine.case(case_id).data["amount"] == meant, typed


@pytest.mark.parametrize("way", WAYS, ids=["engine", "api"])
def test_a_camunda7_long_field_refuses_saying_why_after_its_label(world, way):
    label = "「采购金额（元）」"
    for typed, said in [("十万五", SPOKEN_UNCLEAR), ("五万五元", SPOKEN_UNCLEAR), ("1,5", MISGROUPED),
                        ("5.5", "须为整数"), ("5.5万元", None), ("很多", "须为整数")]:
        case_id, errors = way(world, "camunda7_purchase", {"amount": typed, "urgent": "否"})
        if said is None:  # 5.5万 is 55,000: a whole number of 元
            assert errors is None and world.engine.case(case_id).data["amount"] == 55000
            continue
        assert errors == {"amount": label + said}, typed
        assert "amount" not in world.engine.case(case_id).data


def test_a_flowable_start_form_long_reads_a_count_in_chinese_numerals_through_the_api(world):
    for typed, meant in [("十二天", 12), ("１２ 天", 12), ("三", 3)]:
        r = world.call("POST", "/api/cases", "insp", json={"process_key": "flowable_leave", "org": "east",
                                                          "data": {"days": typed, "reason": "探亲"}})
        assert r.status_code == 201, (typed, r.get_json())
        assert world.engine.case(r.get_json()["id"]).data["days"] == meant
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "flowable_leave", "org": "east",
                                                      "data": {"days": "十二天半"}})
    assert r.status_code == 422 and r.get_json()["errors"] == {"days": "「请假天数」须为整数"}, r.get_json()


@pytest.mark.parametrize("way", WAYS, ids=["engine", "api"])
def test_a_flowable_date_field_reads_a_day_in_chinese_numerals_and_refuses_one_without_its_year(world, way):
    for typed in ("二〇二六年十二月一日", "2026年十二月一日", "２０２６年１２月１日", "2026.12.1"):
        case_id, errors = way(world, "flowable_rectify_until_date", {"rectifyUntil": typed, "measures": "加装防护栏"})
        assert errors is None, (typed, errors)
        assert world.engine.case(case_id).data["rectifyUntil"] == "2026-12-01", typed
    for typed, said in [("12月1日", "「整改期限」须写明年份，如 2026年11月1日"),
                        ("十二月一日", "「整改期限」须写明年份，如 2026年11月1日"),
                        ("2026年2月30日", "「整改期限」2026年2月30日不是有效的日期"),
                        ("明天", "「整改期限」须为日期，如 2026年12月1日 或 2026-12-01（年-月-日）")]:
        case_id, errors = way(world, "flowable_rectify_until_date", {"rectifyUntil": typed, "measures": "加装防护栏"})
        assert errors == {"rectifyUntil": said}, typed
        assert "rectifyUntil" not in world.engine.case(case_id).data


@pytest.mark.parametrize("way", WAYS, ids=["engine", "api"])
def test_a_zeebe_linked_forms_number_and_date_read_as_typed(world, way):
    case_id, errors = way(world, "zeebe_linked_form", {"site": "仓库", "checked_on": "二〇二六年十一月一日",
                                                       "fine": "五万五"})
    assert errors is None, errors
    data = world.engine.case(case_id).data
    assert (data["checked_on"], data["fine"]) == ("2026-11-01", 55000)
    _case, errors = way(world, "zeebe_linked_form", {"site": "仓库", "checked_on": "11月1日", "fine": "1.000.000"})
    assert errors == {"checked_on": "「检查日期」须写明年份，如 2026年11月1日", "fine": "「拟罚款金额（元）」" + MISGROUPED}


# --- the date examples people are shown: 2026年11月1日 first ----------------------------------------

def test_the_date_examples_shown_put_the_day_as_people_write_it_first(world):
    from engine.flowable_types import as_type
    from engine.model_forms import date_spellings
    with world.app.test_request_context():
        box = str(world.app.jinja_env.get_template("tasks/fields.html").module.input(
            {"name": "found_on", "type": "date", "label": "发现日期"}, None))
    assert 'placeholder="如 2026年11月1日 或 2026-11-01"' in box, box
    assert date_spellings(None) == "日期，如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）"
    with pytest.raises(Exception) as refused:
        as_type("明天", "localdate", "变量「checked_on」")
    assert "请补填为日期（如 2026年11月1日 或 2026-11-01）后重试" in str(refused.value)
