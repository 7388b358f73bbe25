"""The ``duban`` command line (命令行): serve, worker, deploy, users, cases, tasks, audit."""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path

import click

from engine.errors import EngineError, InvalidModel
from engine.worker import INTERVAL_SECONDS
from webui import display, labels
from webui.accounts import DEMO_PASSWORD  # the one demo password, refused by the policy outside demo mode


def _engine(deploy: bool = False):
    from workflows.runtime import build_engine
    engine = build_engine(deploy=deploy)
    from webui.api import ensure_table
    ensure_table(engine)  # the API's token table lives beside the engine's
    return engine


class _Commands(click.Group):
    """The ``duban`` commands: an administrator's ordinary mistake (a wrong database URL, a server
    down, a folder that cannot be made, a database from a newer Duban: webui/cli_errors.py) ends a
    command with one Chinese line and status 1 instead of a Python traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except EngineError as exc:  # refused by the engine (no such org unit, case, user…): as the pages say it
            from engine.errors import InvalidData
            said = "；".join(exc.errors.values()) if isinstance(exc, InvalidData) else labels.refusal(exc)
            click.echo(f"督办：{said}", err=True)
            sys.exit(1)
        except Exception as exc:
            import os

            from webui import cli_errors
            from workflows.runtime import DEFAULT_DATABASE_URL
            said = cli_errors.reason(exc, os.environ.get("DUBAN_DATABASE_URL") or DEFAULT_DATABASE_URL)
            if said is None:
                raise
            click.echo(f"督办：{said}", err=True)
            sys.exit(1)


@click.group(cls=_Commands)
@click.option("-v", "--verbose", is_flag=True)
def main(verbose: bool):
    """督办 Duban: BPMN case handling for work-safety supervision."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _sweep_options(command):
    """The timer sweep's two knobs, the same for ``duban worker`` and the worker inside ``duban serve``."""
    command = click.option(
        "--timers-per-sweep", default=None, type=click.IntRange(1), metavar="N",
        help="Fire at most N due timers per sweep (default: every due timer). With several workers "
             "on one PostgreSQL database, a backlog is then shared by all of them, and the message "
             "jobs run between its parts.")(command)
    command = click.option(
        "--audit-heads-interval", "heads_interval", default=300.0, type=click.FloatRange(1, 86400),
        show_default=True, metavar="S",
        help="Seconds between keeping the audit chains' heads outside the database (beside the audit key), "
             "so an older backup restored in place is told by `duban audit verify`.")(command)
    return click.option("--interval", default=INTERVAL_SECONDS, type=click.FloatRange(0.1, 3600),
                        show_default=True, help="Seconds between timer sweeps.")(command)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=click.IntRange(1, 65535))
@click.option("--demo/--no-demo", default=False,
              help="Load demo org units, users and cases into an empty database (refused if it has other users).")
@click.option("--worker/--no-worker", default=True,
              help="Run the timer worker inside the server (--interval, --timers-per-sweep as for `duban worker`).")
@click.option("--workers", default=None, type=int,
              help="gunicorn worker processes (default 1 on SQLite, 4 on PostgreSQL).")
@click.option("--threads", default=4, type=click.IntRange(1, 64), show_default=True,
              help="Threads per gunicorn worker (requests one worker serves at once).")
@click.option("--dev", is_flag=True, help="Werkzeug's development server instead of gunicorn; plain HTTP.")
@click.option("--plain-http", is_flag=True,
              help="Session cookies without Secure, for plain HTTP (implied by --dev and --demo).")
@click.option("--access-log", default=None, metavar="FILE",
              help="Write gunicorn's access log, a line per request, to FILE ('-': standard output). "
                   "Off by default: the reverse proxy in front keeps one, and a line per request "
                   "(~150 bytes; an integrator's API client at 20 requests/s: ~250 MB a day) filled "
                   "the disk of a server whose output went to a file.")
