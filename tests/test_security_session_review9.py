"""Security review of issue 15's ninth session (安全复查九): hostile probes of what landed since review 8
and of what nobody had tried — as a hostile model designer, a hostile enterprise account, an official
of another district and an outsider on the intranet. Each hole on a real SQLite file and a real
PostgreSQL database, with real models of the public corpus (tests/bpmn/interop).

A number written with an exponent (指数写法的数字). Python's Decimal reads 「1e999999999」 as a number:
one a tired official never types, but the REST API, a message or a start form's text field takes it as
text. Written out it is a billion digits: ``int()`` of it computes for hours (3 s for 1e200000, more
than 100 s for 1e3000000) and ``format(..., ",.2f")`` makes a 1.3 GB text.

- Flowable 7's ``targetType`` (engine/flowable_types.py, since f0554d1): a call activity passing
  ``fineAmount`` as ``long`` computed ``int(Decimal("1e999999999"))`` in the host — the start held
  (8.9 s for 1e200000, ending in an incident saying the data had no value) and, for more digits, the
  server's thread for good. Java's Long holds nothing past 9223372036854775807, so Flowable refuses it:
  now the incident says at once that the value is out of range, naming the variable.
- The case page's 案件数据 and the task page's 办理依据 (webui/case_data.amount, formspec.money_text):
  an amount under a label of 金额/罚款 was written out with separators; 「1e200000」 made
  the case page answer 500 for every official (Python refuses to write an int past 4,300 digits) and
  「1e999999999」 hung it. Now a number past 30 digits is shown as typed.
"""
from __future__ import annotations

import time

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import CORPUS, models_engine, open_tasks_data
from tests.ui_support import client_login, make_world, open_task

# --- a number written with an exponent (指数写法的数字) --------------------------------------------------

TYPED = {"fineAmount": "5,000,000", "copies": "５", "handedOnSite": "是", "decidedOn": "2026年12月1日"}


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, ("flowable_call_types_child.bpmn", "flowable_call_types_typed_parent.bpmn"))


@pytest.mark.parametrize("typed", ["1e200000", "1e999999999", "9223372036854775808", "NaN", "1e-400"])
def test_a_flowable_target_type_past_javas_long_is_an_incident_at_once_naming_the_variable(engine, typed):
    started = time.monotonic()
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("flowable_call_types_typed_parent", by="zhang", org="east", data={**TYPED, "fineAmount": typed})
    assert time.monotonic() - started < 5
    said = str(stopped.value)
    assert f"的输入变量「fineAmount」要求转换为整数（long），其值「{typed}」无法转换" in said, said
    assert "范围" in said, said


def test_a_flowable_target_type_takes_the_largest_long_as_written(engine):
    case = engine.start("flowable_call_types_typed_parent", by="zhang", org="east",
                        data={**TYPED, "fineAmount": "9,223,372,036,854,775,807"}).id
    (seen,) = open_tasks_data(engine, case, "sid-deliver")
    assert seen["fineAmount"] == 2 ** 63 - 1


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(CORPUS / "flowable_installment_fine.bpmn", by="zhao")
    yield w
    w.engine.dispose()


@pytest.mark.parametrize("typed", ["1e200000", "1e-200000"])
def test_an_amount_typed_with_an_exponent_shows_as_typed_on_the_case_and_task_pages(world, typed):
    """罚款分期缴纳审批 (《行政处罚法》第六十六条第二款): its 罚款金额（元） is a text field; a start through
    the API brings 「1e200000」. The case page and the 登记分期申请 task page answer, showing it as typed."""
    case = world.engine.start("flowable_installment_fine", by="zhang", org="east", title="甲公司分期缴纳",
                              data={"fineAmount": typed}).id
    zhang = client_login(world.app, "zhang")
    for url in (f"/cases/{case}", f"/tasks/{open_task(world.engine, case, 'register').id}"):
        started = time.monotonic()
        page = zhang.get(url)
        assert page.status_code == 200, url
        assert time.monotonic() - started < 5
        html = page.get_data(as_text=True)
        assert len(html) < 100_000, (url, len(html))
        assert typed[:20] in html
