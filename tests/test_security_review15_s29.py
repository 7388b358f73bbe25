"""Security review 15 (安全复查十五) — through the served REST API (tests/api_probe_support.served_world), on a
real SQLite file and a real PostgreSQL database, with real BPMN, a real SMTP server (aiosmtpd) and real
evaluator workers.

Findings
--------

Every e-mail reminder stopped by one task name drawn on two lines (邮件提醒停发). Camunda Modeler writes a
long name on two lines (``name="专家&#10;书面评审"``, tests/bpmn/interop/zeebe_permit.bpmn); its 新待办 became
an outbox mail whose subject held the line break. Python's ``email`` refuses a line break in a header
(so no ``Bcc:`` was ever injected) with ValueError, which workflows/messages/channels.deliver_email did not
catch: the sweep stopped at that mail, every mail behind it in the batch stayed leased, and the next
sweeps met the same mail first — no reminder of any case (催办、逾期督办 of 原安监总局令第16号 第二十条's
deadlines) went out by mail again. Now the subject is made one line, and a mail its item cannot make
fails alone (retried, then 已失败) while the others go.

A date written in Chinese was an incident asking for data named ``__import__`` (日期格式化). ``strftime``,
``f"{day:%Y年%m月%d日}"``, ``timetuple`` and ``strptime`` import ``time``/``_strptime`` in datetime's C code
through the builtins of the calling code; model code's builtins had no ``__import__``, so each failed
with 「KeyError: '__import__'」 and the incident read it as missing case data (「请补填数据后重试」). The
builtins' ``__import__`` now gives those two modules only (engine/restricted.py; docs/sandbox.md); model
code still cannot name it.

A text of gigabytes in the server from one FEEL call (宿主内存). FEEL's ``string join`` runs in the server's
process for model code in a worker, on arguments up to the pipe's 32 MiB, and its result is the items
times the separator: 100,000 empty items and a 2,000-character separator made 200,000,000 characters,
1.6 GB traced in the server, in one call well within the helpers' CPU bound. It now refuses a result
past 1,000,000 characters before making it (engine/feel_collections.JOINED_MAX), in Chinese.

Tried, and held (no change)
---------------------------

Sandbox (engine/restricted.py, engine/evaluator.py): ``"{0.__class__}".format(x)`` and ``format_map``
refused at deploy; ``f"{x!r:>5}"`` only formats; ``gi_frame``, ``e.__traceback__``,
``d.__class__.__subclasses__()``, ``m.__reduce_ex__(2)`` refused at deploy (RestrictedPython);
``import os``, ``__import__``, ``open``, ``globals()``, ``vars()``, ``locals()``, ``breakpoint()``,
``memoryview``, ``bytearray(10**10)`` refused at deploy; ``"x" * 10**9``, ``"a".ljust(10**10)``,
``"a".zfill(10**9)``, ``format(s, ">1000000000")``, ``"%*d" % (10**9, 1)``, ``"%.*f"`` and a list
doubled a hundred times end in the worker (MemoryError under its 768 MiB, or the CPU bound);
``while True``, ``2 ** 10 ** 10``, ``math.comb(10**7, 10**6)``, ``math.perm``, ``math.lcm(*range(…))``,
``math.isqrt(10**10000000)`` end at the worker's 1 s CPU bound; recursion is a RecursionError; ``sorted``
with a key raising is that error. The host's CPU stayed at 0 s for all of them, and each case got an
incident in Chinese through the API (「流程脚本超出资源限制（CPU 时间或内存），已被终止」, 「流程脚本运行超时，
已被终止」). JUEL: ``${execution.getClass()}``, ``${''.getClass().forName('java.lang.Runtime')}``,
``${T(java.lang.Runtime).getRuntime()}``, ``${x.toString()}``, ``${x.__class__}`` refused at deploy in
Chinese; ``${x["__class__"]}`` is EL's ``[]`` (engine/juel_operators.index: a dict's key or a list's item,
never an attribute). FEEL ``**`` and ``string repeat`` are refused, ``for i in 1..1000000000`` stops at
the range bound.

Uploads and imports: an xlsx whose sheet declares a billion laughs is refused in Chinese in 0.5 s (expat
2.5's amplification limit; openpyxl reads sheets with it), one only declaring them imports as written;
login ``next=/\\evil.example`` goes out as ``/%5Cevil.example`` (a path of this site; werkzeug quotes the
backslash), ``\\\\evil``, ``/\\t/evil`` and ``https:evil`` go to 我的待办.
Model XML with a DTD or entities is refused at deploy (engine/validation.safe_xml); attachments are
served as downloads under a sandbox CSP, a claimed SVG/HTML type as bytes; the SMS/mail outbox API takes
only the 消息网关 role or an administrator; case pages, diagrams, documents (.docx/PDF) and case actions
read the case through redaction.case_for.

Left alone: a worker's call of a host helper passes arguments up to the pipe's 32 MiB
(engine/evaluator._call_host), where the host's own fast path bounds each at 256 KiB
(evaluator._HostCall); ``string join`` was the one helper found making much more than it is given.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api_probe_support import deploy_source, script_model, served_world, start_script_case
from tests.support import BPMN
from tests.test_messages import smtp  # noqa: F401 — the module's real SMTP server (aiosmtpd)
from workflows.messages import inbox, produce
from workflows.messages.channels import deliver_email
from workflows.messages.models import OutboxItem


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("review15"))
    yield w
    w.engine.dispose()


# -- 1. e-mail reminders and a task named on two lines ------------------------------------------------

def test_a_task_named_on_two_lines_stops_no_email_reminder_order_16_art_20(world, smtp):  # noqa: F811
    """原安监总局令第16号 第二十条: the reminders of a 督办 deadline reach people by mail. Before,
    ``deliver_email`` raised ValueError (「Header values may not contain linefeed or carriage return
    characters」) at the mail of 「现场&#10;检查」 and sent none after it, in this sweep or the next."""
    handler, settings = smtp
    source = (BPMN / "api_matrix.bpmn").read_text(encoding="utf-8").replace('name="现场检查"', 'name="现场&#10;检查"')
    assert deploy_source(world, source.encode(), "接口权限矩阵.bpmn").status_code == 201
    for username in ("insp", "east_insp2"):
        assert inbox.save_preference(world.engine, username, email=f"{username}@yjj.example.gov.cn",
                                     email_on=True) == {}
    deliver_email(world.engine, settings)  # what the world's set-up queued: not this test's
    case = world.engine.start("api_matrix", by="starter", org="east", title="复查两行环节名")
    assert "现场\n检查" in [t.name for t in world.engine.case(case.id).tasks]
    produce(world.engine)
    before = len(handler.received)
    sent = deliver_email(world.engine, settings)
    received = handler.received[before:]
    assert sent == len(received) >= 2
    subjects = {rcpt[0]: m["Subject"] for rcpt, m in received if "现场" in m["Subject"]}
    assert subjects == {"insp@yjj.example.gov.cn": "【督办】新待办：现场 检查",
                        "east_insp2@yjj.example.gov.cn": "【督办】新待办：现场 检查"}
    with world.engine.db.read() as s:
        waiting = s.execute(sa.select(sa.func.count()).select_from(OutboxItem).where(
            OutboxItem.topic == "email", OutboxItem.status == "pending")).scalar_one()
    assert waiting == 0


