"""The ``duban`` command line's part of the security review (issue 12): the password policy on
``duban user add``, ``serve --demo`` refusing a database with real accounts, and ``duban serve``
running gunicorn (Werkzeug's development server only with ``--dev``) — on real databases."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from tests.ui_support import ROOT
from webui.accounts import DEMO_PASSWORD
from webui.cli import main


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args, ok=True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result
    return invoke


def _org(name="east"):
    from workflows.runtime import build_engine
    engine = build_engine(deploy=False)
    engine.directory.add_org(name, "东城区应急管理局")
    return engine


@pytest.mark.parametrize("weak, why", [("1", "至少 10 位"), ("duban2026", "演示密码"),
                                        ("zhangsan2026", "三类"), ("Zhangsan#2026", "用户名")])
def test_user_add_refuses_a_weak_password_and_saves_nobody(run, weak, why):
    _org().dispose()
    refused = run("user", "add", "zhangsan", "--org", "east", "--role", "inspector", "--password", weak, ok=False)
    assert refused.exit_code == 1 and why in refused.output
    from workflows.runtime import build_engine
    engine = build_engine(deploy=False)
    assert "zhangsan" not in {u.username for u in engine.directory.users()}
    engine.dispose()


def test_serve_demo_refuses_a_database_with_real_accounts(run):
    engine = _org()
    engine.directory.add_user("zhang", org="east", roles=[], name="张三")
    engine.dispose()
    refused = run("serve", "--demo", "--port", "1", ok=False)
    assert refused.exit_code == 2 and "非演示账号" in refused.output and "zhang" in refused.output
    engine = _org()
    assert engine.directory.user("zhang").password_hash is None  # no demo password handed out
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_from_another_folder_serves_its_own_code_and_database(tmp_path):
    """``duban serve --demo`` run from a folder that holds another ``webui`` (another checkout, where
    an official unpacked a second copy) with a relative database URL: gunicorn's workers import
    webui from their working folder, so they served that folder's code and a database other than
    the one the demo was loaded into (login failed). The workers now run this process's code
    (``--chdir``) on its database, instance folder and audit key, named outright."""
    import http.cookiejar
    import re
    import urllib.parse

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "webui").mkdir(parents=True)
    (elsewhere / "webui" / "__init__.py").write_text("", encoding="utf-8")
    (elsewhere / "webui" / "wsgi.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'another checkout']\n", encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, DUBAN_DATABASE_URL="sqlite:///demo.sqlite", PYTHONPATH=str(ROOT),
               DUBAN_AUDIT_KEY_FILE="audit.key")
    env.pop("DUBAN_INSTANCE_PATH", None)
    env["DUBAN_INSTANCE_PATH"] = "instance"  # relative too: the workers must find the same folder
    proc = subprocess.Popen([sys.executable, "-P", "-m", "webui.cli", "serve", "--demo", "--port", str(port),
                             "--no-worker"], cwd=elsewhere, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    page = r.read().decode("utf-8")
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.5)
        assert "another checkout" not in page
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": "zhang_san", "password": DEMO_PASSWORD, "_csrf": token})
        with opener.open(f"http://127.0.0.1:{port}/login", data=form.encode(), timeout=10) as r:
            landed = r.read().decode("utf-8")
        assert "用户名或密码错误" not in landed and "登录" not in r.geturl().rsplit("/", 1)[-1]
        assert "退出" in landed  # logged in: the demo the serving process loaded is the workers' database
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (elsewhere / "demo.sqlite").exists() and not (ROOT / "demo.sqlite").exists()
    assert (elsewhere / "instance").is_dir() and not (ROOT / "instance").exists()


def test_serve_runs_gunicorn_by_default(tmp_path):
    port = _free_port()
    env = dict(os.environ, DUBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite'}",
               DUBAN_INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(ROOT))
    env.pop("DUBAN_PLAIN_HTTP", None)
    proc = subprocess.Popen([sys.executable, "-m", "webui.cli", "serve", "--port", str(port), "--no-worker"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    server, cookie = r.headers.get("Server", ""), r.headers.get("Set-Cookie", "")
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.5)
        assert "gunicorn" in server.lower()
        assert "Secure" in cookie  # not declared plain HTTP: cookies only over HTTPS
    finally:
        proc.terminate()  # duban serve stops its gunicorn on SIGTERM
        proc.wait(timeout=30)
    for _ in range(40):  # and the port is free again: no gunicorn left behind
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.5)
    else:
        pytest.fail("gunicorn kept running after duban serve was stopped")
