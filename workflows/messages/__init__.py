"""The message centre (消息中心): who is told what, and through which channel.

- :mod:`.models`    tables: ``message`` (the inbox), ``message_preference`` (per-user channels),
                    ``message_outbox`` (e-mail and SMS waiting to go out), ``message_cursor``;
- :mod:`.producer`  turns the engine's audit events into messages after their step committed
                    (新待办、任务退回、转交、催办、逾期督办、审批结果、案件办结);
- :mod:`.inbox`     reads for pages: unread count, a user's messages, mark read, preferences;
- :mod:`.channels`  delivery: e-mail through SMTP (smtplib), SMS as an outbox topic another
                    system fetches and confirms (fetch-and-lock, like an external task).

Messages are produced from the audit log rather than from inside the engine's step: the engine
stays unaware of them, a message is only ever about a committed step, and a producer that was
down catches up from its cursor.
"""
from __future__ import annotations

from .models import KINDS, Message, MessagePreference, OutboxItem, create_tables  # noqa: F401
from .producer import produce  # noqa: F401


def install(engine) -> None:
    """Create the tables, start the cursor at the end of the audit log (once), and add the producer
    and e-mail delivery to the worker's sweep (``engine.sweep_jobs``, see engine/worker.py)."""
    from .channels import SmtpSettings, deliver_email
    from .producer import start_cursor
    create_tables(engine.db.engine)
    start_cursor(engine.db.engine)
    jobs = engine.__dict__.setdefault("sweep_jobs", [])
    if not any(getattr(j, "__name__", "") == "produce_messages" for j in jobs):
        def produce_messages():
            produce(engine)

        def deliver_messages():
            deliver_email(engine, SmtpSettings.from_env())
        jobs += [produce_messages, deliver_messages]
