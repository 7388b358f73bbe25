"""A business rule task's result variable (决策结果变量), filled as Camunda fills it.

Camunda models name where a decision's result goes: Camunda 8's ``zeebe:calledDecision
resultVariable="rating"`` (required there), Camunda 7's ``camunda:resultVariable`` with
``camunda:mapDecisionResult``; the gateways after them read ``rating.group`` or ``rating``.
SpiffWorkflow merges the decision's outputs into the case data by output name only, so a result
variable named otherwise was never set and the gateway after it raised an incident (Camunda 8's
insurance application example: ``=rating.group = "green"``).

The business rule task keeps the merge (what our own models read) and, when a result variable is
drawn, its post-script first sets it from the merged outputs (engine/dmn.py answers single-hit
tables with a value per output, multiple-hit ones with a list per output or the aggregate):

- Camunda 8 (no ``mapDecisionResult``): one output → its value (a list of them for a multiple-hit
  table); several → a context ``{name: value}`` (a list of contexts); an aggregation → its value.
- Camunda 7 ``mapDecisionResult``: ``singleEntry`` the value, ``singleResult`` the context,
  ``collectEntries`` the list of values, ``resultList`` (Camunda 7's default) the list of contexts.

Output names that are not plain names (a path ``a.b``, a label in place of a name) are left to the
merge. The dialect (engine/dialects.py) gives the task the properties ``resultVariable`` and
``mapDecisionResult``; the parser (engine/parser.py) calls ``assignment`` with its decision table.
"""
from __future__ import annotations

import keyword

# engine/dmn.py: hit policies that answer one rule's outputs.
SINGLE_HIT = ("UNIQUE", "FIRST", "ANY", "PRIORITY")
CAMUNDA7_MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def _plain(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def assignment(table, variable: str, mapping: str | None) -> str | None:
    """The line setting ``variable`` from the outputs ``table`` merged into the data, or None when
    there is nothing to set (no variable, an output without a plain name)."""
    variable = (variable or "").strip()
    if not _plain(variable):
        return None
    names = [(o.name or o.label or "").strip() for o in getattr(table, "outputs", ())]
    if not names or not all(_plain(n) for n in names):
        return None
    single = (table.hit_policy or "UNIQUE").upper() in SINGLE_HIT or bool(getattr(table, "aggregation", None))
    matched = f"any(v is not None for v in [{', '.join(names)}])"  # a single-hit table no rule matched
    context = "{" + ", ".join(f"{n!r}: {n}" for n in names) + "}"
    items = ", ".join(f"v{i}" for i in range(len(names)))
    row = "{" + ", ".join(f"{n!r}: v{i}" for i, n in enumerate(names)) + "}"
    rows = f"[{row} for {items} in zip({', '.join(names)})]"
    if mapping in CAMUNDA7_MAPPINGS:  # Camunda 7: the shape is drawn, whatever the table
        value = {"singleEntry": names[0] if single else f"({names[0]}[0] if {names[0]} else None)",
                 "singleResult": f"({context} if {matched} else None)" if single else f"({rows}[0] if {names[0]} else None)",
                 "collectEntries": f"([{names[0]}] if {names[0]} is not None else [])" if single else f"list({names[0]})",
                 "resultList": f"([{context}] if {matched} else [])" if single else rows}[mapping]
    elif single:  # Camunda 8: null when no rule matched
        value = names[0] if len(names) == 1 else f"({context} if {matched} else None)"
    else:
        value = f"list({names[0]})" if len(names) == 1 else rows
    return f"{variable} = {value}"
