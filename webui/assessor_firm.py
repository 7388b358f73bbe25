"""An assessor account's own firm on its forms (所属评估机构).

A 第三方评估机构 account linked to its registered firm (workflows/enterprises/assessors.link, set on
系统管理 › 用户) files every 评估机构名称 and 资质证书编号 under that firm: the task page shows both
filled and fixed, and whatever the page or a REST client posts for them is replaced by the firm's
(原总局令第16号第十八条; 《安全评价检测检验机构管理办法》, 应急管理部令第1号). One rule for both doors,
so an account cannot file under another firm by calling the API instead of the page.
"""
from __future__ import annotations

HELP = "按本账号所属评估机构的登记信息填写，不能修改；如有误请联系系统管理员"


def values(eng, fields, username: str) -> dict[str, str]:
    """{field: value} the account finds filled and fixed: the firm's name in each 评估机构名称 field and
    its 资质证书编号 (when registered) in 资质证书编号. Not linked, or no such field: nothing."""
    from workflows.enterprises import assessors
    bodies = [f["name"] for f in fields or [] if f["type"] == "assessment_body"]
    if not bodies:
        return {}
    with eng.db.read() as s:
        firm = assessors.firm_of(s, username)
    if firm is None:
        return {}
    out = {name: firm.name for name in bodies}
    if firm.qualification_no and any(f["name"] == assessors.QUALIFICATION_FIELD for f in fields or []):
        out[assessors.QUALIFICATION_FIELD] = firm.qualification_no
    return out
