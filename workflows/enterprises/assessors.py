"""The registered 安全评价检测检验机构 (第三方评估机构) a form's 评估机构名称 is picked from.

A 重大事故隐患's rectification assessed by a third party (原总局令第16号第十八条) names the body that
assessed it; its 资质 is recognised by the bureau (《安全评价检测检验机构管理办法》, 应急管理部令第1号),
so the body is one the registry holds with the kind ``UnitKind.ASSESSOR``. The name was typed by
hand: 「安泰评价」, 「示范安泰安全评价(有限公司)」 and the registered 「示范安泰安全评价有限公司」 were three
bodies to every report that counted them. Now the page offers the registered names and a name is
stored as registered; a name matching none is refused — unless the registry holds no such body yet
(a bureau that has not entered them is not stopped from recording an assessment).
"""
from __future__ import annotations

import sqlalchemy as sa

from . import search_index
from .models import Enterprise
from .terms import UnitKind

PICKER_LIMIT = 500
"""At most this many names in the page's list (a province registers a few hundred)."""


def names(session) -> list[str]:
    """The registered bodies' names, in name order."""
    return list(session.scalars(sa.select(Enterprise.name).where(Enterprise.kind == UnitKind.ASSESSOR)
                                .order_by(Enterprise.name).limit(PICKER_LIMIT)))


def registered_name(session, typed: str) -> tuple[bool, str | None]:
    """(whether any body is registered, the registered name ``typed`` names or None). Matched as the
    registry's search folds names: full-width and half-width alike, brackets and blanks ignored."""
    bodies = sa.select(Enterprise.name).where(Enterprise.kind == UnitKind.ASSESSOR)
    found = session.scalar(bodies.where(Enterprise.search_key == search_index.fold(typed)).limit(1))
    if found is not None:
        return True, found
    return session.scalar(bodies.limit(1)) is not None, None
