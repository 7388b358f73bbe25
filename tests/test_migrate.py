"""An existing database gains the columns and indexes a newer version of the models adds."""
from __future__ import annotations

import sqlalchemy as sa

from engine import Engine
from tests.support import deploy, make_engine


def test_upgrade_adds_missing_columns_and_indexes_and_keeps_data(database_url):
    engine = make_engine(database_url)
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east")
    with engine.db.engine.begin() as conn:  # an older database: without two newer columns and an index
        conn.exec_driver_sql("DROP INDEX ix_human_task_due")
        conn.exec_driver_sql("ALTER TABLE human_task DROP COLUMN item_label")
        conn.exec_driver_sql("ALTER TABLE human_task DROP COLUMN reminders")
    engine.dispose()
    fresh = Engine(database_url, clock=engine.clock)
    changes = fresh.create_all()
    assert sorted(changes) == ["added column human_task.item_label", "added column human_task.reminders",
                               "created index ix_human_task_due"]
    (task,) = fresh.queue("zhang")
    assert task.case_id == case.id and task.reminders == 0 and task.item_label is None
    fresh.complete(task.id, "zhang", {})
    assert fresh.create_all() == []
    cols = {c["name"] for c in sa.inspect(fresh.db.engine).get_columns("human_task")}
    assert {"item_label", "reminders"} <= cols
    fresh.dispose()
