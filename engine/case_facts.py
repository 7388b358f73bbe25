"""The hazard facts of a case, kept by the database (隐患季度统计, issue 15; revision 0011).

The 16号令 quarterly statistics (workflows/hazard_ledger.py) read, for every hazard case, the day it
was found, what became of it (not counted, closed down, open, or rectified on a day), its deadline,
the money spent and the enterprise it is counted under. Worked out in Python from each case's JSON
that took 27 s for a province's 100,000 cases. Five columns of ``case_instance`` hold them instead,
and the statistics are a grouped scan of an index.

A trigger writes them, not generated columns: a generated column re-reads the JSON for every value
it needs (PostgreSQL's ``json`` is parsed afresh by each ``->>``: 3.5 ms per write of a real case),
while the trigger reads the data once (one ``json_each`` pivot of the keys below) and only for the
two hazard processes, on writes of the columns the facts are made of. PostgreSQL runs it BEFORE the
row is written (plpgsql); SQLite, which cannot change NEW, updates the row AFTER (through a view
since revision 0020, so that other processes' writes never run the facts' program: ``sqlite_statements``).

Days are whole days since 1970-01-01 in China (Asia/Shanghai, UTC+8 since 1992). The database reads
only values in the shapes the processes write — a day ``2026-11-20``, a moment
``2026-11-23T01:00:00[.ffffff]+00:00`` (any ``±HH:MM`` offset), an amount ``3200`` / ``3200.5`` /
``3200.50`` (text or JSON number), a name or nothing — and checks the calendar itself. A case with
any other value (a day before 1992, ``2026/11/20``, ``Z``, an amount in exponent form, a number
where text belongs…) gets ``hazard_found_day = -1``: the statistics read those few cases' JSON and
count them with ``workflows.hazard_ledger.entry`` as before, so the figures never depend on what
the SQL understands (tests/test_hazard_quarter_facts.py compares the two readings case by case).
"""
from __future__ import annotations

LISTING, SELF_REPORT = "hazard_supervision", "hazard_self_report"
HAZARD_IN = f"IN ('{LISTING}', '{SELF_REPORT}')"
ODD = -1               # hazard_found_day of a case whose facts the database could not read
EXCLUDED, CLOSED_DOWN, NOT_RECTIFIED = -3, -2, -1   # hazard_outcome below 0; a day (>= 0) is 已整改 on it
NO_DEADLINE = -1       # hazard_due_day
FIRST_YEAR = 1992      # China has kept UTC+8 all year since 1992 (summer time 1986–1991)


KEYS = ("found_on", "hazard_grade", "listing_started_at", "description", "delisted_at", "rectified_at",
        "spot_check_passed", "rectify_deadline", "fix_deadline", "rectify_cost", "enterprise_name")
# 挂牌层级 (bpmn/listing_level.dmn: 省级/市级/县（区）级挂牌督办), kept since revision 0035 in the column of
# the same name beside the facts, so the 挂牌督办 board (engine/queries.listing_board) groups an index,
# not every listed case's JSON. Read from the same pivot as the facts: text, else NULL.
LEVEL = "listing_level"