@_sweep_options
def serve(host, port, demo, worker, workers, threads, dev, plain_http, access_log, interval, timers_per_sweep,
          heads_interval):
    """Run the web app: gunicorn (SQLite by default, DUBAN_DATABASE_URL for PostgreSQL).

    Exits with status 1 and a Chinese line saying why when the server cannot start or stops on its
    own (the port taken, a web worker that cannot boot): a service manager then restarts it."""
    import os

    from webui import serving
    refused = serving.address_problem(host, port)  # before the deploy: say it at once
    if refused:
        click.echo(f"督办网站服务未能启动：{refused}", err=True)
        sys.exit(1)
    engine = _engine(deploy=True)
    if demo:
        _load_demo(engine)
    if dev or demo or plain_http:
        os.environ["DUBAN_PLAIN_HTTP"] = "1"  # read by create_app, here and in gunicorn's workers
        click.echo("注意：以明文 HTTP 运行，会话 Cookie 未设置 Secure（仅限开发/演示）。"
                   "Plain HTTP: session cookies are not Secure — for development and demos only.")
    else:
        click.echo("会话 Cookie 设置了 Secure，只经 HTTPS 发送（请置于 HTTPS 反向代理之后；明文 HTTP 开发请用 --dev 或 --plain-http）。")
    if not dev:
        if workers is None:
            workers = 1 if engine.db.is_sqlite else 4
        engine.dispose()
        _serve_gunicorn(host, port, workers, worker, threads, interval, timers_per_sweep, access_log, heads_interval)
        return
    from webui.app import create_app
    if worker:
        from engine.worker import start_background
        start_background(engine, interval_seconds=interval, most=timers_per_sweep, heads_seconds=heads_interval)
    app = create_app(engine)
    from webui.heap import settle
    engine.warm()
    settle()
    click.echo(f"督办（开发服务器）已启动：http://{host}:{port}/ （数据库：{engine.db.url}）")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


_CODE_ROOT = Path(__file__).resolve().parent.parent  # the folder this process imported webui from


def _worker_environment() -> dict[str, str]:
    """The environment of gunicorn's workers: this process's, with the database, the instance folder
    and the audit key file it used named outright. gunicorn imports ``webui.wsgi`` from its working
    folder; run from another checkout's folder, the workers would import that checkout, find its
    ``var/`` and serve a database other than the one this process deployed to and loaded the demo
    into. gunicorn runs in this process's code folder (``cwd``, ``--chdir``), and these names, made
    absolute, point its workers at this process's data."""
    import os

    from engine import audit
    from webui.app import DEFAULT_INSTANCE
    from workflows.runtime import database_url
    env = dict(os.environ)
    env["DUBAN_DATABASE_URL"] = _absolute_sqlite(database_url())  # the workers run in another folder
    env["DUBAN_INSTANCE_PATH"] = str(Path(env.get("DUBAN_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve())
    if not env.get("DUBAN_AUDIT_KEY"):
        env["DUBAN_AUDIT_KEY_FILE"] = str(audit.key_file().resolve())
    return env


def _absolute_sqlite(url: str) -> str:
    """A SQLite URL with a relative file made absolute (from this process's working folder)."""
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or parsed.database.startswith("file:") or Path(parsed.database).is_absolute():
        return url
    return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False)


def _serve_gunicorn(host, port, workers, worker, threads=4, interval=INTERVAL_SECONDS, timers_per_sweep=None,
                    access_log=None, heads_interval=300.0):
    """N gunicorn web workers (threaded) as a child process; this process sweeps the timers
    (unless --no-worker) in a thread and waits on gunicorn: gunicorn ending on its own with a failure
    ends ``duban serve`` with status 1 and the reason (webui/serving.py).

    Web workers never sweep timers themselves; with PostgreSQL any number of ``duban worker``
    processes on other hosts may sweep as well, since timers are claimed with leases.
    """
    import signal
    import subprocess

    from webui import serving
    env = _worker_environment()
    ctl = serving.control_socket(env["DUBAN_INSTANCE_PATH"], host, port)
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b", f"{host}:{port}",
           "--chdir", str(_CODE_ROOT), "--control-socket", ctl, "webui.wsgi:app"]
    if access_log:
        cmd[-1:-1] = ["--access-logfile", access_log if access_log == "-" else str(Path(access_log).resolve())]
    click.echo(f"督办已启动：http://{host}:{port}/ （{workers} 个 gunicorn 工作进程；控制套接字 {ctl}）")
    web = subprocess.Popen(cmd, env=env, cwd=_CODE_ROOT)

    def _stop(signum, frame):  # a SIGTERM to `duban serve` stops gunicorn too (no orphaned workers)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _stop)
    scheduler = None
    status = None
    try:
        if worker:
            from engine.worker import start_background
            timer_engine = _settled(_engine())
            scheduler = start_background(timer_engine, interval_seconds=interval, most=timers_per_sweep,
                                         heads_seconds=heads_interval)
        status = web.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if web.poll() is None:
            web.send_signal(signal.SIGTERM)
            web.wait(timeout=30)
        if scheduler is not None:
            scheduler.shutdown(wait=True)  # a sweep under way finishes first
    if status:  # gunicorn ended on its own, failing: say why, and fail, so the service is restarted
        click.echo(f"督办网站服务已停止：{serving.exit_reason(status, host, port)}", err=True)
        sys.exit(1)


def _load_demo(engine):
    from workflows.demo import USERS, load_demo
    demo_names = {u[0] for u in USERS}
    others = sorted(u.username for u in engine.directory.users() if u.username not in demo_names)
    if others:
        click.echo(f"拒绝：数据库中已有非演示账号（{', '.join(others[:5])}{' …' if len(others) > 5 else ''}），"
                   f"--demo 只能用于空数据库或演示数据库。Refused: the database has non-demo users; "
                   f"use --demo only on an empty or demo database ({engine.db.url}).", err=True)
        sys.exit(2)
    if not engine.directory.users():
        load_demo(engine)
        click.echo("演示数据已载入")
    from workflows import demo_clock
    demo_clock.mark_demo(engine)  # 演示时间 may be moved in this database (duban demo advance)
    from werkzeug.security import generate_password_hash
    pw_hash = generate_password_hash(DEMO_PASSWORD)
    users = engine.directory.users()
    for user in users:
        if not user.password_hash:
            engine.directory.set_password_hash(user.username, pw_hash)
    from workflows.demo import account_lines
    lines = account_lines(engine)
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}；每个角色一例，共 {len(users)} 个账号，见 系统管理 → 用户）：")
    click.echo("\n".join(lines))


