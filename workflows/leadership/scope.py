"""An org subtree (辖区) and its units one level down: figures are shown per 区 for a city, per 镇 for
a district. A case of a unit deeper down counts for the unit below the root that contains it; a case
of the root itself counts as the root's own (本级)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from engine.schema import OrgUnit


@dataclass(frozen=True)
class Scope:
    root: str
    root_name: str
    units: dict[str, str]        # child code -> name, in display order
    rollup: dict[str, str]       # every org code in the subtree -> the child (or root) it counts for
    covers_all: bool = False     # the subtree is the whole directory (queries need no org filter)

    @property
    def codes(self) -> list[str]:
        return list(self.rollup)

    def name(self, code: str) -> str:
        return self.units.get(code) or (self.root_name + "（本级）" if code == self.root else code)


def load(session, root: str) -> Scope:
    row = session.get(OrgUnit, root)
    if row is None:
        raise LookupError(f"组织机构不存在：{root}")
    rows = session.execute(sa.select(OrgUnit.code, OrgUnit.name, OrgUnit.path, OrgUnit.parent_code)
                           .where(OrgUnit.path.startswith(row.path)).order_by(OrgUnit.path)).all()
    children = [r for r in rows if r.parent_code == root]
    units = {r.code: r.name for r in sorted(children, key=lambda r: r.code)}
    rollup = {root: root}
    by_path = sorted(((r.path, r.code) for r in children), key=lambda p: -len(p[0]))
    for r in rows:
        if r.code == root:
            continue
        rollup[r.code] = next((code for path, code in by_path if r.path.startswith(path)), root)
    everything = session.execute(sa.select(sa.func.count()).select_from(OrgUnit)).scalar()
    return Scope(root, row.name, units, rollup, covers_all=everything == len(rows))


def org_in_scope(session, user_org_path: str, wanted: str | None) -> bool:
    if not wanted:
        return True
    row = session.get(OrgUnit, wanted)
    return row is not None and row.path.startswith(user_org_path)