class _Dialect:
    """The few pieces that differ between PostgreSQL and SQLite. Expressions read the case's values
    from ``f``: per key of ``KEYS`` its JSON type (``f.<key>_t``) and its text (``f.<key>_v``), taken
    from one ``json_each`` over the case's data (``source``), so a write parses the JSON once."""

    def __init__(self, name: str, row: str = "NEW.", values: str = "f.", level: bool = False):
        self.pg = name == "postgresql"
        self.keys = KEYS + (LEVEL,) if level else KEYS
        self.r = row  # the row's columns: NEW.status, NEW.party… in a trigger
        self.f = values  # the pivot of the data's values: f.found_on_v, f.found_on_t…

    def source(self, data: str) -> str:
        keys = ", ".join(f"'{k}'" for k in self.keys)
        if self.pg:
            cols = ", ".join(f"max(CASE WHEN key = '{k}' THEN json_typeof(value) END) AS {k}_t, "
                             f"max(CASE WHEN key = '{k}' THEN value #>> '{{}}' END) AS {k}_v" for k in self.keys)
            return f"(SELECT {cols} FROM json_each({data}) WHERE key IN ({keys})) AS f"
        cols = ", ".join(f"max(CASE WHEN key = '{k}' THEN type END) AS {k}_t, "
                         f"max(CASE WHEN key = '{k}' THEN CAST(value AS TEXT) END) AS {k}_v" for k in self.keys)
        return f"(SELECT {cols} FROM json_each({data}) WHERE key IN ({keys})) AS f"

    def text(self, key: str) -> str:
        return f"{self.f}{key}_v"

    def type_is(self, key: str, *kinds: str) -> str:
        """The JSON value's type is one of ``kinds`` (string, number, null, false) — a missing key is null."""
        names = ({"string": ("string",), "number": ("number",), "null": ("null",), "false": ("boolean",)} if self.pg
                 else {"string": ("text",), "number": ("integer", "real"), "null": ("null",), "false": ("false",)})
        test = f"COALESCE({self.f}{key}_t, 'null') IN ({', '.join(repr(n) for k in kinds for n in names[k])})"
        if self.pg and kinds == ("false",):
            return f"({test} AND {self.f}{key}_v = 'false')"
        return f"({test})"

    def str_value(self, key: str) -> str:
        return self.text(key)

    def matches(self, value: str, regex: str, globs: list[str]) -> str:
        if self.pg:
            return f"({value} ~ '{regex}')"
        return "(" + " OR ".join(f"{value} GLOB '{g}'" for g in globs) + ")"

    def digits(self, value: str) -> str:
        """Only ASCII digits, at least one."""
        return f"({value} ~ '^[0-9]+$')" if self.pg else f"({value} <> '' AND {value} NOT GLOB '*[^0-9]*')"

    def num(self, value: str, start: int, length: int) -> str:
        return f"CAST(substr({value}, {start}, {length}) AS INTEGER)"

    def column_day(self, column: str, local_day) -> str:
        """The China day of a naive-UTC timestamp column; NULL before FIRST_YEAR."""
        if self.pg:
            return (f"(CASE WHEN {column} >= TIMESTAMP '{FIRST_YEAR}-01-01 00:00:00' "
                    f"THEN (({column} + INTERVAL '8 hours')::date - DATE '1970-01-01') END)")
        # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff'.
        shape = f"{column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]*'"
        return (f"(CASE WHEN {shape} THEN (CASE WHEN {self.num(column, 1, 4)} >= {FIRST_YEAR} "
                f"THEN {local_day(self, column, '0')} END) END)")


def _civil_day(d: _Dialect, value: str) -> str:
    """Days since 1970-01-01 of the date in the first ten characters (valid, from FIRST_YEAR on)."""
    y, m, day = d.num(value, 1, 4), d.num(value, 6, 2), d.num(value, 9, 2)
    yy = f"({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)"
    doy = f"((153 * ({m} + CASE WHEN {m} > 2 THEN -3 ELSE 9 END) + 2) / 5 + {day} - 1)"
    yoe = f"({yy} % 400)"
    doe = f"({yoe} * 365 + {yoe} / 4 - {yoe} / 100 + {doy})"
    return f"(({yy} / 400) * 146097 + {doe} - 719468)"


def _valid_date(d: _Dialect, value: str) -> str:
    y, m, day = d.num(value, 1, 4), d.num(value, 6, 2), d.num(value, 9, 2)
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    last = f"(CASE WHEN {m} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)"
    return f"({y} BETWEEN {FIRST_YEAR} AND 9000 AND {m} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {last})"


def _local_day(d: _Dialect, value: str, minutes_east: str) -> str:
    """The China day of a wall time at offset ``minutes_east`` minutes from UTC (hour and minute at 12, 15)."""
    local = f"({d.num(value, 12, 2)} * 60 + {d.num(value, 15, 2)} - ({minutes_east}) + 480)"
    shift = f"(CASE WHEN {local} < 0 THEN -1 WHEN {local} < 1440 THEN 0 WHEN {local} < 2880 THEN 1 ELSE 2 END)"
    return f"({_civil_day(d, value)} + {shift})"


_DAY_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DAY_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_MOMENT_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?[+-][0-9]{2}:[0-9]{2}$"
_MOMENT_HEAD_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]"


DAY_FUNCTION = "duban_china_day"
# PostgreSQL: the same reading as ``_text_day`` written as a small function. A plpgsql expression is
# prepared afresh in every transaction, at a cost that grows with its size, used or not: the inline
# form of a day for each of six keys made a hazard case's write 0.5 ms dearer.
PG_DAY = """CREATE OR REPLACE FUNCTION DAY_FUNCTION(t text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE y integer; m integer; d integer; local integer; offset_minutes integer := 0;
BEGIN
  IF t ~ 'DAY_RE' THEN
    NULL;
  ELSIF t ~ 'MOMENT_RE' THEN
    IF substr(t, 12, 2)::integer > 23 OR substr(t, 15, 2)::integer > 59 OR substr(t, 18, 2)::integer > 59
       OR substr(t, length(t) - 4, 2)::integer > 23 OR substr(t, length(t) - 1, 2)::integer > 59 THEN
      RETURN NULL;
    END IF;
    offset_minutes := (CASE WHEN substr(t, length(t) - 5, 1) = '-' THEN -1 ELSE 1 END)
                      * (substr(t, length(t) - 4, 2)::integer * 60 + substr(t, length(t) - 1, 2)::integer);
  ELSE
    RETURN NULL;
  END IF;
  y := substr(t, 1, 4)::integer; m := substr(t, 6, 2)::integer; d := substr(t, 9, 2)::integer;
  IF y < FIRST_YEAR OR y > 9000 OR m < 1 OR m > 12 OR d < 1 THEN
    RETURN NULL;
  END IF;
  IF d > extract(day FROM make_date(y, m, 1) + interval '1 month' - interval '1 day') THEN
    RETURN NULL;
  END IF;
  IF length(t) = 10 THEN
    RETURN make_date(y, m, d) - DATE '1970-01-01';
  END IF;
  local := substr(t, 12, 2)::integer * 60 + substr(t, 15, 2)::integer - offset_minutes + 480;
  RETURN make_date(y, m, d) - DATE '1970-01-01' + floor(local / 1440.0)::integer;
END
$$"""
PG_DAY = (PG_DAY.replace("DAY_FUNCTION", DAY_FUNCTION).replace("DAY_RE", _DAY_RE)
          .replace("MOMENT_RE", _MOMENT_RE).replace("FIRST_YEAR", str(FIRST_YEAR)))


