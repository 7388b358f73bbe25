"""Demo data (演示数据): a city with two districts and their towns, a user for every role, enterprises,
and cases of every process left at several stages, some of them overdue.

``load_demo(engine)`` expects an engine built by ``workflows.runtime.build_engine`` (roles registered,
models deployed). ``Desk`` works cases the way users do — finds the open task by name, picks a user
allowed to do it, submits the form's example data with changes — and serves the demo and the tests.
Passwords are the web UI's business; users here have none.
"""
from __future__ import annotations

import datetime as dt

from engine.clock import today_in_china

from workflows.enterprises.credit_code import complete as _credit_code
from workflows.forms.samples import sample


ORGS = [  # code, name, parent, level
    ("shengfan", "示范省", None, "省"),
    ("shifan", "示范市", "shengfan", "市"),
    ("dongcheng", "东城区", "shifan", "区"),
    ("xicheng", "西城区", "shifan", "区"),
    ("dongcheng_heping", "和平镇", "dongcheng", "镇"),
    ("dongcheng_qinghe", "清河镇", "dongcheng", "镇"),
    ("xicheng_anning", "安宁镇", "xicheng", "镇"),
    ("xicheng_taiping", "太平镇", "xicheng", "镇"),
]

ENTERPRISES = {  # credit code -> name
    _credit_code("91110101MA0000001"): "示范市甲化工有限公司",
    _credit_code("91110101MA0000002"): "示范市乙机械制造有限公司",
    _credit_code("91110102MA0000003"): "示范市丙建材有限公司",
}
CHEMICAL, MACHINERY, BUILDING = list(ENTERPRISES)

USERS = [  # username, name, org, roles, party
    ("zhang_san", "张三", "dongcheng", ["inspector"], None),
    ("li_si", "李四", "dongcheng", ["inspector"], None),
    ("zhao_liu", "赵六", "dongcheng_heping", ["inspector"], None),
    ("wu_jiu", "吴九", "dongcheng_qinghe", ["inspector"], None),    # 清河镇's: its 联合检查执法's 检查人员
    ("wang_wu", "王五", "xicheng", ["inspector"], None),
    ("sun_qi", "孙七", "dongcheng", ["investigator"], None),
    ("zhou_ba", "周八", "dongcheng", ["investigator"], None),
    ("qian_ke", "钱科长", "dongcheng", ["supervisor"], None),
    ("wu_ke", "吴科长", "xicheng", ["supervisor"], None),
    ("zheng_fj", "郑副局长", "dongcheng", ["leader", "committee"], None),
    ("feng_jz", "冯局长", "dongcheng", ["director", "committee"], None),
    ("shi_jz", "石局长", "shifan", ["director"], None),
    ("shi_fj", "史副局长", "shifan", ["leader"], None),          # 市级挂牌督办: approval, extensions (escalated)
    ("shi_ke", "施科长", "shifan", ["supervisor"], None),        # 市级挂牌督办: extensions, 销号
    ("sheng_fj", "盛副厅长", "shengfan", ["leader"], None),      # 省级挂牌督办
    ("sheng_ke", "沈处长", "shengfan", ["supervisor"], None),
    ("chen_fz", "陈法制", "dongcheng", ["legal_reviewer"], None),
    ("chu_tz", "褚听证", "dongcheng", ["hearing_officer"], None),
    ("jiang_wy", "蒋副局长", "dongcheng", ["leader", "committee"], None),  # 本机关负责人 (集体讨论)
    ("shen_wy", "沈副局长", "dongcheng", ["leader", "committee"], None),  # 本机关负责人 (集体讨论)
    ("han_wy", "韩副局长", "dongcheng", ["leader", "committee"], None),  # 本机关负责人 (集体讨论)
    ("qin_fj", "秦副局长", "xicheng", ["leader"], None),   # 西城区's 分管领导: leads its 领导带队督查 (seed 004 三（一）1)
    ("an_tai", "安泰评估", "dongcheng", ["assessor"], None),
    ("yang_pg", "杨评估", "dongcheng", ["evaluator"], None),
    ("zhu_pg", "朱评估", "dongcheng", ["evaluator"], None),
    ("dc_gov", "东城区人民政府", "dongcheng", ["government"], None),
    ("sf_gov", "示范市人民政府", "shifan", ["government"], None),
    ("dc_aw", "东城区安委办", "dongcheng", ["safety_office"], None),
    ("hp_aw", "林主任", "dongcheng_heping", ["safety_office"], None),  # 和平镇安委办: its 联席会议, 联合检查执法, reminders
    ("qh_aw", "郭主任", "dongcheng_qinghe", ["safety_office"], None),  # 清河镇安委办: the same for 清河镇
    ("xc_aw", "西城区安委办", "xicheng", ["safety_office"], None),       # 西城区's: convenes and leads its own (seed 004)
    ("he_sl", "何受理", "dongcheng", ["intake"], None),
    ("sms_gw", "短信网关", "shifan", ["gateway"], None),
    ("xu_sj", "许设计", "shifan", ["designer"], None),
    ("admin", "系统管理员", "shifan", ["admin"], None),
    ("jia_qy", "甲化工安全员", "dongcheng", ["enterprise"], CHEMICAL),
    ("yi_qy", "乙机械安全员", "dongcheng", ["enterprise"], MACHINERY),
    ("bing_qy", "丙建材安全员", "xicheng", ["enterprise"], BUILDING),
]