@main.command()
@_sweep_options
@click.option("--timer-lease", default=60, type=click.IntRange(1, 3600), show_default=True, metavar="S",
              help="Seconds a sweep's claim on due timers lasts: if this worker dies mid-sweep, the timers "
                   "it claimed and did not fire are fired by another worker after so long.")
def worker(interval, timers_per_sweep, timer_lease, heads_interval):
    """Run only the timer worker (sweeps due timers; any number may share a PostgreSQL database)."""
    from engine.worker import run_blocking
    run_blocking(_settled(_engine()), interval_seconds=interval, most=timers_per_sweep, lease_seconds=timer_lease,
                 heads_seconds=heads_interval)


def _settled(engine):
    """``engine`` once this timer worker's own objects (the engine, the domain's modules: ~140,000
    the collector tracks) are out of every later full collection (webui/heap.py), as a web worker's
    are: each such collection walked them all, ~80 ms a sweep that happened to trigger one."""
    from webui.heap import settle
    engine.warm()  # its statements rendered before the first sweep (Engine.warm)
    logging.getLogger("duban.worker").info("%d objects kept out of full collections", settle())
    return engine


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--by", default="system")
def deploy(files, by):
    """Validate and deploy BPMN/DMN files (Camunda 8 .form files given too are embedded in the models
    that link them by formId)."""
    engine = _engine()
    failed = False
    forms = [(Path(p).name, Path(p).read_bytes()) for p in files if p.lower().endswith(".form")]
    for path in files:
        if path.lower().endswith(".form"):
            continue
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        # the forms this model links (a form file the model does not link is another model's)
        linked = [f for f in forms if re.search(r'formId="' + re.escape(_form_id(f)) + '"', text)]
        try:
            model = engine.deploy(path, by=by, forms=linked or None)
            click.echo(f"{path}：已部署「{model.name or model.key}」（{model.key}）第 {model.version} 版")
        except InvalidModel as exc:
            failed = True
            click.echo(f"{path}：未通过校验，不能部署", err=True)
            for p in exc.problems:
                where = f"第 {p['line']} 行：" if p.get("line") else ""
                kind = "提示 " if p.get("severity") == "warning" else ""
                click.echo(f"  {kind}{where}{p.get('message')}", err=True)
        except EngineError as exc:
            failed = True
            click.echo(f"{path}：不能部署：{labels.refusal(exc)}", err=True)
    sys.exit(1 if failed else 0)


def _form_id(form: tuple[str, bytes]) -> str:
    from engine.camunda_forms import FormError, form_file
    try:
        return form_file(*form)[0]
    except FormError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@main.group()
def db():
    """Database schema."""


@db.command()
def upgrade():
    """Create or upgrade every table: alembic upgrade head (engine/migrate.py)."""
    import sqlalchemy as sa
    from engine.database import make_engine
    from engine.migrate import ALREADY_NEWEST
    from engine.migrate import upgrade as alembic_upgrade
    from workflows.runtime import database_url
    url = database_url()
    sa_engine: sa.Engine = make_engine(url)
    try:
        for line in alembic_upgrade(sa_engine) or [ALREADY_NEWEST]:
            click.echo(line)
    finally:
        sa_engine.dispose()
    click.echo(f"数据库结构已是最新：{url}")


