"""Running gunicorn for ``duban serve`` (网站服务): the address checked before it starts, a control
socket of this instance's own, and why it stopped said in Chinese with a status a service manager
understands.

An administrator's systemd unit restarts ``duban serve`` when it exits with a status other than 0.
gunicorn failing to boot (the port taken, a web worker that cannot start, a configuration error)
used to leave ``duban serve`` running its timer worker without a web server, or exit 0 with
``--no-worker``: the unit believed it had stopped cleanly. Now ``duban serve`` waits on gunicorn
and, when gunicorn ends on its own with a failure, ends too with status 1 and one Chinese line.

gunicorn's control socket (``gunicornc``) defaults to one path per user
(``$XDG_RUNTIME_DIR/gunicorn.ctl``): two instances on one host (two bureaus' sites, parallel test
servers) took it from each other, and the first one stopped removed the other's. Each instance's
socket is now in its own instance folder, named by its address.
"""
from __future__ import annotations

import errno
import hashlib
import os
import socket
from pathlib import Path

# gunicorn's exit statuses (gunicorn.arbiter.Arbiter): a web worker that failed to boot, an app
# that failed to load; 1 is what it exits with when it cannot listen; 2 its command-line parser's.
WORKER_BOOT_ERROR, APP_LOAD_ERROR = 3, 4
UNIX_PATH_MAX = 107  # an AF_UNIX path is at most 108 bytes on Linux, its closing NUL included


def address_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on ``host:port``, in Chinese, or None if it can (bound and let
    go at once, as gunicorn binds: with SO_REUSEADDR)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        return f"地址 {host} 无法解析，请检查 --host（例如 127.0.0.1 或 0.0.0.0）"
    family, kind, proto, _name, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return _bind_refusal(exc, host, port)
    return None


def _bind_refusal(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"端口 {port} 已被占用（另一个程序或另一个督办实例正在使用它），"
                f"请停止占用它的程序或用 --port 换一个端口")
    if exc.errno == errno.EACCES:
        return (f"没有权限使用端口 {port}（1024 以下的端口只有 root 能用），"
                f"请用 1024 以上的端口，由反向代理转发")
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"地址 {host} 不是本机的网络地址，请检查 --host"
    return f"不能在 {host}:{port} 上监听（{exc.strerror or exc}）"


def control_socket(instance_path: str | os.PathLike, host: str, port: int) -> str:
    """This instance's gunicorn control socket: ``gunicorn-<host>-<port>.ctl`` in its instance folder
    (its data, with the secret key and uploads), or — when that path is too long for a Unix socket —
    a name derived from the folder and address in ``~/.gunicorn``, gunicorn's own per-user folder."""
    folder = Path(instance_path).resolve()
    name = f"gunicorn-{host.replace('/', '_')}-{port}.ctl"
    path = folder / name
    if len(os.fsencode(str(path))) <= UNIX_PATH_MAX:
        return str(path)
    digest = hashlib.sha256(os.fsencode(str(path))).hexdigest()[:16]
    return str(Path.home() / ".gunicorn" / f"duban-{digest}.ctl")


def exit_reason(status: int, host: str, port: int) -> str:
    """Why gunicorn ended with ``status`` (not 0), in Chinese, for the administrator's log."""
    if status == WORKER_BOOT_ERROR:
        return ("网站工作进程无法启动（上方日志有出错的原因），"
                "请检查数据库地址 DUBAN_DATABASE_URL、实例目录 DUBAN_INSTANCE_PATH 和程序安装")
    if status == APP_LOAD_ERROR:
        return "网站程序无法载入（上方日志有出错的原因），请检查程序安装"
    if status == 1:
        taken = address_problem(host, port)
        if taken:
            return taken
    if status == 2:
        return ("gunicorn 的配置有误（上方是 gunicorn 的提示），"
                "请检查环境变量 GUNICORN_CMD_ARGS 和程序目录下的 gunicorn.conf.py")
    if status < 0:
        return f"gunicorn 被信号 {-status} 终止"
    return f"gunicorn 异常退出（退出码 {status}，上方日志有出错的原因）"