def account_lines(engine) -> list[str]:
    """What ``duban serve --demo`` prints of the demo's accounts: one a role (the first of ``USERS`` that
    holds it), 「  角色  用户名  姓名（单位）」 — a line per role, not one per account (there are ~40)."""
    roles, orgs = engine.directory.names("roles", None), engine.directory.names("orgs", None)
    shown: dict[str, str] = {}
    for username, name, org, codes, _party in USERS:
        for code in codes:
            if code not in shown:
                shown[code] = f"  {roles.get(code, code)}：{username}  {name}（{orgs.get(org, org)}）"
    return list(shown.values())


def load_directory(engine) -> None:
    d = engine.directory
    for code, name, parent, level in ORGS:
        d.add_org(code, name, parent=parent, level=level)
    for username, name, org, roles, party in USERS:
        d.add_user(username, org=org, roles=roles, name=name, party=party)


class Desk:
    """Works a case's tasks as its users would (for the demo and the scenario tests)."""

    def __init__(self, engine):
        self.engine = engine

    def today(self) -> dt.date:
        return today_in_china(self.engine.clock)

    def open_tasks(self, case_id: int) -> list:
        return list(self.engine.case(case_id).tasks)

    def names(self, case_id: int) -> list[str]:
        return sorted(t.name for t in self.open_tasks(case_id))

    def task(self, case_id: int, name: str, which: int | None = None):
        """The open task ``name``; ``which`` picks one of several (multi-instance tasks)."""
        found = [t for t in self.open_tasks(case_id) if t.name == name]
        if which is not None and len(found) > which:
            return found[which]
        if len(found) != 1:
            raise LookupError(f"case {case_id}: {len(found)} open tasks named {name!r}; open: {self.names(case_id)}")
        return found[0]

    def user_for(self, task) -> str:
        if task.assignee:
            return task.assignee
        users = self.engine.directory.users_with_role(task.role_code)
        for username in users:
            if self.engine.may_work(task.id, username):
                return username
        raise LookupError(f"nobody may work {task.name} ({task.role_code}, {task.org_code})")

    def do(self, case_id: int, name: str, user: str | None = None, which: int | None = None, **changes):
        """Complete the open task ``name`` with its form's example data updated by ``changes``."""
        task = self.task(case_id, name, which)
        data = sample(task.form_key, self.today(), self.engine.clock.now()) if task.form_key else {}
        data.update(changes)
        self.engine.complete(task.id, user or self.user_for(task), data)
        return task

    def reached(self, process_key: str | None = None) -> set[str]:
        """Element ids of every user task opened so far in the cases of ``process_key`` (from the audit)."""
        seen = set()
        for case in self.engine.cases(process_key=process_key, limit=100_000):
            for event in self.engine.case(case.id).history:
                if event["action"] == "task_opened":
                    seen.add(event["detail"]["element"])
        return seen

    def start(self, process_key: str, by: str, org: str, party: str | None = None, title: str = "", **data):
        return self.engine.start(process_key, by=by, org=org, data=data, title=title, party=party)


ENTERPRISE_RECORDS = {  # credit code -> the rest of its file (一企一档)
    CHEMICAL: {"org_unit": "dongcheng", "sector": "危化", "size": "中型", "risk_level": "橙",
               "address": "示范市东城区化工园区一路8号", "legal_rep": "钱大成", "safety_manager": "孙建平"},
    MACHINERY: {"org_unit": "dongcheng", "sector": "工贸", "size": "小型", "risk_level": "黄",
                "address": "示范市东城区机械路16号", "legal_rep": "赵立新", "safety_manager": "周海涛"},
    BUILDING: {"org_unit": "xicheng", "sector": "工贸", "size": "小型", "risk_level": "红",
               "address": "示范市西城区建材街3号", "legal_rep": "吴志刚", "safety_manager": "郑丽"},
}


ASSESSMENT_BODIES = {  # credit code -> name: 安全评价检测检验机构 the 第三方评估 picks from (安泰评估's own first)
    _credit_code("91110101MA0000AP1"): "示范安泰安全评价有限公司",
    _credit_code("91110102MA0000AP2"): "示范华安检测检验有限公司",
}


ASSESSOR_STAFF = {  # assessor account -> (its firm's credit code, the firm's 资质证书编号)
    "an_tai": (next(iter(ASSESSMENT_BODIES)), "APJ-(示)-001"),
}


