"""Security review 12 (安全复查十二): hostile probes through the served REST API and pages — a designer
deploying model code, an enterprise account asking for what is not its own — on a real SQLite file
and a real PostgreSQL database, with real BPMN.

Model code holding the host through the helpers it calls back (经宿主函数占住服务器线程). Model code that
is not plain runs in an evaluator worker under a CPU bound (1 s), but every helper it calls
(``workdays_between``, the FEEL and JUEL helpers, the domain functions) runs in the server's thread,
the worker waiting — its CPU bound does not count that, and the wall-clock backstop was moved on by
each call's time. A loop of ``workdays_between`` over a hundred years cost the host 27 ms a call and
the worker some 50 µs: one script task held a server thread for minutes (300 calls: 8.3 s of the
host's CPU, 31 s of wall time). The helpers one evaluation calls now share the same bound of the
host's CPU time (engine/evaluator.Pool.run): past it the worker is killed and the step is an
incident naming the element, 「脚本调用的系统函数累计占用 CPU 时间超过 1 秒」.

A task an enterprise may not know of (任务可知范围). An enterprise account asking for a task of another
enterprise's case got 403 from the API with the engine's reason (「您没有办理该任务所需的角色（执法人员）」,
「企业用户只能办理本企业的案件」, 「只能释放自己认领的任务」), the page 404 「要找的案件不存在」, and for a task
id that is not there both said 「任务不存在」: a task was told from none. Now the page and the API answer
such a task as one that is not there (webui/task_reach.py), as they answer another enterprise's case
(tests/test_security_review10_s25.py) — 《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》
(2013年6月8日) 第五条（一）（二）. An official of another district is still told why not.
"""
from __future__ import annotations

import io
import re
import uuid

import pytest

from tests.api_probe_support import deploy_source, script_model, start_script_case
from tests.support import evaluator_ready, thread_cpu
from tests.test_api_helpers import PASSWORD, World, browser_login, build_app, build_engine


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url)
    w = World(engine, build_app(engine, tmp_path_factory.mktemp("review12")))
    yield w
    engine.dispose()


# --- model code holding the host through the helpers it calls ---------------------------------------

HUNDRED_YEARS = 'workdays_between("2025-01-01", "2124-12-30")'


def _deploy_fine_script(world, script: str) -> None:
    """tests/bpmn/start_script.bpmn with ``script`` in its script task 计算每日罚款, deployed through the
    REST API by the designer."""
    r = deploy_source(world, script_model(script), "立案即算罚款.bpmn")
    assert r.status_code == 201, r.get_json()


def _start_fine(world):
    return start_script_case(world, data={"total": 1000, "days": 10})


def test_a_script_calling_a_host_helper_in_a_loop_is_stopped_at_the_cpu_bound_of_the_host_it_used(world):
    """Before, 1,000 calls took ~27 s of the server thread's CPU (the worker's own bound never passed)."""
    _deploy_fine_script(world, f"n = 0\nfor i in range(1000):\n    n = n + {HUNDRED_YEARS}\ndaily = total / days")
    evaluator_ready()
    with thread_cpu() as spent:
        r = _start_fine(world)
    assert spent.seconds < 5, spent.seconds
    body = r.get_json()
    assert r.status_code == 422 and body["incident_id"] and body["element_id"] == "calc", body
    assert "环节“计算每日罚款”出错：流程脚本运行超时" in body["message"], body
    # the same helper called a few times is a model's ordinary work, and the engine goes on
    _deploy_fine_script(world, f"years = {HUNDRED_YEARS}\ndaily = total / days")
    r = _start_fine(world)
    assert r.status_code == 201, r.get_json()
    assert world.engine.case(r.get_json()["id"]).data["daily"] == 100


# --- a task an enterprise may not know of ----------------------------------------------------------

def _unsigned(page: str) -> str:
    """The page without its form token and the login's greeting (the first page after it shows 欢迎)."""
    page = re.sub(r'name="_csrf" value="[^"]*"', 'name="_csrf"', page)
    return re.sub(r'<div class="flash[^"]*"[^>]*>[^<]*</div>', "", page)