@db.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
def db_backup(destination):
    """Copy the running SQLite database to DESTINATION (a new file, or a folder) as of one moment
    (SQLite's online backup: the -wal file's commits included); PostgreSQL: use pg_dump."""
    from engine import audit
    from engine.database import sqlite_file
    from webui import db_backup as backups
    from workflows.runtime import database_url
    url = database_url()
    path = sqlite_file(url)
    if path is None:
        click.echo("PostgreSQL 数据库请用 pg_dump 备份，如 pg_dump -Fc -f duban.dump 库名（恢复用 pg_restore）", err=True)
        sys.exit(2)
    try:
        made = backups.backup(path, destination)
    except backups.BackupRefused as exc:
        click.echo(f"备份失败：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已备份到 {made.path}（{made.size / 1024 / 1024:,.1f} MB，{made.cases} 件案件）")
    if not os.environ.get("DUBAN_AUDIT_KEY"):
        click.echo(f"注意：审计密钥文件 {audit.key_file()} 不在数据库备份中，请另行备份（与数据库分开保管）")


@main.group()
def user():
    """Users."""


@user.command("add")
@click.argument("username")
@click.option("--org", required=True)
@click.option("--role", "roles", multiple=True)
@click.option("--name", default="")
@click.option("--party", default=None, help="Enterprise credit code for enterprise users.")
@click.option("--password", default=None)
def user_add(username, org, roles, name, party, password):
    """Create or update a user; a password must pass the policy (webui/accounts.py), and setting
    one ends the user's sessions and API tokens."""
    from webui import accounts
    if password:
        problems = accounts.password_problems(password, username)
        if problems:
            click.echo(f"密码不符合要求：{'；'.join(problems)}", err=True)
            sys.exit(1)
    engine = _engine()
    engine.directory.add_user(username, org=org, roles=list(roles), name=name, party=party)
    if password:
        accounts.set_password(engine, username, password, by="cli")
    click.echo(f"用户 {username} 已保存")


@user.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="What the token is for (shown in listings).")
@click.option("--days", type=int, default=None, help="Expire after N days (default: never).")
def user_token(username, name, days):
    """Issue an API token for USERNAME (shown once; only its hash is stored)."""
    from datetime import timedelta

    from webui.api import create_token
    try:
        click.echo(create_token(_engine(), username, name=name, ttl=timedelta(days=days) if days else None))
    except EngineError as exc:
        click.echo(f"不能签发令牌：{labels.refusal(exc)}", err=True)
        sys.exit(1)


@main.group()
def case():
    """Cases."""


@case.command("list")
@click.option("--status", default=None)
@click.option("--process", default=None)
@click.option("--limit", default=50)
def case_list(status, process, limit):
    for c in _engine().cases(status=status, process_key=process, limit=limit):
        click.echo(f"{c.id}\t{c.case_no}\t{c.process_key}\t{labels.case_status(c.status)}\t"
                   f"{labels.escalation(c.escalation_level)}\t{c.title}")


@case.command("show")
@click.argument("case_id", type=int)
def case_show(case_id):
    """A case as an administrator reads it: its open tasks, incidents (explained) and history."""
    engine = _engine()
    view = engine.case(case_id)
    roles = {r.code: r.name for r in engine.directory.roles()}
    click.echo(f"{view.case_no} {view.title}【{labels.case_status(view.status)}】{view.process_key} 第 {view.model_version} 版")
    for t in view.tasks:
        due = display.due_local(t.due_at) if t.due_at else "—"
        click.echo(f"  待办 {t.id} {t.name} 岗位：{roles.get(t.role_code, t.role_code or '—')} "
                   f"办理人：{t.assignee or '—'} 期限：{due}")
    for inc in view.incidents:
        click.echo(f"  异常事件 #{inc.id}（{'已处理' if inc.resolved_at else '未处理'}）："
                   f"{labels.incident_explanation(inc.message)}")
    for ev in view.history:
        click.echo(f"  {ev['seq']:>4} {display.local(ev['at'])} {ev['actor']:<12} "
                   f"{labels.audit_action(ev['action'])} {json.dumps(ev['detail'], ensure_ascii=False)[:120]}")


@main.group()
def task():
    """Tasks."""


