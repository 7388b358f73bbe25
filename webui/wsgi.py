"""The WSGI entry point for gunicorn (``duban serve`` runs ``gunicorn webui.wsgi:app``; ``--dev`` the
Werkzeug development server instead).

Each worker process builds its own engine from ``DUBAN_DATABASE_URL`` (PostgreSQL when several
processes share the work); the CSRF signing key comes from ``DUBAN_SECRET_KEY`` or the instance folder
and login sessions live in the database, so all workers agree on both. Timers are swept by ``duban worker`` or the serving process,
not by every web worker.
"""
from __future__ import annotations

from workflows.runtime import build_engine

from .app import create_app
from .heap import settle

_engine = build_engine(deploy=False)  # models are deployed by `duban serve` or `duban deploy`
app = create_app(_engine)
_engine.warm()  # its statements rendered before the first request (Engine.warm)
settle()  # the app's own objects out of every later full collection (webui/heap.py)