def _text_day(d: _Dialect, key: str) -> str:
    """The China day of a day or moment held as JSON text under ``key``; NULL when not in those shapes."""
    t = d.text(key)
    if d.pg:
        return f"{DAY_FUNCTION}({t})"
    is_day = d.matches(t, _DAY_RE, [_DAY_GLOB])
    if d.pg:
        is_moment = d.matches(t, _MOMENT_RE, [])
    else:
        n = f"length({t})"
        frac = f"substr({t}, 21, {n} - 26)"
        is_moment = (f"(substr({t}, 1, 19) GLOB '{_MOMENT_HEAD_GLOB}' AND substr({t}, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' "
                     f"AND ({n} = 25 OR ({n} BETWEEN 27 AND 32 AND substr({t}, 20, 1) = '.' AND {d.digits(frac)})))")
    sign = f"(CASE WHEN substr({t}, length({t}) - 5, 1) = '-' THEN -1 ELSE 1 END)"
    oh, om = f"CAST(substr({t}, length({t}) - 4, 2) AS INTEGER)", f"CAST(substr({t}, length({t}) - 1, 2) AS INTEGER)"
    time_ok = f"({d.num(t, 12, 2)} <= 23 AND {d.num(t, 15, 2)} <= 59 AND {d.num(t, 18, 2)} <= 59 AND {oh} <= 23 AND {om} <= 59)"
    # Nested CASEs: PostgreSQL may evaluate the operands of AND in any order, and a cast of text that
    # is not a number would fail the write; a CASE tests its conditions in turn.
    return (f"(CASE WHEN {is_day} THEN (CASE WHEN {_valid_date(d, t)} THEN {_civil_day(d, t)} END) "
            f"WHEN {is_moment} THEN (CASE WHEN {_valid_date(d, t)} AND {time_ok} "
            f"THEN {_local_day(d, t, f'{sign} * ({oh} * 60 + {om})')} END) END)")


def _column_day(d: _Dialect, column: str) -> str:
    return d.column_day(column, _local_day)


def _known(d: _Dialect, key: str) -> str:
    """Text or nothing: a value whose truth the database can tell as Python does."""
    return d.type_is(key, "string", "null")


def _truthy(d: _Dialect, key: str) -> str:
    return f"({d.type_is(key, 'string')} AND {d.text(key)} <> '')"


def _first_day(d: _Dialect, keys: list[str], otherwise: str) -> str:
    """``_day(data[k1] or data[k2] or …)`` with ``otherwise`` when none is set; NULL when unreadable."""
    parts = []
    for key in keys:
        parts.append(f"WHEN NOT {_known(d, key)} THEN NULL WHEN {_truthy(d, key)} THEN {_text_day(d, key)}")
    return f"(CASE {' '.join(parts)} ELSE {otherwise} END)"


def found_day(d: _Dialect) -> str:
    return _first_day(d, ["found_on"], _column_day(d, f"{d.r}started_at"))