# -- 2. datetime's own imports in model code -------------------------------------------------------------

DATED = ('daily = total / days\n'
         'written = datetime(2026, 11, 1, 9, 30).strftime("%Y年%m月%d日 %H时%M分")\n'
         'said = f"{date(2026, 11, 1):%Y年%m月%d日}"\n'
         'read = datetime.strptime("2026-11-01", "%Y-%m-%d").date().isoformat()')


def test_a_script_writing_a_date_in_chinese_runs_and_imports_nothing_else(world):
    """``strftime``, a date's format in an f-string and ``strptime`` import ``time``/``_strptime`` through
    the builtins of the code calling them. Before, each was 「KeyError: '__import__'」 in the worker and
    the incident asked for case data named 「__import__」 (「请补填数据后重试」)."""
    r = deploy_source(world, script_model(DATED, "dated_text", "写日期"), "写日期.bpmn")
    assert r.status_code == 201, r.get_json()
    r = start_script_case(world, "dated_text", {"total": 10, "days": 2})
    assert r.status_code == 201, r.get_json()
    data = world.engine.case(r.get_json()["id"]).data
    assert (data["written"], data["said"], data["read"]) == ("2026年11月01日 09时30分", "2026年11月01日", "2026-11-01")
    # the builtins' importer gives datetime what it needs, and nothing to anyone else
    from engine.restricted import safe_builtins
    importer = safe_builtins()["__import__"]
    assert importer("time").strftime("%Y", (2026, 1, 1, 0, 0, 0, 3, 1, -1)) == "2026"
    for name in ("os", "sys", "subprocess", "builtins", "importlib"):
        with pytest.raises(ImportError, match="不允许导入模块"):
            importer(name)


# -- 3. a host helper's result, bounded before it is made ---------------------------------------------------

JOIN = ('daily = total / days\nitems = [""] * 100000\n'
        'joined = duban_feel_collection("string join", items, "隐" * 2000)')


def test_feel_string_join_makes_no_text_of_hundreds_of_megabytes_in_the_server(world):
    """FEEL's ``string join`` (engine/feel_collections.py) runs in the server's process for model code in
    a worker, on arguments of up to the pipe's 32 MiB. Before, 100,000 empty items joined by a separator of
    2,000 characters made a text of 200,000,000 characters (800 MB) in the server — one call, well within
    the helpers' CPU bound; ten times the items, eight gigabytes."""
    import tracemalloc
    r = deploy_source(world, script_model(JOIN, "feel_join", "连接文字"), "连接文字.bpmn")
    assert r.status_code == 201, r.get_json()
    from tests.support import evaluator_ready
    evaluator_ready()
    tracemalloc.start()
    try:
        r = start_script_case(world, "feel_join")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    body = r.get_json()
    assert r.status_code == 422 and body["incident_id"], body
    assert peak < 100 * 2**20, peak
    incident = next(i for i in world.engine.incidents() if i.id == body["incident_id"])
    assert "函数「string join」的结果超过 1000000 个字" in incident.message, incident.message
    # joining what a case holds is the function's ordinary work
    r = deploy_source(world, script_model('daily = total / days\njoined = duban_feel_collection("string join", '
                                          '["张三", None, "李四"] * 1000, "、")', "feel_join", "连接文字"), "连接文字.bpmn")
    assert r.status_code == 201, r.get_json()
    r = start_script_case(world, "feel_join")
    assert r.status_code == 201, r.get_json()
    assert world.engine.case(r.get_json()["id"]).data["joined"] == "、".join(["张三", "李四"] * 1000)
