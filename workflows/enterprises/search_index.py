"""Name-fragment search that stays fast at 100,000 enterprises, on SQLite and PostgreSQL.

Clerks search by two characters of a name (华鑫, 化工) as often as by more, and a ``LIKE '%x%'``
scan of 100k rows took 30-60 ms on SQLite (measured), and trigram indexes (FTS5 trigram, pg_trgm)
cannot serve fragments shorter than three characters. So each name is indexed by its character
bigrams and single characters:

* ``search_key`` — the name folded for matching: NFKC (full-width → half-width), case-folded, and
  only letters and digits kept, so "（集团）" and "(集团)" and "集团" all match the same names.
* ``search_grams`` — the key's bigrams in order, then its distinct single characters, space-separated.

On SQLite an external-content FTS5 table (unicode61 tokenizer) indexes ``search_grams``; a fragment of
n ≥ 2 characters is the FTS *phrase* of its n-1 bigrams (consecutive tokens ⇒ a true substring), one
character is its unigram token. On PostgreSQL a GIN index over ``string_to_array(search_grams, ' ')``
finds candidates holding every bigram and ``search_key LIKE '%key%'`` keeps the true substrings.
"""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

FTS_TABLE = "enterprises_fts"


def fold(text: str) -> str:
    """The matching form of a name or a query fragment (see module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _bigrams(key: str) -> list[str]:
    return [key[i:i + 2] for i in range(len(key) - 1)]


def key_and_grams(name: str) -> tuple[str, str]:
    """``(search_key, search_grams)`` for a name; computed in Python so bulk inserts can fill them too."""
    key = fold(name)
    unigrams = list(dict.fromkeys(key))
    return key, " ".join(_bigrams(key) + unigrams)


def _insert_trigger(name: str) -> str:
    return (f"CREATE TRIGGER IF NOT EXISTS {name}_fts_ai AFTER INSERT ON {name} BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, search_grams) VALUES (new.id, new.search_grams); END")


def install(table: sa.Table) -> None:
    """Attach the dialect's index DDL to ``table`` so ``create_all`` builds it with the table."""
    name = table.name
    sqlite_ddl = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        f"search_grams, content='{name}', content_rowid='id', tokenize='unicode61')",
        # The standard external-content triggers: the FTS table mirrors search_grams.
        _insert_trigger(name),
        f"CREATE TRIGGER IF NOT EXISTS {name}_fts_ad AFTER DELETE ON {name} BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_grams) "
        f"VALUES ('delete', old.id, old.search_grams); END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_fts_au AFTER UPDATE OF search_grams ON {name} BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_grams) "
        f"VALUES ('delete', old.id, old.search_grams); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_grams) VALUES (new.id, new.search_grams); END",
    ]
    for stmt in sqlite_ddl:
        sa.event.listen(table, "after_create", sa.DDL(stmt).execute_if(dialect="sqlite"))
    sa.event.listen(table, "before_drop", sa.DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}")
                    .execute_if(dialect="sqlite"))
    sa.event.listen(table, "after_create", sa.DDL(
        f"CREATE INDEX IF NOT EXISTS ix_{name}_grams ON {name} "
        f"USING gin (string_to_array(search_grams, ' '))").execute_if(dialect="postgresql"))


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert many rows (already carrying search_key/search_grams) and index them.

    On SQLite the per-row insert trigger costs more than the insert itself (100k rows: 16 s with
    the trigger, 8 s without plus 1 s for one ``INSERT … SELECT`` into the FTS table, measured),
    so a large batch goes in with the trigger dropped, inside the caller's transaction: if anything
    fails, the rollback restores the trigger too.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite" or len(rows) < 200:
        conn.execute(sa.insert(table), rows)
        return
    name = table.name
    before = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_fts_ai")
    conn.execute(sa.insert(table), rows)
    # New rows get ids above the old maximum (INTEGER PRIMARY KEY without AUTOINCREMENT).
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}(rowid, search_grams) "
                         f"SELECT id, search_grams FROM {name} WHERE id > ?", (before,))
    conn.exec_driver_sql(_insert_trigger(name))


class NameMatch:
    """Restricts a SELECT to enterprises whose name contains a fragment, the fast way per dialect.

    Results come newest registration first (``id`` descending): on SQLite the FTS index yields
    rowids in that order, so a page is read by walking the index and stopping after ``per_page``
    rows, whatever the number of matches. Sorting by name instead means fetching and sorting every
    match: 35-60 ms for common fragments such as 有限 or 厂 at 100k rows (measured), against 1-2 ms.
    """

    def __init__(self, table: sa.Table, dialect: str, fragment: str):
        self.table, self.dialect = table, dialect
        self.key = fold(fragment)
        self.grams = [self.key] if len(self.key) == 1 else _bigrams(self.key)
        self.fts = sa.table(FTS_TABLE, sa.column("rowid"))

    def __bool__(self) -> bool:
        """False when the fragment folds to nothing (only blanks or punctuation): no restriction."""
        return bool(self.key)

    def _fts_match(self) -> sa.ColumnElement[bool]:
        # FTS5 phrase: consecutive bigram tokens, i.e. the fragment as a true substring.
        return sa.literal_column(FTS_TABLE).op("MATCH")('"' + " ".join(self.grams) + '"')

    def _pg_match(self) -> sa.ColumnElement[bool]:
        indexed = sa.func.string_to_array(self.table.c.search_grams, sa.literal_column("' '"))
        has_grams = indexed.op("@>")(sa.cast(postgresql.array(self.grams), postgresql.ARRAY(sa.Text)))
        return sa.and_(has_grams, self.table.c.search_key.contains(self.key, autoescape=True))

    def restrict(self, stmt: sa.Select) -> sa.Select:
        """``stmt`` (selecting from the enterprises table) limited to matching names."""
        if self.dialect == "sqlite":
            return stmt.join(self.fts, self.fts.c.rowid == self.table.c.id).where(self._fts_match())
        if self.dialect == "postgresql":
            return stmt.where(self._pg_match())
        return stmt.where(self.table.c.search_key.contains(self.key, autoescape=True))

    def ids(self, filtered: bool) -> sa.Select:
        """SELECT of the matching enterprise ids, to which the caller adds its filters (for counting).

        Unfiltered on SQLite, the FTS index alone answers (4 ms to count 60k matches, against
        50 ms through the join).
        """
        if self.dialect == "sqlite" and not filtered:
            return sa.select(self.fts.c.rowid).where(self._fts_match())
        return self.restrict(sa.select(self.table.c.id))

    def order_by(self) -> sa.ColumnElement:
        if self.dialect == "sqlite":
            return self.fts.c.rowid.desc()
        return self.table.c.id.desc()