def outcome(d: _Dialect) -> str:
    """hazard_ledger.entry's status, quarter aside: EXCLUDED, CLOSED_DOWN, NOT_RECTIFIED or the day rectified."""
    self_report, listing = f"{d.r}process_key = '{SELF_REPORT}'", f"{d.r}process_key = '{LISTING}'"
    major = f"{d.text('hazard_grade')} = '重大'"
    completed_day = _first_day(d, ["delisted_at", "rectified_at"],
                               f"COALESCE({_column_day(d, f'{d.r}ended_at')}, CASE WHEN {d.r}ended_at IS NULL THEN {NOT_RECTIFIED} END)")
    spot_failed = d.type_is("spot_check_passed", "false")
    return (f"(CASE WHEN {d.r}status = 'cancelled' THEN {EXCLUDED} "
            f"WHEN {self_report} AND NOT {_known(d, 'listing_started_at')} THEN NULL "
            f"WHEN {self_report} AND {_truthy(d, 'listing_started_at')} THEN {EXCLUDED} "
            f"WHEN {self_report} AND NOT {_known(d, 'description')} THEN NULL "
            f"WHEN {self_report} AND NOT {_truthy(d, 'description')} THEN {EXCLUDED} "
            f"WHEN {d.r}status = 'completed' THEN (CASE "
            f"WHEN {listing} AND {major} AND NOT {_known(d, 'delisted_at')} THEN NULL "
            f"WHEN {listing} AND {major} AND NOT {_truthy(d, 'delisted_at')} THEN {CLOSED_DOWN} "
            f"ELSE {completed_day} END) "
            f"WHEN {self_report} AND NOT {_known(d, 'rectified_at')} THEN NULL "
            f"WHEN {self_report} AND {_truthy(d, 'rectified_at')} AND NOT {spot_failed} "
            f"THEN {_text_day(d, 'rectified_at')} "
            f"ELSE {NOT_RECTIFIED} END)")


def due_day(d: _Dialect) -> str:
    return _first_day(d, ["rectify_deadline", "fix_deadline"], str(NO_DEADLINE))


def cost_fen(d: _Dialect) -> str:
    """``_yuan(data.rectify_cost)`` in fen (分): text or a JSON number with at most 12 digits and 2 decimals."""
    t = d.str_value("rectify_cost")
    if d.pg:
        return (f"(CASE WHEN {d.type_is('rectify_cost', 'null')} THEN 0 "
                f"WHEN {d.type_is('rectify_cost', 'string')} AND {t} = '' THEN 0 "
                f"WHEN {d.type_is('rectify_cost', 'string', 'number')} AND {t} ~ '^-?[0-9]{{1,12}}(\\.[0-9]{{1,2}})?$' "
                f"THEN CAST(CAST({t} AS numeric) * 100 AS bigint) END)")
    unsigned = f"(CASE WHEN substr({t}, 1, 1) = '-' THEN substr({t}, 2) ELSE {t} END)"
    sign = f"(CASE WHEN substr({t}, 1, 1) = '-' THEN -1 ELSE 1 END)"
    dot = f"strpos({unsigned}, '.')" if d.pg else f"instr({unsigned}, '.')"
    whole = f"(CASE WHEN {dot} = 0 THEN {unsigned} ELSE substr({unsigned}, 1, {dot} - 1) END)"
    frac = f"(CASE WHEN {dot} = 0 THEN '' ELSE substr({unsigned}, {dot} + 1) END)"
    big = "bigint" if d.pg else "INTEGER"
    fen = (f"({sign} * (CAST({whole} AS {big}) * 100 + "
           f"CASE length({frac}) WHEN 0 THEN 0 WHEN 1 THEN CAST({frac} AS {big}) * 10 ELSE CAST({frac} AS {big}) END))")
    readable = (f"({d.digits(whole)} AND length({whole}) <= 12 AND "
                f"({dot} = 0 OR (length({frac}) BETWEEN 1 AND 2 AND {d.digits(frac)})))")
    return (f"(CASE WHEN {d.type_is('rectify_cost', 'null')} THEN 0 "
            f"WHEN {d.type_is('rectify_cost', 'string')} AND {t} = '' THEN 0 "
            f"WHEN {d.type_is('rectify_cost', 'string', 'number')} AND {readable} THEN {fen} END)")


def party_key(d: _Dialect) -> str:
    """Who the case is counted under: the party's credit code, else the enterprise name, else ''."""
    return (f"(CASE WHEN NOT {_known(d, 'enterprise_name')} THEN NULL "
            f"WHEN {d.r}party IS NOT NULL AND {d.r}party <> '' THEN {d.r}party "
            f"WHEN {_truthy(d, 'enterprise_name')} THEN {d.text('enterprise_name')} ELSE '' END)")


FACTS = ("hazard_found_day", "hazard_outcome", "hazard_due_day", "hazard_cost_fen", "hazard_key")
COLUMNS = FACTS + (LEVEL,)  # every column the trigger keeps (a step writes none: engine/step.py)
WATCHED = ("data", "status", "ended_at", "party", "process_key", "started_at")  # what the facts are made of


def level_of(d: _Dialect) -> str:
    """The 挂牌层级 as text; NULL when missing or not text."""
    return f"(CASE WHEN {d.type_is(LEVEL, 'string')} THEN {d.text(LEVEL)} END)"