def link_assessors(engine) -> None:
    """安泰评估 (an_tai) works for 示范安泰安全评价有限公司: its 第三方评估整改效果 comes filled with the firm's
    name and 资质证书编号 instead of picked and typed each time (workflows/enterprises/assessors.link)."""
    from workflows.enterprises import assessors
    for username, (code, number) in ASSESSOR_STAFF.items():
        assessors.set_qualification(engine, code, number, by="demo")
        assessors.link(engine, username, code, by="demo")


def register_enterprises(engine) -> None:
    """The demo's enterprises in the registry, so pages show names, files and risk levels, and its
    安全评价检测检验机构 (the 评估机构名称 picker of 第三方评估整改效果)."""
    from workflows.enterprises.registry import EnterpriseRegistry
    registry = EnterpriseRegistry(engine.db.engine, clock=engine.clock.now, read=engine.db.read)
    for code, name in ENTERPRISES.items():
        if registry.get(code) is None:
            registry.add({"credit_code": code, "name": name, **ENTERPRISE_RECORDS[code]}, by="demo")
    for code, name in ASSESSMENT_BODIES.items():
        if registry.get(code) is None:
            registry.add({"credit_code": code, "name": name, "org_unit": "dongcheng", "sector": "其他",
                          "size": "小型", "kind": "安全评价检测检验机构"}, by="demo")


class Timeline:
    """The demo's weeks before today (演示数据的时间线): the engine's clock is set back and walked forward a
    day at a time, the due timers swept each day, so each case starts on its own day, its reminders
    (催办) come before its deadline and an escalation (升级督办) on the day its deadline passed — as a
    bureau's cases would have — instead of every timer firing the moment the data is loaded. Only the
    shift of the engine's ``ShiftedClock`` (workflows/runtime.py) moves; the engine runs as it always does,
    and the clock is back where it was when ``end`` returns."""

    def __init__(self, engine, days: int):
        self.engine = engine
        self.clock = engine.clock
        self.home = getattr(self.clock, "offset", None)  # None: no shift to move (an engine built by hand)
        if self.home is not None:
            self.clock.offset = self.home - dt.timedelta(days=days)

    def at(self, days_ago: int) -> None:
        """Walk forward to ``days_ago`` days before today, sweeping due timers each day on the way."""
        if self.home is None:
            return
        target = self.home - dt.timedelta(days=days_ago)
        while self.clock.offset < target:
            self.clock.offset = min(self.clock.offset + dt.timedelta(days=1), target)
            self.engine.run_due_timers()

    def end(self) -> None:
        self.at(0)


CHEMICAL_STANDARD = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》"
TRADE_STANDARD = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"


def _listed(party: str, location: str, description: str, criterion: str, requirements: str, goal: str,
            methods: str, *, sector: str = "危化", person: str = "钱大成（总经理）", deadline: str | None = None):
    """(登记隐患 … 下达挂牌督办通知书并公开, 提交整改方案（双报告）) of a 重大事故隐患 with its own facts: the
    forms' examples describe one hazard (甲化工's 二号罐区), which the demo's other listed hazards repeated —
    the 液氨储罐区's 整改要求 named 二号罐区, 乙机械's 涂装线 was a 液化烃储罐 of 甲化工."""
    propose = {"responsible_unit": ENTERPRISES[party], "responsible_person": person, "requirements": requirements}
    if deadline:
        propose["rectify_deadline"] = deadline
    listing = [("登记隐患", {"enterprise_name": ENTERPRISES[party], "sector": sector, "location": location,
                             "description": description, "major_criterion": criterion}),
               ("提出挂牌督办建议", propose), "审核挂牌建议", "批准挂牌督办", "下达挂牌督办通知书并公开"]
    plan = ("提交整改方案（双报告）", {"plan_goals": goal, "plan_methods": methods,
                                     "plan_safety": f"整改期间{location}停止使用，制定专项应急预案并组织演练"})
    return listing, plan


def _penalty(facts: str, cause: str, found: str, legal_basis: str, penalty_basis: str) -> dict:
    """The changes that make an enforcement case's steps tell one story (the forms' examples are all a
    重大危险源 without monitoring): {step: changes}."""
    return {"初步核查": {"violation_facts": facts, "legal_basis": legal_basis},
            "立案审批": {"case_cause": cause},
            "调查取证": {"facts_found": found},
            "案件处理呈批": {"violation": cause, "legal_basis": legal_basis, "penalty_basis": penalty_basis}}


# 乙机械未开展安全培训案: the duty is 《安全生产法》第二十八条第一款 (教育和培训), its penalty 第九十七条第（三）项
# (责令限期改正，处十万元以下的罚款) — not 第四十条 (重大危险源), which the example cited.
TRAINING = _penalty("新招用的3名冲压工未经岗前安全生产教育和培训即上岗作业",
                    "未按照规定对从业人员进行安全生产教育和培训",
                    "抽查冲压车间12名从业人员的安全生产教育和培训档案，3名新招用冲压工无岗前培训记录，已上岗作业两周",
                    "《安全生产法》第二十八条第一款", "《安全生产法》第九十七条第（三）项")
