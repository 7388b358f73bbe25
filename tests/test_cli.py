"""The ``duban`` command line against a real SQLite file, as an operator would use it."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine.schema import AuditEvent
from tests.support import BPMN
from webui.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args, ok=True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result
    return invoke


def test_operator_session(run, tmp_path):
    assert "数据库结构已是最新" in run("db", "upgrade").output
    out = run("deploy", str(BPMN / "approval.bpmn")).output
    assert "已部署「登记审批」（approval）第 1 版" in out
    bad = run("deploy", str(BPMN / "unconnected.bpmn"), ok=False)
    # In Chinese, the element by its name, its id in parentheses at most; warnings said as 提示.
    assert bad.exit_code == 1 and "unconnected.bpmn：未通过校验，不能部署" in bad.output
    assert "  第 11 行：用户任务「未连线任务」(orphan) 没有连线" in bad.output
    assert "  提示 第 9 行：用户任务「登记隐患」(register) 没有表单" in bad.output
    assert not re.search(r"\b(REJECTED|line|element)\b", bad.output), bad.output

    from workflows.runtime import build_engine
    engine = build_engine(deploy=False)
    engine.directory.add_org("east", "东城区")
    engine.dispose()
    run("user", "add", "zhang", "--org", "east", "--role", "inspector", "--name", "张三", "--password", "Anquan#2027go")
    run("user", "add", "boss", "--org", "east", "--role", "supervisor")
    engine = build_engine(deploy=False)
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
    engine.dispose()

    listing = run("task", "list", "zhang").output
    task_id = listing.split("\t")[0]
    assert "登记隐患" in listing and case.case_no in listing
    assert "已办理" in run("task", "complete", task_id, "--user", "zhang", "--data", '{"location": "仓库"}').output
    refused = run("task", "complete", task_id, "--user", "zhang", ok=False)
    assert refused.exit_code == 1 and "办理失败：任务已完成，不能重复提交" in refused.output

    assert case.case_no in run("case", "list").output
    shown = run("case", "show", str(case.id)).output
    assert "【办理中】" in shown and "审批 岗位：科室负责人" in shown and "仓库" in shown and "生成待办" in shown
    assert "审计日志完整（第 1 代密钥签名" in run("audit", "verify").output

    engine = build_engine(deploy=False)
    with engine.db.write() as s:
        ev = s.execute(sa.select(AuditEvent).where(AuditEvent.action == "completed")).scalar_one()
        ev.detail = json.dumps({"tampered": True})
    engine.dispose()
    broken = run("audit", "verify", ok=False)
    assert broken.exit_code == 1 and "审计日志已被篡改或损坏" in broken.output


def test_a_failing_step_and_an_unnamed_element_are_said_in_chinese_on_the_command_line(run, tmp_path):
    """An administrator's terminal says a step that became an incident as the incident page does
    (the step by its name, the cause in Chinese), and an element drawn without a name — as bpmn.io
    leaves a gateway — by its kind, its id in parentheses at most."""
    run("db", "upgrade")
    run("deploy", str(BPMN / "failing_script.bpmn"))
    from workflows.runtime import build_engine
    engine = build_engine(deploy=False)
    engine.directory.add_org("east", "东城区")
    engine.directory.add_user("zhang", org="east", roles=["inspector"], name="张三")
    case = engine.start("fine_calc", by="zhang", org="east")
    task_id = next(t.id for t in engine.case(case.id).tasks if t.spec_id == "enter")
    engine.dispose()
    failed = run("task", "complete", task_id, "--user", "zhang", "--data", '{"total": 100, "days": 0}', ok=False)
    assert failed.exit_code == 1
    assert "办理失败：流程执行出错，已记录为异常事件 #1" in failed.output
    assert "环节“计算每日罚款”出错：计算时除数为零" in failed.output and "ZeroDivision" not in failed.output
    shown = run("case", "show", str(case.id)).output
    assert "异常事件 #1（未处理）：环节“计算每日罚款”出错：计算时除数为零" in shown, shown

    drawn = tmp_path / "bpmnio_gateway.bpmn"
    drawn.write_text((BPMN / "unconnected.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="orphan" name="未连线任务" />', '<bpmn:parallelGateway id="Gateway_1ab" />').replace(
        "<bpmn:flowNodeRef>orphan</bpmn:flowNodeRef>", ""), encoding="utf-8")
    bad = run("deploy", str(drawn), ok=False)
    assert "第 11 行：未命名并行网关 (Gateway_1ab) 没有连线" in bad.output, bad.output


def test_api_token_from_the_command_line_works_against_the_api(run):
    from workflows.runtime import build_engine
    engine = build_engine(deploy=False)
    engine.directory.add_org("east", "东城区")
    engine.directory.add_user("zhang", org="east", roles=["inspector"])
    token = run("user", "token", "zhang", "--days", "30").output.strip()
    assert len(token) >= 20
    from webui.app import create_app
    client = create_app(engine, testing=True).test_client()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert run("user", "token", "nobody", ok=False).exit_code == 1
    engine.dispose()


@pytest.mark.parametrize("server", [[], ["--dev"]], ids=["gunicorn", "dev"])
def test_serve_sweeps_timers_at_its_interval_and_at_most_timers_per_sweep(tmp_path, server):
    """``duban serve --interval S --timers-per-sweep N`` (the real server process, gunicorn and its
    timer worker, or --dev's server with the worker in a thread, on a SQLite file): 7 due timers are
    fired by sweeps of at most 3, each timer once."""
    import os
    import re
    import subprocess
    import sys
    import time
    from datetime import datetime, timedelta, timezone

    from engine import ManualClock
    from engine.schema import HumanTask, Timer
    from tests.support import deploy, make_engine
    from tests.test_security_cli import _free_port
    from tests.ui_support import ROOT

    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    engine = make_engine(url, clock=ManualClock(datetime.now(timezone.utc) - timedelta(days=2, minutes=1)))
    deploy(engine, "timers_misc.bpmn")
    for _ in range(7):
        engine.start("wait_then_work", by="zhang", org="east")
    engine.dispose()

    log = tmp_path / "serve.log"
    env = dict(os.environ, DUBAN_DATABASE_URL=url, DUBAN_INSTANCE_PATH=str(tmp_path / "instance"),
               PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "serve", "--port", str(_free_port()),
                             "--interval", "0.3", "--timers-per-sweep", "3", *server],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 120
        fired: list[int] = []
        while sum(fired) < 7:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, f"fired {fired} in 120 s"
            time.sleep(0.5)
            fired = [int(n) for n in re.findall(r"duban\.worker: fired (\d+) timers", log.read_text(encoding="utf-8"))]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert fired == [3, 3, 1], fired  # every due timer, at most 3 a sweep
    engine = make_engine(url)
    with engine.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar() == 0
        assert s.execute(sa.select(sa.func.count()).select_from(HumanTask)
                         .where(HumanTask.state == "open")).scalar() == 7
    engine.dispose()


def test_the_timer_worker_keeps_its_own_objects_out_of_full_collections(tmp_path):
    """``duban worker`` (a real process on a SQLite file) freezes what it built before its first
    sweep (webui/heap.py): each full collection in a sweep walked ~140,000 objects, ~80 ms."""
    import os
    import subprocess
    import sys
    import time

    from tests.ui_support import ROOT

    log = tmp_path / "worker.log"
    env = dict(os.environ, DUBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite'}", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "worker", "--interval", "0.3"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 120
        while not (found := re.search(r"duban\.worker: (\d+) objects kept out of full collections",
                                      log.read_text(encoding="utf-8"))):
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert int(found.group(1)) > 50_000