def select_facts(dialect: str, fenced: bool = False, level: bool = False) -> str:
    """A SELECT of the five facts (in ``FACTS`` order) of the trigger's row ``NEW``, and its 挂牌层级
    after them when ``level`` (revision 0035).

    ``fenced`` (SQLite, revision 0023): the inner SELECT ``g`` ends with ``LIMIT -1`` (no limit: it
    has one row), which keeps SQLite from flattening it into the outer one. Flattened, every ``g.o``,
    ``g.dd``, ``g.c`` the outer SELECT names was a copy of that fact's whole expression — each of
    ``outcome`` and ``due_day`` compiled and computed twice, 14 day readings instead of 8 — and that
    program is compiled into every statement that may fire the facts trigger (see
    ``sqlite_statements``)."""
    d = _Dialect(dialect, level=level)
    facts = {"o": outcome(d), "dd": due_day(d), "c": cost_fen(d), "k": party_key(d)}
    readable = " AND ".join(f"g.{name} IS NOT NULL" for name in facts)
    more = {"lv": level_of(d)} if level else {}
    inner = ", ".join(f"{e} AS {name}" for name, e in {"fd": found_day(d), **facts, **more}.items())
    fence = " LIMIT -1" if fenced else ""
    return (f"SELECT CASE WHEN {readable} THEN COALESCE(g.fd, {ODD}) ELSE {ODD} END, g.o, g.dd, g.c, g.k"
            f"{', g.lv' if level else ''} FROM (SELECT {inner} FROM {d.source('NEW.data')}{fence}) AS g")


FUNCTION, TRIGGER = "duban_case_hazard_facts", "case_instance_hazard_facts"


def create_statements(dialect: str, level: bool = False) -> list[str]:
    """DDL keeping the facts: a BEFORE trigger on PostgreSQL, AFTER triggers on SQLite (which has no
    way to change NEW); only hazard cases pay for it, and only on writes of what the facts read.
    The form of revision 0011; SQLite's is ``sqlite_statements`` since revision 0020. ``level``
    (PostgreSQL, revision 0035): the function sets ``listing_level`` too."""
    facts = select_facts(dialect)
    hazard = f"NEW.process_key {HAZARD_IN}"
    if dialect == "postgresql":
        # Procedural: the pivot read once into a record, then each fact one plpgsql expression (the
        # planner flattening one big SELECT would evaluate the facts several times over).
        d = _Dialect(dialect, values="v_", level=level)
        facts = {"o": outcome(d), "dd": due_day(d), "c": cost_fen(d), "k": party_key(d)}
        pivot = d.source("NEW.data").replace("(SELECT ", "SELECT ", 1).rsplit(") AS f", 1)[0]
        into = ", ".join(f"v_{k}_t, v_{k}_v" for k in d.keys)
        pivot = pivot.replace(" FROM json_each(NEW.data)", f" INTO {into} FROM json_each(NEW.data)", 1)
        variables = " ".join(f"v_{k}_t text; v_{k}_v text;" for k in d.keys)
        assign = "\n    ".join(f"{name} := {e};" for name, e in facts.items())
        nulls = " ".join(f"NEW.{c} := NULL;" for c in (COLUMNS if level else FACTS))
        set_level = f"\n    NEW.{LEVEL} := {level_of(d)};" if level else ""
        return [
            PG_DAY,
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"DECLARE {variables} fd integer; o integer; dd integer; c bigint; k text;\n"
            f"BEGIN\n  IF {hazard} THEN\n    {pivot};\n    {assign}\n    fd := {found_day(d)};\n"
            f"    NEW.hazard_found_day := CASE WHEN o IS NULL OR dd IS NULL OR c IS NULL OR k IS NULL "
            f"THEN {ODD} ELSE COALESCE(fd, {ODD}) END;\n"
            f"    NEW.hazard_outcome := o; NEW.hazard_due_day := dd; NEW.hazard_cost_fen := c; NEW.hazard_key := k;{set_level}\n"
            f"  ELSE\n    {nulls}\n  END IF;\n  RETURN NEW;\nEND\n$$",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON case_instance",
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF {', '.join(WATCHED)} ON case_instance "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        ]
    columns = ", ".join(FACTS)
    nulls = ", ".join(f"{c} = NULL" for c in FACTS)
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER}_insert",
        f"CREATE TRIGGER {TRIGGER}_insert AFTER INSERT ON case_instance WHEN {hazard} BEGIN "
        f"UPDATE case_instance SET ({columns}) = ({facts}) WHERE id = NEW.id; END",
        f"DROP TRIGGER IF EXISTS {TRIGGER}_update",
        f"CREATE TRIGGER {TRIGGER}_update AFTER UPDATE OF {', '.join(WATCHED)} ON case_instance "
        f"WHEN {hazard} OR OLD.process_key {HAZARD_IN} BEGIN "
        f"UPDATE case_instance SET ({columns}) = ({facts}) WHERE id = NEW.id AND {hazard}; "
        f"UPDATE case_instance SET {nulls} WHERE id = NEW.id AND NOT ({hazard}); END",
    ]


