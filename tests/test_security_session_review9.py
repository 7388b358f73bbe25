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
- The same ``targetType`` of ``json``/``array`` given 「[[[[…」 nested past Python's stack: the incident
  said only SpiffWorkflow's English; now it names the variable and the type as for any text it cannot read.

Model code holding the host through a helper's arguments (经宿主函数占住服务器). Model code that is not
plain runs in the worker under CPU and memory bounds, but every helper it calls runs in the host, the
time not counted: ``duban_feel_range(Decimal("1e999999999"), 1)`` made the host compute ``int()`` of a
billion digits, ``tally([], 3, "1e999999999")`` a ``Fraction`` of it. A helper is now given no
decimal past 10^±300, as no whole number past 10^300 crosses (engine/evaluator._call_host), and a
quorum is read as 系统管理 › 规则 reads it.

A time typed with a run of blanks (夹着一长串空格的时间): a regular expression trying every split of
the blanks — 16 s of a server thread for 200 blanks in any date-time field of a page or the REST API.
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

from engine.clock import ManualClock
from engine.errors import IncidentRaised, InvalidData
from engine.scripting import DubanScriptEngine
from engine.typed_input import iso_moment
from tests.interop_support import CORPUS, models_engine, open_tasks_data
from tests.support import BPMN, START, evaluator_ready, make_engine, thread_cpu
from tests.ui_support import client_login, make_world, open_task
from workflows.forms import FormError, registry
from workflows.forms.samples import sample

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


@pytest.mark.parametrize("typed", ["[" * 100_000, "[" * 5000 + "]" * 5000])
def test_a_flowable_json_target_type_nested_past_the_stack_is_said_in_chinese(bare_engine, typed):
    """targetType="array" (Flowable 7's json/array: text read as JSON) of 「[[[[…」 100,000 deep: Python's
    JSON reader gives up with RecursionError, and the incident said only SpiffWorkflow's English
    「Error evaluating expression 'duban_as_type(…)'」 — nothing naming the variable or what to do."""
    bare_engine.deploy(CORPUS / "flowable_call_types_child.bpmn", by="boss")
    drawn = (CORPUS / "flowable_call_types_typed_parent.bpmn").read_text(encoding="utf-8")
    changed = drawn.replace('target="fineText" targetType="string"', 'target="fineText" targetType="array"')
    assert changed != drawn
    bare_engine.deploy(changed.encode("utf-8"), by="boss", filename="flowable_call_types_typed_parent.bpmn")
    with pytest.raises(IncidentRaised) as stopped:
        bare_engine.start("flowable_call_types_typed_parent", by="zhang", org="east", data={**TYPED, "fineAmount": typed})
    said = str(stopped.value)
    assert "的输入变量「fineText」要求转换为JSON 列表（array），其值「[[[[" in said, said[:300]


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


# --- model code holding the host through a helper's arguments (经宿主函数占住服务器) ----------------------
# A script that is not plain runs in the worker, under its CPU and memory bounds; every helper it calls
# (workdays_after, tally, the FEEL and JUEL helpers) runs in the host, its time not counted against
# the worker (engine/evaluator.Pool.run). An argument whose use costs hours there holds the server's
# thread for hours, whatever the worker's bounds.


def _fine_on_start(script: str) -> bytes:
    """start_script.bpmn (Camunda Modeler 5.28: 立案即算罚款, a script task 计算每日罚款 at the start)
    with ``script`` in its script task."""
    source = (BPMN / "start_script.bpmn").read_text(encoding="utf-8")
    return source.replace("daily = total / days", script).encode("utf-8")


@pytest.fixture
def bare_engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize("script, words", [
    # a helper is given no decimal past 10^±300, as no whole number past 10^300 crosses
    ('x = duban_feel_range(Decimal("1e200000"), 1)', "的参数「1E+200000」超出数值范围"),
    ('x = duban_as_type(Decimal("1e200000"), "long", "罚款")', "的参数「1E+200000」超出数值范围"),
])
def test_a_helpers_argument_that_would_cost_the_host_hours_is_an_incident_at_once(bare_engine, script, words):
    """Before, the host computed int(Decimal("1e200000")) for the worker's call (3 s of its CPU, the
    step held all that time, then Python's English 「Exceeds the limit (4300 digits)…」; 1e3000000 more
    than 100 s, 1e999999999 hours)."""
    bare_engine.deploy(_fine_on_start(script + "\ndaily = total / days"), by="boss", filename="立案即算罚款.bpmn")
    evaluator_ready()
    with thread_cpu() as spent, pytest.raises(IncidentRaised) as stopped:
        bare_engine.start("fine_on_start", by="zhang", org="east", data={"total": 1000, "days": 10})
    assert spent.seconds < 1.0, spent.seconds
    assert words in str(stopped.value), str(stopped.value)
    bare_engine.deploy(_fine_on_start("daily = total / days"), by="boss", filename="立案即算罚款.bpmn")
    case = bare_engine.start("fine_on_start", by="zhang", org="east", data={"total": 1000, "days": 10})
    assert bare_engine.case(case.id).data["daily"] == 100  # the engine goes on


def test_a_collective_decisions_quorum_is_read_as_the_rules_page_reads_it_penalty_law_art57(world):
    """tally(votes, members, quorum) counts 集体讨论 (《行政处罚法》第五十七条第二款; the quorum a local rule,
    「2/3」 by default). Before, a model's quorum 「1e3000000」 was read by Fraction in the host (~5 s;
    「1e999999999」 hours and gigabytes); now it is refused as 系统管理 › 规则 refuses it."""
    e = world.engine
    e.deploy(_fine_on_start('x = tally([], 3, "1e3000000")\ndaily = total / days'), by="zhao", filename="立案即算罚款.bpmn")
    evaluator_ready()
    with thread_cpu() as spent, pytest.raises(IncidentRaised) as stopped:
        e.start("fine_on_start", by="zhang", org="east", data={"total": 1000, "days": 10})
    assert spent.seconds < 1.0, spent.seconds
    assert "集体讨论法定到会比例应写成分数，如 2/3" in str(stopped.value), str(stopped.value)
    e.deploy(_fine_on_start('vote = tally([{"member": "zhang", "choice": "同意"}, {"member": "li", "choice": "同意"}], 3, "２/３")'
                            '\ndaily = total / days'), by="zhao", filename="立案即算罚款.bpmn")
    case = e.start("fine_on_start", by="zhang", org="east", data={"total": 1000, "days": 10})
    assert e.case(case.id).data["vote"]["outcome"] == "通过"


# --- a time typed with a run of blanks (夹着一长串空格的时间) --------------------------------------------
# A date-time field reads 「2026年11月1日 下午3点半」 by one regular expression whose blanks may stand on
# either side of each part (engine/typed_input._MOMENT). Given 「2026-11-01」, 200 blanks and 「x」 it
# tried every way to split the blanks before failing: 16 s of a server thread (1,000 blanks: hours),
# for any user who may fill in a date-time field — on a page or through the REST API. A drawn form's
# time of day likewise (engine/model_forms.time_of: 「9:」, 1,000 blanks and 「x」 5.7 s).

def _datetime_fields():
    return [(k, f["name"]) for k in registry.keys() for f in registry.fields(k) if f["type"] == "datetime"]


@pytest.mark.parametrize("key, name", _datetime_fields(), ids=lambda v: str(v))
def test_a_time_typed_with_a_run_of_blanks_is_refused_at_once_in_every_time_field_of_our_forms(key, name):
    """事故发生时间 (《生产安全事故报告和调查处理条例》第九条), 听证时间 and the rest: refused, naming the field,
    within a fraction of a second; a time typed with a few blanks is still read."""
    data = sample(key, dt.date(2026, 11, 20))
    with thread_cpu() as spent, pytest.raises(FormError) as refused:
        registry.validate(key, {**data, name: "2026-11-01" + " " * 200 + "x"})
    assert spent.seconds < 0.5, spent.seconds
    assert name in refused.value.errors
    assert iso_moment("2026年11月1日   下午3点半") == "2026-11-01T15:30:00"


def _drawn_time_form() -> bytes:
    """zeebe_embedded_form.bpmn (Camunda Modeler 5.16, a Camunda 8.2 form) with its 检查日期 drawn as a
    time of day (form-js's datetime field of subtype time)."""
    drawn = (CORPUS / "zeebe_embedded_form.bpmn").read_text(encoding="utf-8")
    changed = drawn.replace("&#34;subtype&#34;: &#34;date&#34;,", "&#34;subtype&#34;: &#34;time&#34;,", 1)
    assert changed != drawn
    return changed.encode("utf-8")


@pytest.fixture
def drawn_world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(_drawn_time_form(), by="zhao", filename="zeebe_embedded_form.bpmn")
    yield w
    w.engine.dispose()


def test_a_drawn_forms_time_typed_with_a_run_of_blanks_is_refused_at_once(drawn_world):
    e = drawn_world.engine
    case = e.start("zeebe_embedded_form", by="zhang", org="east", title="甲公司现场检查",
                   data={"company": "甲公司", "team_lead": "张三"})
    task = open_task(e, case.id, "Activity_0check")
    with thread_cpu() as spent, pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"site": "一号车间", "checked_on": "9:" + " " * 1000 + "x", "fine": "5,000"})
    assert spent.seconds < 0.5, spent.seconds
    assert "checked_on" in refused.value.errors, refused.value.errors
    e.complete(task.id, "zhang", {"site": "一号车间", "checked_on": "下午  3点30分", "fine": "5,000"})
    assert e.case(case.id).data["checked_on"] == "15:30"


# --- a large reply of the worker (执行进程的大结果) -----------------------------------------------------

def test_a_scripts_large_result_is_read_in_a_linear_pass_not_held_to_the_wall_clock():
    """The host read a worker's reply 64 KB at a time, copying and searching all it had read at each
    step: a script's 30 MB text (within the 32 MB a reply may carry) cost the host 3.3–3.6 s of its
    thread's CPU and was cut by the 30 s wall-clock backstop as 「脚本执行进程超过 30 秒…没有答复」 —
    a step held half a minute, past the CPU bound the worker keeps. Now the reply is read once."""
    environment = DubanScriptEngine(ManualClock(START), time_limit=1).environment
    evaluator_ready()
    context: dict = {}
    with thread_cpu() as spent:
        environment.execute('x = "甲" * 10_000_000', context)  # 30 MB of UTF-8
    assert len(context["x"]) == 10_000_000
    assert spent.seconds < 1.0, spent.seconds
