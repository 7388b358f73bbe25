"""Keep the app's own long-lived objects out of Python's garbage collector once a server is ready.

A built app holds about 200,000 objects the collector tracks (the models' parsed specs, templates,
forms, SQLAlchemy's compiled statements). Python's oldest-generation collection walks them all: in a
request that happens to trigger one, that walk was 430–470 ms of a 600 ms 逾期督办 board at a
province's size (bench/pages.py). ``settle()`` collects what is garbage now and moves everything left
into the permanent generation (``gc.freeze``), so later collections walk only what requests make.
Objects frozen are still freed by reference counting; only cycles among them would outlive their use,
and these are the app's for the process's life. Called once per serving process after the app is
built (webui/wsgi.py, ``duban serve --dev``), by the timer worker before its first sweep (``duban
worker`` and the one ``duban serve`` runs beside gunicorn: webui/cli.py), and by bench/pages.py after
its warm-up, as a server would. Never on ``import engine`` or by ``Engine()``: a process setting.
"""
from __future__ import annotations

import gc


def settle() -> int:
    """Collect, then freeze what is left; returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