# --- SQLite: a non-hazard case's write runs none of it (revision 0020) -------------------------------
# SQLite runs a trigger as a sub-program whose registers it allocates and clears on every firing, WHEN
# clause or not — the WHEN is tested inside. The facts trigger above fires on every step's UPDATE (each
# sets ``data``) and its program is large (the facts of eleven keys): ~9 µs an UPDATE of a 5-task case
# for nothing (bare sqlite3 hot loop). Here the case's triggers are small and hand a hazard case's
# columns to a view that holds no rows, whose INSTEAD OF INSERT trigger computes the facts: the large
# program runs only when the small one inserts, i.e. for hazard cases.
FACTS_INPUT = "case_hazard_facts_input"
_INPUT_COLUMNS = ("id",) + WATCHED


def inputs_changed(old: str = "OLD.", new: str = "NEW.", level: bool = False) -> str:
    """SQL true when what the facts are made of differs between the rows ``old`` and ``new``: a column
    of ``WATCHED`` other than ``data``, or the value under any key of ``KEYS`` in ``data`` — the keys'
    values read by one ``json_extract`` of every path from each side (a JSON array of them, each value
    in its own JSON text: ``"3200"``, ``3200`` and ``3200.0`` differ, so a change of type is a change),
    not the whole text, which a step rewrites whenever any other key moves."""
    columns = " OR ".join(f"{old}{c} IS NOT {new}{c}" for c in WATCHED if c != "data")
    paths = ", ".join(f"'$.\"{k}\"'" for k in (KEYS + (LEVEL,) if level else KEYS))
    return f"({columns} OR json_extract({old}data, {paths}) IS NOT json_extract({new}data, {paths}))"


def sqlite_statements(fenced: bool = True, when_changed: bool = False, level: bool = False) -> list[str]:
    """The SQLite DDL keeping the facts since revision 0020 (replacing ``create_statements('sqlite')``);
    ``fenced``: the facts' SELECT as revision 0023 makes it (``select_facts``), else as 0020 made it.
    ``when_changed`` (revision 0033): a hazard case's write hands its row over only when what the facts
    are made of changed (``inputs_changed``). A step rewrites ``data`` whenever any of its keys moved,
    and most steps of a hazard case move none of the eleven the facts read; each such write ran the
    facts' program and a second ``UPDATE`` of the row (its three hazard indexes rewritten, three WAL
    pages more at commit) to set the facts it already had — ~125 µs of a ~140 µs ``UPDATE`` (bare
    sqlite3, ``bench/case_update.py``). The facts are a function of those inputs alone (no clock, no
    other row), so an unchanged input leaves them as they were.

    SQLite compiles a trigger's program, and the programs of the triggers its statements fire, into
    every statement that may fire it — the view's INSTEAD OF program too, for any case, when an
    ``UPDATE`` names a column of ``WATCHED``: the step that ends a case (``status``, ``ended_at``) and
    each step that changes its data. Unfenced, the ending ``UPDATE`` was 11,360 VDBE instructions and
    ~2.4 ms to prepare, once a connection for each set of columns a step writes; fenced 6,968 and
    ~1.2 ms (bare sqlite3, thread CPU), and a hazard case's ``UPDATE … SET data`` ~15% less to run
    (``bench/case_update.py``: each fact computed once).

    ``level`` (revision 0035): the view's trigger sets ``listing_level`` too, and a change of it alone
    hands the row over."""
    kept = COLUMNS if level else FACTS
    columns = ", ".join(kept)
    nulls = ", ".join(f"{c} = NULL" for c in kept)
    hazard = f"NEW.process_key {HAZARD_IN}"
    names = ", ".join(_INPUT_COLUMNS)
    hand_over = f"INSERT INTO {FACTS_INPUT} ({names}) VALUES ({', '.join(f'NEW.{c}' for c in _INPUT_COLUMNS)})"
    return sqlite_drop_statements() + [
        f"CREATE VIEW {FACTS_INPUT} AS SELECT {names} FROM case_instance WHERE 0",
        f"CREATE TRIGGER {FACTS_INPUT}_keep INSTEAD OF INSERT ON {FACTS_INPUT} BEGIN "
        f"UPDATE case_instance SET ({columns}) = ({select_facts('sqlite', fenced, level)}) WHERE id = NEW.id; END",
        f"CREATE TRIGGER {TRIGGER}_insert AFTER INSERT ON case_instance WHEN {hazard} BEGIN {hand_over}; END",
        f"CREATE TRIGGER {TRIGGER}_update AFTER UPDATE OF {', '.join(WATCHED)} ON case_instance "
        f"WHEN {hazard}{f' AND {inputs_changed(level=level)}' if when_changed else ''} BEGIN {hand_over}; END",
        # a case moved to another process (none does) keeps no facts
        f"CREATE TRIGGER {TRIGGER}_update_out AFTER UPDATE OF process_key ON case_instance "
        f"WHEN OLD.process_key {HAZARD_IN} AND NOT ({hazard}) BEGIN "
        f"UPDATE case_instance SET {nulls} WHERE id = NEW.id; END",
    ]