# 丙建材粉尘防爆案: 安全设备 not installed to the national standard (GB 15577), 第三十六条第一款 / 第九十九条第（二）项.
DUST = _penalty("粉碎车间除尘系统未按规定设置泄爆、隔爆装置", "安全设备的安装不符合国家标准",
                "粉碎车间袋式除尘器未设泄爆口，除尘管道未设隔爆阀，不符合《粉尘防爆安全规程》（GB 15577）",
                "《安全生产法》第三十六条第一款", "《安全生产法》第九十九条第（二）项")
# 甲化工违规动火作业案: 动火 without anyone managing it on site (第四十三条), not corrected by the date ordered, so
# 第一百零一条第（三）项's 十万元以上二十万元以下 applies to the 150,000 yuan proposed.
HOT_WORK = _penalty("在液化烃罐区动火作业未安排专门人员进行现场安全管理，经责令限期改正逾期未改正",
                    "进行动火作业未安排专门人员进行现场安全管理",
                    "9月12日检查发现罐区动火无专人监护，责令9月19日前改正；9月26日复查，动火作业仍无专人现场管理",
                    "《安全生产法》第四十三条", "《安全生产法》第一百零一条第（三）项")
# 乙机械有限空间作业案: 有限空间 is a 危险作业 of 第四十三条 too.
CONFINED = _penalty("组织人员进入清洗池有限空间作业，未安排专门人员进行现场安全管理",
                    "进行有限空间作业未安排专门人员进行现场安全管理",
                    "清洗池清淤作业时未检测气体、未设监护人，作业审批单无监护人签字",
                    "《安全生产法》第四十三条", "《安全生产法》第一百零一条第（三）项")


def _report(summary: str, direct: str, technical: str, management: str, persons: list, measures: list) -> dict:
    """起草事故调查报告's causes, the people held responsible and the measures, for one accident (the
    example's are a reactor's overpressure explosion)."""
    return {"report_summary": summary, "direct_cause": direct, "technical_causes": technical,
            "management_causes": management, "responsible_persons": persons,
            "responsible_units": [{"name": ENTERPRISES[CHEMICAL], "credit_code": None,
                                   "responsibility": "未落实安全生产主体责任", "proposed_handling": "行政处罚",
                                   "administrative_penalty": True}],
            "measures": measures}


def _person(name: str, position: str, responsibility: str, handling: str) -> dict:
    return {"name": name, "position": position, "unit": ENTERPRISES[CHEMICAL], "responsibility": responsibility,
            "proposed_handling": handling, "administrative_penalty": handling == "行政处罚"}


def _measures(today: dt.date, *measures: tuple[str, int]) -> list[dict]:
    return [{"measure": m, "owner": ENTERPRISES[CHEMICAL], "due_date": (today + dt.timedelta(days=d)).isoformat()}
            for m, d in measures]


def _poisoning_report(today: dt.date) -> dict:
    return _report(
        "作业人员未经气体检测、未办理受限空间作业审批进入三号反应釜清理残料，因釜内氮气置换后氧含量不足窒息",
        "进入反应釜前未进行通风和气体检测，釜内氧含量不足导致作业人员窒息", "反应釜氮气置换后未设隔离和警示",
        "未执行受限空间作业审批制度，现场无监护人员，施救人员未佩戴呼吸器盲目施救",
        [_person("刘某", "车间主任", "违章指挥未经审批进入受限空间作业", "移送司法机关"),
         _person("钱大成", "总经理", "未履行主要负责人安全生产管理职责", "行政处罚")],
        _measures(today, ("全面排查受限空间并建立台账、设置警示标识", 30), ("配备气体检测仪和正压式空气呼吸器并开展救援演练", 45)))


def _burn_report(today: dt.date) -> dict:
    return _report(
        "检修碱液输送泵时未泄压、未隔离即拆卸管道接头，碱液喷出造成作业人员灼烫",
        "未泄压、未隔离即拆卸带压碱液管道", "碱液管道未设检修隔离阀和泄压排放设施",
        "未执行检修作业票证制度，作业人员未佩戴防护面罩和防化服",
        [_person("王某", "维修班长", "违章组织带压拆卸管道", "移送司法机关"),
         _person("钱大成", "总经理", "未履行主要负责人安全生产管理职责", "行政处罚")],
        _measures(today, ("碱液管道增设检修隔离阀和泄压排放设施", 30), ("修订检修作业票证制度并全员培训", 45)))


def _steps(names, changes: dict) -> list:
    return [(n, changes[n]) if n in changes else n for n in names]


HISTORY_DAYS = 70  # the oldest case: an accident 70 days ago, its 60-day investigation overdue since day 60