def test_an_enterprise_is_told_of_another_enterprises_task_as_of_none_on_the_page_and_in_the_api_whistleblower_opinion_2013_art5(world):
    other = world.start("other_enterprise")
    own = world.start("own_enterprise")
    missing = str(uuid.uuid4())
    # 现场检查 (an inspector's), 提交整改方案 (an enterprise's lane: the role is the enterprise's own)
    targets = [world.task(other, "inspect"), world.task(other, "rectify"), missing]
    for task_id in targets:
        answers = [world.call("GET", f"/api/tasks/{task_id}", "ent")]
        answers += [world.call("POST", f"/api/tasks/{task_id}/{action}", "ent", json={"data": {}} if action == "complete" else None)
                    for action in ("claim", "release", "complete")]
        assert [(a.status_code, a.get_json()["message"]) for a in answers] == [(404, f"任务不存在: {task_id}")] * 4
    client = world.client()
    token = browser_login(client, "ent", PASSWORD)
    pages = [[client.get(f"/tasks/{t}"), client.post(f"/tasks/{t}", data={"_csrf": token}),
              client.post(f"/tasks/{t}/claim", data={"_csrf": token}),
              client.post(f"/tasks/{t}/release", data={"_csrf": token})] for t in targets]
    assert {a.status_code for answers in pages for a in answers} == {404}
    said = {_unsigned(a.get_data(as_text=True)) for answers in pages for a in answers}
    assert len(said) == 1 and "要找的任务不存在" in said.pop()
    # its own case's task is its to read and work; the data of nothing above moved
    assert world.call("GET", f"/api/tasks/{world.task(own, 'rectify')}", "ent").status_code == 200
    assert world.call("POST", f"/api/tasks/{world.task(own, 'rectify')}/claim", "ent").status_code == 200
    assert all(t.assignee is None for t in world.engine.case(other).tasks)
    # an official of another district is still told why not (he knows cases exist there)
    r = world.call("GET", f"/api/tasks/{world.task(world.start('own_org'), 'inspect')}", "west_insp")
    assert (r.status_code, r.get_json()["message"]) == (403, "无权查看该任务")


# --- the login's form token (登录前后的表单令牌) -------------------------------------------------------

def _cookie(client, app) -> str | None:
    found = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return found.value if found is not None else None


def test_a_form_token_known_before_the_login_is_refused_after_it_and_the_session_id_changes_at_login_and_logout(world):
    """Session fixation (会话固定): someone who planted a session cookie in a browser — and read the login
    page's form token with it — before its owner logs in. The session id changed at the login, but the
    login kept the token of the page it was typed on: with it a page of another site could post in the
    owner's name (forms need only the token beside the cookie the browser sends). Now the login gives
    the session a new token; a logout ends both."""
    app = world.app
    planted = world.client()
    token = re.search(r'name="_csrf" value="([^"]+)"', planted.get("/login").get_data(as_text=True)).group(1)
    before = _cookie(planted, app)
    victim = world.client()
    victim.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    r = victim.post("/login", data={"username": "insp", "password": PASSWORD, "_csrf": token})
    assert r.status_code == 302
    after = _cookie(victim, app)
    assert after not in (None, before)
    assert planted.get("/tasks/").status_code == 302  # the planted id holds no login
    refused = victim.post("/logout", data={"_csrf": token})
    assert refused.status_code == 400 and "安全校验未通过" in refused.get_data(as_text=True)
    assert victim.get("/tasks/").status_code == 200  # still logged in: nothing was done with the old token
    from tests.ui_support import session_csrf
    current = session_csrf(app, victim)
    assert current != token
    assert victim.post("/logout", data={"_csrf": current}).status_code == 302
    assert _cookie(victim, app) not in (None, after)
    replay = world.client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], after)
    assert replay.get("/tasks/").status_code == 302
    browser_login(victim, "insp")  # the next login in the same browser: a token of its own again
    assert victim.post("/logout", data={"_csrf": current}).status_code == 400


# --- the host's code, memory and files in a value (宿主信息) ----------------------------------------------

@pytest.mark.parametrize("location, code, variable, shown", [
    ("dmnOutput", "str(now)", "result", "<function _stub.<locals>.call_host at 0x"),  # the worker's, not the host's
    ("script", "x = str(math)", "x", "<module 'math'>"),
])
def test_model_code_naming_a_helper_or_math_as_a_value_shows_nothing_of_the_host(world, location, code, variable, shown):
    """A decision table's output cell is a plain expression: the host evaluated it, without a worker, and
    ``str(now)`` there gave the host's function and address (「<function DubanScriptEngine.__init__.<locals>.<lambda>
    at 0x7f62…>」; ``str(int)`` 「<function guarded_int at 0x…>」). ``str(math)`` — in the host and in the
    worker — said where the host's Python lives (「…from '/root/.pyenv/versions/3.11.7/lib/…/math….so'」).
    A plain expression reading a global as a value is now the worker's (engine/evaluator), as a plain
    script's and a helper expression's were, and ``math`` a module of its public names only
    (engine/restricted.STANDARD_GLOBALS)."""
    from tests.test_security_probes import bpmn, dmn
    key = f"review12_{location.lower()}"
    models = ((f"{key}.dmn", dmn(location, code, key)),) if location.startswith("dmn") else ()
    for name, text in models + ((f"{key}.bpmn", bpmn(location, code, key)),):
        r = world.call("POST", "/api/models", "des", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
    r = world.call("POST", "/api/cases", "insp", json={"process_key": key, "org": "east", "data": {"score": 1}})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    r = world.call("POST", f"/api/tasks/{world.task(case_id, 'enter')}/complete", "insp", json={"data": {}})
    assert r.status_code == 200, r.get_json()
    said = world.call("GET", f"/api/cases/{case_id}", "insp").get_json()["data"][variable]
    assert said.startswith(shown), said
    for host in ("DubanScriptEngine", "/", ".so"):
        assert host not in said, said