def sqlite_drop_statements() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}_insert", f"DROP TRIGGER IF EXISTS {TRIGGER}_update",
            f"DROP TRIGGER IF EXISTS {TRIGGER}_update_out", f"DROP VIEW IF EXISTS {FACTS_INPUT}"]


def pg_statements(when_hazard: bool, level: bool = False) -> list[str]:
    """The PostgreSQL DDL keeping the facts since revision 0031 (``when_hazard``; else as revision 0011
    made it, ``create_statements('postgresql')``).

    The BEFORE trigger is split: ``case_instance_hazard_facts`` on INSERT, as before, and
    ``case_instance_hazard_facts_update`` on UPDATE OF ``WATCHED`` only ``WHEN`` the row is, or was, a
    hazard case's: every other process's step (most steps, each writing ``data``) no longer calls the
    plpgsql function to set five NULL facts to NULL again (~14 µs of the server's time an UPDATE,
    ``EXPLAIN ANALYZE``'s trigger time, median of 300). A hazard case's write works its facts out as
    before: SQLite's skip when the eleven keys are unchanged (revision 0033, ``inputs_changed``) saves a
    second write of the row there, which PostgreSQL's BEFORE trigger never makes, and reading the old
    data's keys here cost more than the facts (the same ``json_each`` pivot again: 176–181 µs against
    137–152 for a step moving no key the facts read, 327–330 against 227–267 for one that does)."""
    drops = [f"DROP TRIGGER IF EXISTS {TRIGGER} ON case_instance", f"DROP TRIGGER IF EXISTS {TRIGGER}_update ON case_instance"]
    created = create_statements("postgresql", level)
    if not when_hazard:
        return drops + created
    assert created[-1].startswith(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF ")
    return drops + created[:-1] + [
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON case_instance FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER {TRIGGER}_update BEFORE UPDATE OF {', '.join(WATCHED)} ON case_instance FOR EACH ROW "
        f"WHEN (NEW.process_key {HAZARD_IN} OR OLD.process_key {HAZARD_IN}) EXECUTE FUNCTION {FUNCTION}()",
    ]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON case_instance",
                f"DROP TRIGGER IF EXISTS {TRIGGER}_update ON case_instance", f"DROP FUNCTION IF EXISTS {FUNCTION}()",
                f"DROP FUNCTION IF EXISTS {DAY_FUNCTION}(text)"]
    return sqlite_drop_statements()


# --- each quarter's counts per org unit, kept as the facts change (revision 0014) -------------------
# A hazard is counted in the statistics of the quarter it was found in, as of that quarter's last day,
# so what one case adds to the figures (found, 重大, rectified by then…) is fixed by its own facts: the
# tally holds the sums per (quarter, org unit, enterprise '' or not), and the page reads a few rows
# instead of one index entry per hazard of the quarter (100,000 in a province: 70 ms under load).
TALLY = "hazard_quarter_tally"
TALLY_SUMS = ("found", "found_major", "rectified", "rectified_major", "open", "overdue", "fen")
TALLY_KEY = ("quarter_first", "org_code", "blank")
TALLY_WATCHED = ("hazard_found_day", "hazard_outcome", "hazard_due_day", "hazard_cost_fen", "hazard_key",
                 "hazard_grade", "org_code")


def _quarter(dialect: str, day: str) -> tuple[str, str]:
    """(first, last) day number of the quarter of the day number ``day``."""
    if dialect == "postgresql":
        start = f"date_trunc('quarter', (DATE '1970-01-01' + {day})::timestamp)"
        return (f"(({start})::date - DATE '1970-01-01')",
                f"((({start}) + INTERVAL '3 months')::date - DATE '1970-01-01' - 1)")
    d = f"date({day} * 86400, 'unixepoch')"
    first = f"printf('%s-%02d-01', substr({d}, 1, 4), ((CAST(substr({d}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)"
    return (f"CAST(julianday({first}) - 2440587.5 AS INTEGER)",
            f"CAST(julianday(date({first}, '+3 months', '-1 day')) - 2440587.5 AS INTEGER)")


def tally_counted(r: str) -> str:
    return f"({r}.hazard_found_day >= 0 AND {r}.hazard_outcome <> {EXCLUDED})"


