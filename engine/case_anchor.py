"""The case anchor (立案锚点): every new case leaves an event in a chain that is not its own, so a
case deleted together with its whole audit chain is still seen by ``duban audit verify`` (issue 15).

A case chain's head is on its case row (revision 0021): delete the row and every event of
``case:<id>`` and nothing the chains check is left pointing at it. So each start appends a
``case_anchored`` event (its ``case_id`` and case number) to the anchor chain of its case number's
counter, ``case_no:<prefix>:<year>`` (the counter's own name, ``case_numbers.counter_name``), with the
head in ``audit_head`` as any other chain's. ``audit.verify_report`` then asks that every anchored
case still has its row; removing an anchor event instead breaks the anchor chain (a missing
``seq``, a wrong previous hash, or events missing after the head), as removing any event does.
Cases started before 2026-12-04 have no anchor.

Why the counter's chain and not the ``system`` chain: a start already moves its case number's
counter under that row's lock (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, held to COMMIT: the
row made by the first start of a prefix and year, moved by every later one), so starts of one
prefix and year are serialized anyway, and the anchor head read after that lock (``FOR UPDATE`` on
PostgreSQL, queued with the counter's statement: no round trip of its own) never waits. Every start
takes the two in that order, counter then head; until 2026-12-07 the first start's counter was an
``UPDATE`` that found no row, and a start whose head read came after another's first COMMIT could
hold the head while asking for the counter row (a deadlock: tests/test_start_deadlock_s27.py). One
``system`` head would make every start of every process wait for the one before it to commit.

What it costs a start: the head read (queued with the counter's, PostgreSQL), one event's link,
the event in the step's own audit ``INSERT`` (``AuditBuffer.rows``) and one head write — measured
in one process, anchor on vs off, starts alternated, thread CPU, on a loaded machine: SQLite
+113 µs a start (A/A +14), PostgreSQL +209 µs (A/A -3), no extra round trip; a completion pays
nothing (docs/engine.md ## Audit).
"""
from __future__ import annotations

from . import audit, sqlexec

ACTION = "case_anchored"


def read_head(tx, chain: str) -> "sqlexec.Pending":
    """The anchor chain's head, queued to go with the counter's statement (PostgreSQL: read under
    the counter row's lock, so ``FOR UPDATE`` here never waits; SQLite: the writer lock holds)."""
    return sqlexec.defer(tx.conn, audit._HEAD if tx.is_sqlite else audit._HEAD_LOCKED, {"chain": chain})


def anchor(tx, chain: str, head: "sqlexec.Pending | None", case) -> None:
    """Append ``case``'s anchor to ``chain``: linked after ``head`` (read now when None), inserted
    with the step's audit events, the head moved by a statement queued now (a second start of the
    same chain in this transaction reads it after this one)."""
    if head is None:
        head = read_head(tx, chain)
    found = head.first()
    seq, prev_hash = (found.seq, found.hash) if found is not None else (0, audit.GENESIS)
    rows, seq, last = audit._linked(chain, [(case.id, case.started_by, ACTION, case.started_at, None,
                                             {"case_no": case.case_no, "process": case.process_key})],
                                    seq, prev_hash)
    tx.audit.rows.extend(rows)  # the step's one INSERT audit_event (a savepoint's rollback drops it too)
    if found is None:
        sqlexec.defer(tx.conn, audit._INSERT_HEAD, [{"chain": chain, "seq": seq, "hash": last}], many=True)
    else:
        sqlexec.defer(tx.conn, audit._MOVE_HEAD, {"b_chain": chain, "seq": seq, "hash": last})