def load_demo(engine) -> dict[str, int]:
    """Org units, users, and cases of every process at several stages, some overdue.

    Works on any clock. The cases that show time passing start in the weeks before today (``Timeline``):
    an accident 70 days ago whose 60-day investigation is overdue, a 重大 hazard listed 50 days ago whose
    deadline passed 5 days ago after its reminders, an investigation of 35 days reminded of its 60, a
    penalty unpaid since its 15 days ran out, a self-reported hazard due yesterday, a one-year assessment overdue since
    35 days ago; the rest are today's and on time. Returns case ids by label.
    """
    desk = Desk(engine)
    today = desk.today()
    ago = lambda days: (today - dt.timedelta(days=days)).isoformat()        # noqa: E731
    time = Timeline(engine, HISTORY_DAYS)
    load_directory(engine)
    register_enterprises(engine)
    link_assessors(engine)
    cases: dict[str, int] = {}

    def case(label, process, by, party=None, title="", steps=(), org="dongcheng"):
        cid = desk.start(process, by=by, org=org, party=party, title=title).id
        cases[label] = cid
        for step in steps:
            name, changes = step if isinstance(step, tuple) else (step, {})
            desk.do(cid, name, **changes)
        return cid

    listing = ["登记隐患", "提出挂牌督办建议", "审核挂牌建议", "批准挂牌督办", "下达挂牌督办通知书并公开"]
    general = ("登记隐患", {"enterprise_name": ENTERPRISES[MACHINERY], "sector": "工贸", "major_criterion": None,
                            "requires_shutdown": False,
                            "long_rectification": False, "description": "配电箱防护门破损", "location": "冲压车间"})
    # The weeks before today, oldest first.
    # 丙建材 was in 东城区 when 东城区's bureau opened its three cases below, and has since moved (迁址) to
    # 西城区: a case is opened by the bureau of the enterprise's territory (属地管理, 《中华人民共和国行政处罚法》
    # 第二十二条: engine/policy.Policy.check_party_territory) and stays with the bureau that opened it.
    from workflows.enterprises.registry import EnterpriseRegistry
    registry = EnterpriseRegistry(engine.db.engine, clock=engine.clock.now, read=engine.db.read)
    registry.update(BUILDING, {"org_unit": "dongcheng"})
    time.at(70)  # 事故调查: the 60-day investigation (条例 第二十九条) runs out 10 days ago → 调查超期督办
    case("accident_overdue", "accident_investigation", "zhou_ba", BUILDING, "丙建材“坍塌”事故（调查超期）",
         [("事故信息接报", {"enterprise_name": ENTERPRISES[BUILDING], "accident_type": "坍塌",
                            "accident_title": "示范市丙建材有限公司原料库坍塌事故", "location": "原料库",
                            "deaths": 1, "serious_injuries": 1, "minor_injuries": 1,
                            "summary": "原料库钢结构顶棚坍塌，造成1人死亡、1人重伤、1人轻伤"}),
          "逐级上报事故信息", "成立事故调查组"])
    time.at(60)  # 批复后一年内评估, 批复 400 days ago: the year ran out 35 days ago → 评估逾期督办
    overdue = desk.start("post_case_assessment", by="dc_gov", org="dongcheng", party=BUILDING,
                         title="丙建材“高处坠落”事故整改评估（逾期）",
                         accident_title="示范市丙建材有限公司高处坠落事故", enterprise_name=ENTERPRISES[BUILDING],
                         accident_grade="一般", approved_at=f"{ago(400)}T10:00:00+08:00", organised_by="县级人民政府",
                         measures=[{"measure": "高处作业安全带挂点改造", "owner": ENTERPRISES[BUILDING],
                                    "due_date": ago(300)}],
                         responsible_persons=[{"name": "孙某", "proposed_handling": "行政处罚"}], responsible_units=[])
    cases["assessment_overdue"] = overdue.id
    time.at(50)  # 重大隐患 listed, due 5 days ago: reminded 10 and 3 working days before, then 约谈
    painting, plan = _listed(
        MACHINERY, "涂装车间喷漆室、调漆间", "喷漆室、调漆间未设置可燃气体报警装置，照明灯具和排风机为非防爆型",
        TRADE_STANDARD + "机械企业：涂装调漆间和喷漆室未按照规定设置可燃气体报警装置和防爆电气设备设施",
        "设置可燃气体报警装置并与排风联锁，照明、排风电气设备更换为防爆型，整改期间喷漆室、调漆间停止使用",
        "消除涂装车间喷漆室、调漆间无可燃气体报警、电气设备非防爆的重大事故隐患",
        "委托有资质单位设计安装可燃气体报警装置，照明、排风电气设备更换为防爆型", sector="工贸",
        person="赵立新（总经理）", deadline=ago(5))
    case("hazard_overdue", "hazard_supervision", "li_si", MACHINERY, "乙机械涂装线重大隐患（逾期）",
         painting + [plan, "审查整改方案"])
    time.at(35)  # an accident under investigation for 35 days: reminded of its 60 days (催办), on time
    case("accident_investigating", "accident_investigation", "sun_qi", CHEMICAL, "甲化工“爆炸”事故",
         ["事故信息接报", "逐级上报事故信息", "成立事故调查组"])
    time.at(20)  # a penalty decided and served 20 days ago, unpaid after its 15 days → 催告当事人履行
    case("enforcement_unpaid", "enforcement_case", "li_si", BUILDING, "丙建材粉尘防爆案（罚款逾期）",
         [("初步核查", {**DUST["初步核查"], "party_name": ENTERPRISES[BUILDING]}), ("立案审批", DUST["立案审批"]),
          ("调查取证", DUST["调查取证"]), ("案件处理呈批", {**DUST["案件处理呈批"], "fine_amount": "30000"}),
          "法制审核", "送达行政处罚告知书", "陈述申辩或申请听证",
          "负责人审批", ("送达行政处罚决定书", {"decision_served_on": ago(20)})], org="dongcheng")
    registry.update(BUILDING, {"org_unit": ENTERPRISE_RECORDS[BUILDING]["org_unit"]})   # 迁址: now 西城区's
    time.at(12)  # 一般隐患 found 12 days ago, to be fixed by 2 days ago → 一般隐患逾期督促
    case("hazard_general_overdue", "hazard_supervision", "zhao_liu", MACHINERY, "乙机械配电箱防护缺失（逾期）",
         [(general[0], {**general[1], "fix_deadline": ago(2)})])
    time.at(10)  # 自查 found 10 days ago, to be fixed by yesterday → 督促整改逾期隐患
    case("self_report_overdue", "hazard_self_report", "yi_qy", MACHINERY, "乙机械行车限位失效（自查，逾期）",
         [("自查上报隐患", {"enterprise_name": ENTERPRISES[MACHINERY], "location": "装配车间行车",
                            "description": "行车上升限位器失效", "found_on": ago(10), "fix_deadline": ago(1)})])
    time.end()
    # Today's work, on time.
    case("hazard_registered", "hazard_supervision", "zhang_san", MACHINERY, "乙机械冲压车间隐患")
    case("hazard_plan_review", "hazard_supervision", "zhang_san", CHEMICAL, "甲化工二号罐区重大隐患",
         listing + ["提交整改方案（双报告）"])
    ammonia, plan = _listed(
        CHEMICAL, "液氨储罐区", "液氨储罐区（二级重大危险源）未实现紧急切断功能，未配备独立的安全仪表系统",
        CHEMICAL_STANDARD + "第五项",
        "液氨储罐进出料管道设置紧急切断阀，配备独立的安全仪表系统，整改期间液氨储罐区停止使用",
        "消除液氨储罐区无紧急切断功能、无独立安全仪表系统的重大事故隐患",
        "委托有资质单位设计，安装紧急切断阀和独立的安全仪表系统，与液位、压力、氨气浓度联锁")
    case("hazard_rectifying", "hazard_supervision", "li_si", CHEMICAL, "甲化工液氨储罐区重大隐患",
         ammonia + [plan, "审查整改方案"])
    chlorine, plan = _listed(
        CHEMICAL, "氯碱车间至液氯包装站氯气管道", "氯气输送管道穿越厂区外的园区三路公共区域",
        CHEMICAL_STANDARD + "第八项", "氯气管道改由厂区内敷设，不得穿越厂区外公共区域；改线前降压输送并加密巡检",
        "消除氯气输送管道穿越厂区外公共区域的重大事故隐患", "委托有资质单位重新设计厂区内管廊，氯气管道改线敷设后拆除原管道")
    case("hazard_assessing", "hazard_supervision", "zhang_san", CHEMICAL, "甲化工氯气输送管道重大隐患（待第三方评估）",
         chlorine + [plan, "审查整改方案",
                     ("实施整改", {"rectify_action": "整改完成", "assessment_mode": "委托第三方评估",
                                   "rectify_summary": "氯气管道已改由厂区内管廊敷设，原穿越园区三路的管道已拆除"})])
    petrol, plan = _listed(
        CHEMICAL, "一号罐区", "汽油储罐区（一级重大危险源）未实现紧急切断功能", CHEMICAL_STANDARD + "第五项",
        "按标准设置紧急切断装置并与液位、压力联锁，整改期间一号罐区停止使用",
        "消除一号罐区汽油储罐无紧急切断装置的重大事故隐患", "委托有资质单位设计、安装紧急切断阀并与液位、压力联锁")
    case("hazard_delisted", "hazard_supervision", "zhang_san", CHEMICAL, "甲化工一号罐区重大隐患（已销号）",
         petrol + [plan, "审查整改方案", "实施整改", "第三方评估整改效果", "提交销号申请",
                   "现场复查", "审查同意恢复生产经营", "审批销号", "公告摘牌"])
    # 事故调查处理
    case("accident_reported", "accident_investigation", "sun_qi", MACHINERY, "乙机械“机械伤害”事故",
         [("事故信息接报", {"accident_title": "示范市乙机械制造有限公司机械伤害事故",
                            "enterprise_name": ENTERPRISES[MACHINERY], "accident_type": "机械伤害",
                            "location": "冲压车间", "serious_injuries": 0, "minor_injuries": 0,
                            "direct_loss": "1500000", "summary": "冲床伤人，1人死亡"})])
    case("accident_gate_blocked", "accident_investigation", "zhou_ba", CHEMICAL, "甲化工“中毒窒息”事故",
         [("事故信息接报", {"accident_type": "中毒和窒息", "accident_title": "示范市甲化工有限公司中毒窒息事故",
                            "location": "三号反应釜", "deaths": 1, "serious_injuries": 1, "minor_injuries": 0,
                            "summary": "作业人员未经气体检测进入反应釜清理，1人中毒窒息死亡，施救者1人重伤"}),
          "逐级上报事故信息", "成立事故调查组", "调查取证",
          ("起草事故调查报告", {**_poisoning_report(today), "education_done": False, "education_record": None})])
    closed = case("accident_closed", "accident_investigation", "sun_qi", CHEMICAL, "甲化工“灼烫”事故（已结案）",
                  [("事故信息接报", {"accident_type": "灼烫", "accident_title": "示范市甲化工有限公司灼烫事故",
                                     "location": "碱液输送泵房", "deaths": 1, "serious_injuries": 2, "minor_injuries": 0,
                                     "summary": "检修碱液泵时管道接头脱开，碱液喷出，造成1人死亡、2人重伤"}),
                   "逐级上报事故信息", "成立事故调查组", "调查取证",
                   ("起草事故调查报告", _burn_report(today)), "批复事故调查报告", "落实处分和移送司法"])
    desk.do(closed, "跟踪整改措施落实", which=0)
    desk.do(closed, "跟踪整改措施落实", which=0)
    desk.do(closed, "公开事故调查报告")
    desk.do(closed, "结案审批")
    # 执法案件
    to_review = ["初步核查", "立案审批", "调查取证", "案件处理呈批"]
    case("enforcement_review", "enforcement_case", "zhang_san", CHEMICAL, "甲化工重大危险源监控案", to_review)
    case("enforcement_statement", "enforcement_case", "li_si", MACHINERY, "乙机械未开展安全培训案",
         [("初步核查", {**TRAINING["初步核查"], "party_name": ENTERPRISES[MACHINERY]}), ("立案审批", TRAINING["立案审批"]),
          ("调查取证", TRAINING["调查取证"]), ("案件处理呈批", {**TRAINING["案件处理呈批"], "fine_amount": "20000"}),
          "法制审核", "送达行政处罚告知书"])
    case("enforcement_vote", "enforcement_case", "zhang_san", CHEMICAL, "甲化工违规动火作业案",
         _steps(to_review[:3], HOT_WORK)
         + [("案件处理呈批", {**HOT_WORK["案件处理呈批"], "fine_amount": "150000",
                              "proposal_reason": "经责令限期改正逾期未改正"}), "法制审核", "送达行政处罚告知书",
            ("陈述申辩或申请听证", {"party_response": "放弃"}), "组织集体讨论"])
    load_self_reports(desk, case, ago)
    load_tipoffs(case)
    cases.update(load_inspection_plans(engine, desk))
    cases.update(load_case_reviews(engine, desk))
    cases.update(load_accident_supervision(engine, desk, cases))
    from workflows.demo_hazard_reports import load_hazard_reports  # 统计分析表 (16号令第十四条): its own walk of the clock
    cases.update(load_hazard_reports(engine, desk))
    from workflows.demo_leader_inspection import load_leader_inspections  # 领导带队督查 (seed 004): 4/4 and 2/4
    cases.update(load_leader_inspections(engine, desk))
    from workflows.demo_joint import load_joint_mechanisms  # 联席会议、联合检查执法 (seed 004): 4/4 and 2/4
    cases.update(load_joint_mechanisms(engine, desk))
    engine.run_due_timers()
    return cases