def tally_values(dialect: str, r: str, sign: str = "1") -> dict[str, str]:
    """Column -> what the row ``r`` (OLD, NEW, a table) adds to its tally row, times ``sign``."""
    first, last = _quarter(dialect, f"{r}.hazard_found_day")
    major = f"{r}.hazard_grade = '重大'"
    rectified = f"({r}.hazard_outcome >= 0 AND {r}.hazard_outcome <= {last})"
    still_open = f"({r}.hazard_outcome = {NOT_RECTIFIED} OR {r}.hazard_outcome > {last})"

    def flag(condition: str) -> str:
        return f"({sign}) * (CASE WHEN {condition} THEN 1 ELSE 0 END)"
    return {"quarter_first": first, "org_code": f"{r}.org_code",
            "blank": f"(CASE WHEN {r}.hazard_key = '' THEN 1 ELSE 0 END)",
            "found": f"({sign})", "found_major": flag(major), "rectified": flag(rectified),
            "rectified_major": flag(f"{rectified} AND {major}"), "open": flag(still_open),
            "overdue": flag(f"{still_open} AND {r}.hazard_due_day >= 0 AND {r}.hazard_due_day < {last}"),
            "fen": f"({sign}) * (CASE WHEN {rectified} THEN {r}.hazard_cost_fen ELSE 0 END)"}


def _tally_upsert(dialect: str, r: str, sign: str) -> str:
    values = tally_values(dialect, r, sign)
    columns = ", ".join(values)
    adds = ", ".join(f"{c} = {TALLY}.{c} + excluded.{c}" for c in TALLY_SUMS)
    # "WHERE": SQLite would read ON CONFLICT as part of a SELECT's join otherwise.
    return (f"INSERT INTO {TALLY} ({columns}) SELECT {', '.join(values.values())} WHERE {tally_counted(r)} "
            f"ON CONFLICT ({', '.join(TALLY_KEY)}) DO UPDATE SET {adds}")


def tally_fill(dialect: str) -> str:
    """The tally from the facts of every case (the revision's first fill)."""
    values = tally_values(dialect, "c")
    keys = [values[k] for k in TALLY_KEY]
    sums = [f"sum({values[c]})" for c in TALLY_SUMS]
    return (f"INSERT INTO {TALLY} ({', '.join(TALLY_KEY + TALLY_SUMS)}) SELECT {', '.join(keys + sums)} "
            f"FROM case_instance AS c WHERE {tally_counted('c')} GROUP BY {', '.join(keys)}")


TALLY_TRIGGERS = ("hazard_quarter_tally_insert", "hazard_quarter_tally_update", "hazard_quarter_tally_update_out",
                  "hazard_quarter_tally_update_in", "hazard_quarter_tally_delete")


def tally_create_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in TALLY_WATCHED)
        return [
            f"CREATE OR REPLACE FUNCTION {TALLY}_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  IF TG_OP <> 'INSERT' THEN\n    {_tally_upsert(dialect, 'OLD', '-1')};\n  END IF;\n"
            f"  IF TG_OP <> 'DELETE' THEN\n    {_tally_upsert(dialect, 'NEW', '1')};\n  END IF;\n"
            f"  RETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {TALLY}_insert AFTER INSERT ON case_instance FOR EACH ROW "
            f"WHEN ({tally_counted('NEW')}) EXECUTE FUNCTION {TALLY}_keep()",
            f"CREATE TRIGGER {TALLY}_update AFTER UPDATE ON case_instance FOR EACH ROW "
            f"WHEN (({tally_counted('OLD')} OR {tally_counted('NEW')}) AND ({changed})) EXECUTE FUNCTION {TALLY}_keep()",
            f"CREATE TRIGGER {TALLY}_delete AFTER DELETE ON case_instance FOR EACH ROW "
            f"WHEN ({tally_counted('OLD')}) EXECUTE FUNCTION {TALLY}_keep()",
        ]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TALLY_WATCHED)
    return [
        f"CREATE TRIGGER {TALLY}_insert AFTER INSERT ON case_instance WHEN {tally_counted('NEW')} "
        f"BEGIN {_tally_upsert(dialect, 'NEW', '1')}; END",
        f"CREATE TRIGGER {TALLY}_update_out AFTER UPDATE ON case_instance WHEN {tally_counted('OLD')} AND ({changed}) "
        f"BEGIN {_tally_upsert(dialect, 'OLD', '-1')}; END",
        f"CREATE TRIGGER {TALLY}_update_in AFTER UPDATE ON case_instance WHEN {tally_counted('NEW')} AND ({changed}) "
        f"BEGIN {_tally_upsert(dialect, 'NEW', '1')}; END",
        f"CREATE TRIGGER {TALLY}_delete AFTER DELETE ON case_instance WHEN {tally_counted('OLD')} "
        f"BEGIN {_tally_upsert(dialect, 'OLD', '-1')}; END",
    ]


def tally_drop_statements(dialect: str) -> list[str]:
    on = " ON case_instance" if dialect == "postgresql" else ""
    out = [f"DROP TRIGGER IF EXISTS {name}{on}" for name in TALLY_TRIGGERS]
    return out + ([f"DROP FUNCTION IF EXISTS {TALLY}_keep()"] if dialect == "postgresql" else [])
