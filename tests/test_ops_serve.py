"""``duban serve`` as an administrator's service manager meets it (网站服务运维): real ``duban serve``
processes running real gunicorn on real SQLite files.

- gunicorn failing to boot (the port taken, a web worker that cannot start, a configuration error)
  ends ``duban serve`` with a status other than 0 and one Chinese line saying why; it used to keep
  running its timer worker without a web server (or exit 0 with ``--no-worker``), so a systemd unit
  with ``Restart=on-failure`` believed all was well and restarted nothing.
- two instances on one host each have their own gunicorn control socket: they shared
  ``$XDG_RUNTIME_DIR/gunicorn.ctl``, and the first one stopped removed the other's.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_security_cli import _free_port
from tests.ui_support import ROOT

BOOT_SECONDS = 90  # a failed boot is told within this (gunicorn gives up on a taken port after ~5 s)


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env.update(DUBAN_DATABASE_URL=f"sqlite:///{data / 'duban.sqlite'}", DUBAN_INSTANCE_PATH=str(data / "instance"),
               PYTHONPATH=str(ROOT), **extra)
    return env


def _serve(env: dict[str, str], port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "webui.cli", "serve", "--port", str(port), *options],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _ended(proc: subprocess.Popen) -> tuple[int, str]:
    """``proc``'s status and output once it ends by itself; fails (and stops it) if it is still running."""
    try:
        output, _ = proc.communicate(timeout=BOOT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"duban serve still running {BOOT_SECONDS} s after gunicorn failed to boot:\n{output[-2000:]}")
    return proc.returncode, output


@pytest.mark.parametrize("options", [[], ["--no-worker"]], ids=["with-timer-worker", "no-worker"])
def test_a_taken_port_ends_serve_with_a_failure_naming_the_port(tmp_path, options):
    port = _free_port()
    with socket.socket() as taken:  # another program listening on the port
        taken.bind(("127.0.0.1", port))
        taken.listen()
        status, output = _ended(_serve(_env(tmp_path), port, *options))
    assert status != 0, output
    assert f"端口 {port} 已被占用" in output, output
    assert "Traceback" not in output


def test_gunicorn_failing_on_a_taken_port_is_explained_by_the_port(tmp_path):
    """The port taken between the check and gunicorn's bind: gunicorn's own status 1 is explained."""
    from webui import serving
    port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        assert f"端口 {port} 已被占用" in serving.exit_reason(1, "127.0.0.1", port)
    assert "退出码 1" in serving.exit_reason(1, "127.0.0.1", port)


@pytest.mark.parametrize("options", [[], ["--no-worker"]], ids=["with-timer-worker", "no-worker"])
def test_a_web_worker_that_cannot_boot_ends_serve_with_a_failure(tmp_path, options):
    """The instance folder named under a file (an administrator's slip in DUBAN_INSTANCE_PATH): the
    serving process deploys and starts gunicorn, whose web workers cannot make the folder."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    env = _env(tmp_path)
    env["DUBAN_INSTANCE_PATH"] = str(tmp_path / "a-file" / "instance")
    status, output = _ended(_serve(env, _free_port(), *options))
    assert status != 0, output[-2000:]
    assert "网站工作进程无法启动" in output, output[-2000:]


def test_a_gunicorn_configuration_error_ends_serve_with_a_failure(tmp_path):
    status, output = _ended(_serve(_env(tmp_path, GUNICORN_CMD_ARGS="--no-such-option"), _free_port()))
    assert status != 0, output[-2000:]
    assert "gunicorn 的配置有误" in output and "GUNICORN_CMD_ARGS" in output, output[-2000:]


def _wait_serving(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                assert r.status == 200
                return
        except OSError:
            assert proc.poll() is None, proc.stdout.read()[-2000:]
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.5)


def _listening_on(ctl: Path) -> list[str]:
    """The addresses the gunicorn behind control socket ``ctl`` listens on (gunicornc's ``show listeners``);
    gunicorn opens the socket once its first workers are spawned, which may answer a request before."""
    from gunicorn.ctl.client import ControlClient
    deadline = time.monotonic() + 30
    while not ctl.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with ControlClient(str(ctl), timeout=10) as client:
        return [listener["address"] for listener in client.send_command("show listeners")["listeners"]]


def _stop(proc: subprocess.Popen) -> int:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return proc.returncode


def test_two_instances_on_one_host_start_serve_and_stop_independently(tmp_path):
    """Two bureaus' sites on one host, one user, one runtime folder: each gunicorn has its own control
    socket (in its own instance folder, or named after it where that path is too long for a socket),
    answering for its own port; stopping one leaves the other serving and controllable."""
    from webui import serving
    runtime = tmp_path / "run"  # the user's XDG_RUNTIME_DIR, shared by both (gunicorn's default folder)
    runtime.mkdir(mode=0o700)
    ports = [_free_port(), _free_port()]
    sites = [tmp_path / "east", tmp_path / "west"]
    procs = [_serve(_env(site, XDG_RUNTIME_DIR=str(runtime)), port, "--no-worker") for site, port in zip(sites, ports)]
    try:
        for proc, port in zip(procs, ports):
            _wait_serving(proc, port)
        ctls = [Path(serving.control_socket(site / "instance", "127.0.0.1", port)) for site, port in zip(sites, ports)]
        assert ctls[0] != ctls[1]
        for ctl, port in zip(ctls, ports):
            assert _listening_on(ctl) == [f"http://127.0.0.1:{port}"]
        assert not (runtime / "gunicorn.ctl").exists()
        assert _stop(procs[0]) == 0  # a clean stop is still status 0
        assert not ctls[0].exists()
        _wait_serving(procs[1], ports[1])  # the other site serves on
        assert _listening_on(ctls[1]) == [f"http://127.0.0.1:{ports[1]}"]
        assert _stop(procs[1]) == 0
        assert not ctls[1].exists()
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)


def test_the_control_socket_is_named_after_the_instance_and_its_address(tmp_path):
    from webui import serving
    short = serving.control_socket(tmp_path / "i", "127.0.0.1", 8000)
    assert short == str(tmp_path.resolve() / "i" / "gunicorn-127.0.0.1-8000.ctl") or len(short) > 107 - 30
    deep = tmp_path / ("长" * 40)
    names = {serving.control_socket(deep, "127.0.0.1", port) for port in (8000, 8001)}
    names.add(serving.control_socket(deep / "other", "127.0.0.1", 8000))
    assert len(names) == 3 and all(len(os.fsencode(n)) <= 107 and n.endswith(".ctl") for n in names)


def test_no_line_per_request_unless_an_access_log_is_asked_for(tmp_path):
    """A line per request (gunicorn's access log on standard output) filled the disk of a server whose
    output went to a file; it is written only where ``--access-log`` says."""
    port = _free_port()
    proc = _serve(_env(tmp_path / "quiet"), port, "--no-worker")
    try:
        _wait_serving(proc, port)
        for _ in range(20):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).read()
    finally:
        _stop(proc)
    output = proc.stdout.read()
    assert "GET /login" not in output, output[-2000:]

    log = tmp_path / "access.log"
    port = _free_port()
    proc = _serve(_env(tmp_path / "logged"), port, "--no-worker", "--access-log", str(log))
    try:
        _wait_serving(proc, port)
        for _ in range(20):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).read()
    finally:
        _stop(proc)
    assert log.read_text(encoding="utf-8").count("GET /login") >= 20
