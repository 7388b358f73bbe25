"""SQLite: the hazard facts' SELECT fenced, so that SQLite computes each fact once (issue 15).

The view's INSTEAD OF trigger (revision 0020, ``engine/case_facts.py`` ``sqlite_statements``) sets a
hazard case's five facts from one SELECT over an inner one, ``g``, that computes them. SQLite
flattened ``g`` into the outer SELECT, so every ``g.o``/``g.dd``/``g.c`` the outer one names became a
copy of that fact's whole expression: ``outcome`` and ``due_day`` compiled and computed twice, 14 day
readings instead of 8. ``LIMIT -1`` (no limit; ``g`` has one row) keeps it whole.

What that program costs is paid by more than hazard cases: SQLite compiles a trigger's program, and
those of the triggers it fires in turn, into every statement that may fire it, and runs the WHEN
inside. So every ``UPDATE case_instance`` naming a column the facts are made of — the step that ends
a case (``status``, ``ended_at``), each step that changes a case's data — carried the whole facts
program, whatever its process: ~11,400 VDBE instructions, ~2.4 ms to prepare once a connection for
each set of columns a step writes, and a few µs to run. Fenced: ~7,000 instructions, ~1.2 ms.
PostgreSQL computes the facts in a plpgsql function, each once: unchanged.

Revision ID: 0023_hazard_facts_fenced
Revises: 0022_case_status_index
"""
from alembic import op

from engine import case_facts

revision = '0023_hazard_facts_fenced'
down_revision = '0022_case_status_index'
branch_labels = None
depends_on = None


def _facts(fenced: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in case_facts.sqlite_statements(fenced=fenced):
        op.execute(statement)


def upgrade() -> None:
    _facts(True)


def downgrade() -> None:
    _facts(False)