def load_self_reports(desk, case, ago) -> None:
    """隐患自查自报: enterprise users report what their own checks found, at several stages."""
    general = {"enterprise_name": ENTERPRISES[MACHINERY]}
    case("self_report_rectifying", "hazard_self_report", "yi_qy", MACHINERY, "乙机械冲床光电保护失灵（自查）",
         [("自查上报隐患", general)])
    case("self_report_filed", "hazard_self_report", "yi_qy", MACHINERY, "乙机械砂轮机防护罩缺失（已整改待备案）",
         [("自查上报隐患", {**general, "location": "机加工车间", "description": "砂轮机防护罩缺失"}),
          "整改并报告销号"])
    case("self_report_closed", "hazard_self_report", "jia_qy", CHEMICAL, "甲化工静电接地线断开（已销号）",
         [("自查上报隐患", {"enterprise_name": ENTERPRISES[CHEMICAL], "sector": "危化",
                            "location": "装卸站台", "description": "槽车静电接地线断开"}),
          "整改并报告销号", "销号备案审查"])
    case("self_report_major", "hazard_self_report", "jia_qy", CHEMICAL, "甲化工可燃气体报警失效（自报重大隐患）",
         [("自查上报隐患", {"enterprise_name": ENTERPRISES[CHEMICAL], "sector": "危化",
                            "location": "三号罐区", "description": "可燃气体检测报警系统失效且无法短期修复",
                            "long_rectification": True, "fix_deadline": None})])


