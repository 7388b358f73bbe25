"""The WSGI entry point for gunicorn (``duban serve`` runs ``gunicorn webui.wsgi:app``; ``--dev`` the
Werkzeug development server instead).

Each worker process builds its own engine from ``DUBAN_DATABASE_URL`` (PostgreSQL when several
processes share the work); the CSRF signing key comes from ``DUBAN_SECRET_KEY`` or the instance folder
and login sessions live in the database, so all workers agree on both. Timers are swept by ``duban worker`` or the serving process,
not by every web worker.
"""
from __future__ import annotations

import logging
import time

from engine.database import unavailable
from workflows.runtime import build_engine

from .app import create_app
from .heap import settle

log = logging.getLogger("duban.webui")


def _app_once_the_database_answers():
    """The app and its engine, built when the database answers. A web worker started — or restarted by
    gunicorn after a crash or a timeout — while the database is away (restarting, 数据库暂时无法连接)
    waits for it here: failing to boot would make gunicorn's master stop every worker ("Worker failed
    to boot")."""
    since = time.monotonic()
    while True:
        try:
            engine = build_engine(deploy=False)  # models are deployed by `duban serve` or `duban deploy`
            return create_app(engine), engine
        except Exception as exc:
            if unavailable(exc) is None:  # not to be waited out: gunicorn stops, and `duban serve` says so
                log.error("网站工作进程无法启动：%s: %s", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
                raise
            log.warning("web worker waiting for the database (%.0f s): %s", time.monotonic() - since,
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            time.sleep(1.0)


app, _engine = _app_once_the_database_answers()
_engine.warm()  # its statements rendered before the first request (Engine.warm)
settle()  # the app's own objects out of every later full collection (webui/heap.py)