@task.command("list")
@click.argument("username")
def task_list(username):
    for t in _engine().queue(username, limit=200):
        due = display.due_local(t.due_at)
        click.echo(f"{t.id}\t{t.case_no}\t{t.name}\t{t.assignee or '(组待办)'}\t{due}")


@task.command("complete")
@click.argument("task_id")
@click.option("--user", "username", required=True)
@click.option("--data", default="{}", help="Form data as JSON.")
def task_complete(task_id, username, data):
    try:
        values = json.loads(data)
    except ValueError as exc:
        click.echo(f"--data 不是有效的 JSON（第 {getattr(exc, 'colno', '?')} 个字符附近）：请写成 "
                   """'{"字段": "值"}'，字段名和文字值用英文双引号""", err=True)
        sys.exit(1)
    try:
        c = _engine().complete(task_id, username, values)
        click.echo(f"已办理；案件 {c.case_no} {labels.case_status(c.status)}")
    except EngineError as exc:
        click.echo(f"办理失败：{labels.refusal(exc)}", err=True)
        sys.exit(1)


@main.group()
def demo():
    """演示时间 (demo databases only): move the clock forward to show reminders and escalation."""


@demo.command("advance")
@click.argument("step")
@click.option("--by", default="cli", help="Who moves the clock (recorded in the audit log).")
def demo_advance(step, by):
    """Move the clock of a demo database forward by STEP (10d, 2h, 1w, 30m, 10天) and fire what
    falls due. Refused (exit code 2) outside a database loaded by `duban serve --demo`."""
    from workflows import demo_clock
    engine = _engine()
    try:
        moved = demo_clock.advance(engine, step, by=by)
    except demo_clock.DemoTimeRefused as exc:
        click.echo(f"拒绝：{exc}", err=True)
        sys.exit(2)
    click.echo(f"演示时间已拨至 {display.local(moved.after)}"
               f"（共拨快 {_span(moved.offset)}），触发定时事件 {moved.fired} 个")


@demo.command("status")
def demo_status():
    """Whether this is a demo database, and how far its clock has been moved."""
    from workflows import demo_clock
    engine = _engine()
    if not demo_clock.is_demo(engine):
        click.echo("正式系统：时间不能拨动")
        return
    click.echo(f"演示系统：当前演示时间 {display.local(engine.clock.now())}"
               f"（已拨快 {_span(demo_clock.stored_offset(engine))}）")


def _span(delta) -> str:
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    return "".join(parts) or "0分钟"


@main.group()
def audit():
    """Audit log."""


@audit.command("verify")
def audit_verify():
    """Check every audit chain with its HMAC keys; says which key generations signed what."""
    from engine import audit as audit_log
    from engine import audit_seal
    from workflows.runtime import database_url
    url = database_url()
    try:
        engine = _engine()  # reads the audit key
        last = audit_seal.last_verified(url)  # the heads found before, kept outside the database
        with engine.db.read(snapshot=True) as s:  # heads and events as of one moment (Database.read)
            report = audit_log.verify_report(s, last[1] if last else None)
    except audit_seal.HeadsRefused as exc:
        click.echo(f"审计日志无法核验：{exc}", err=True)
        sys.exit(1)
    except audit_log.KeyUnavailable as exc:  # the key file emptied or gone bad
        click.echo(f"审计日志无法核验：读不到审计密钥。请确认审计密钥文件在原处且未被改动（必要时从密钥备份恢复），"
                   f"并联系安全管理员（技术信息：{exc}）", err=True)
        sys.exit(1)
    used = "，".join(f"第 {g} 代密钥签名 {n} 条" for g, n in sorted(report.generations.items())) or "尚无记录"
    keys = f"密钥来自 {report.source}，当前为第 {report.current} 代"
    if report.broken is None:
        audit_seal.record(url, report.heads)
        click.echo(f"审计日志完整（{used}；{keys}）")
    else:
        since = f"；最后一次核验完整在 {last[0][:19].replace('T', ' ')}（UTC）" if last else ""
        click.echo(f"审计日志已被篡改或损坏，断在：{report.broken}（{keys}{since}）", err=True)
        sys.exit(1)


@audit.command("new-key")
def audit_new_key():
    """Add a key generation (rotation): new events are signed with it, older ones keep theirs."""
    from engine import audit as audit_log
    click.echo(f"已新增第 {audit_log.new_key_generation()} 代审计密钥，写入 {audit_log.key_file()}")


if __name__ == "__main__":
    main()