def load_tipoffs(case) -> None:
    """12350举报核查: tip-offs at intake, under verification, awaiting the reward and paid."""
    title = "12350举报：甲化工储罐区违规动火"
    case("tipoff_classify", "tipoff_12350", "he_sl", CHEMICAL, title, ["受理登记举报"])
    case("tipoff_verifying", "tipoff_12350", "he_sl", CHEMICAL, "12350举报：甲化工夜间违规装卸（匿名）",
         [("受理登记举报", {"anonymous": True, "whistleblower_name": None, "whistleblower_phone": None,
                            "whistleblower_id_number": None, "tipoff_content": "夜间槽车装卸无人监护"}), "分类交办"])
    case("tipoff_reward", "tipoff_12350", "he_sl", CHEMICAL, title,
         ["受理登记举报", "分类交办", "核查举报事项", "答复举报人"])
    case("tipoff_paid", "tipoff_12350", "he_sl", CHEMICAL, "12350举报：甲化工液氨罐区重大隐患（奖励已发放）",
         ["受理登记举报", ("分类交办", {"tipoff_category": "重大事故隐患"}),
          ("核查举报事项", {"finding_type": "重大事故隐患", "follow_up": "挂牌督办",
                            "verify_findings": "液氨罐区紧急切断阀失效"}),
          "答复举报人", ("核定举报奖励", {"fine_amount": "100000"}), "审批举报奖励",
          ("发放举报奖励", {"paid_amount": "15000"})])


def load_inspection_plans(engine, desk) -> dict[str, int]:
    """双随机一公开: a plan awaiting approval and a drawn plan whose inspections are at several stages."""
    from workflows.inspection_plans import start_plan
    out = {"plan_to_approve": start_plan(engine, "qian_ke", "dongcheng", "东城区第三季度双随机抽查计划").id}
    desk.do(out["plan_to_approve"], "编制双随机抽查计划", plan_name="东城区第三季度双随机抽查计划")
    drawn = start_plan(engine, "qian_ke", "dongcheng", "东城区第二季度双随机抽查计划").id
    desk.do(drawn, "编制双随机抽查计划", plan_name="东城区第二季度双随机抽查计划")
    desk.do(drawn, "审批抽查计划")
    out["plan_drawn"] = drawn
    kids = [c for c in engine.cases(process_key="random_inspection", limit=1000) if c.parent_case_id == drawn]
    kids.sort(key=lambda c: c.id)
    out["inspection_open"] = kids[0].id
    desk.do(kids[1].id, "现场检查")
    out["inspection_publishing"] = kids[1].id
    return out


def load_case_reviews(engine, desk) -> dict[str, int]:
    """执法案卷评查: a closed penalty case, its file being scored, and one reviewed and notified."""
    from workflows.case_review import start_review
    path = ["初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书", "陈述申辩或申请听证",
            "负责人审批", "送达行政处罚决定书", "缴纳罚款", "结案审批"]
    closed = desk.start("enforcement_case", by="li_si", org="dongcheng", party=MACHINERY, title="乙机械有限空间作业案").id
    for step in path:
        desk.do(closed, step, user="li_si" if step in ("初步核查", "调查取证", "案件处理呈批") else None,
                **({**CONFINED[step], **({"party_name": ENTERPRISES[MACHINERY]} if step == "初步核查" else {})}
                   if step in CONFINED else {}))
    penalty = engine.case(closed)
    scoring = start_review(engine, "qian_ke", "dongcheng", penalty).id
    desk.do(scoring, "提交被评查案卷")
    done = start_review(engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    desk.do(done, "提交被评查案卷")
    desk.do(done, "案卷评查打分", user="zhang_san")
    desk.do(done, "审定评查结果")
    desk.do(done, "印发评查结果通报")
    desk.do(done, "签收评查结果")                       # the 承办人 signs for the result
    return {"penalty_closed": closed, "review_scoring": scoring, "review_notified": done}


def load_accident_supervision(engine, desk, cases) -> dict[str, int]:
    """事故查处挂牌督办: the city lists the district's investigations — one reporting, one at the 约谈."""
    from workflows.accident_supervision import list_accident
    reporting = list_accident(engine, "shi_jz", cases["accident_investigating"]).id
    desk.do(reporting, "决定挂牌督办")
    desk.do(reporting, "报送调查进展")
    serious = desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL,
                         title="甲化工“火灾”事故（较大）").id
    desk.do(serious, "事故信息接报", accident_type="火灾", deaths=3, serious_injuries=0, minor_injuries=2,
            accident_title="示范市甲化工有限公司成品仓库火灾事故", location="成品仓库",
            summary="成品仓库电气线路短路起火，造成3人死亡、2人轻伤")
    warned = list_accident(engine, "shi_jz", serious).id
    desk.do(warned, "决定挂牌督办")
    desk.do(warned, "报送调查进展", investigation_approved=True, approved_on=desk.today().isoformat(),
            approval_no="示政函〔2026〕5号")
    desk.do(warned, "发布事故警示通报")
    return {"accident_listed": reporting, "accident_interview": warned}
