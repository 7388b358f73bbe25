"""Public models through the public REST API: what a harness driving ``duban serve`` over HTTP sees.

    python bench/api_sweep.py [--cases 10] [--tired-cases 3] [--seconds 60] [--json]
                              [--postgres [ADMIN_URL]] [tests/bpmn/interop bpmn]

For every ``.bpmn`` of the folders given (default tests/bpmn/interop and bpmn), on a fresh durable
SQLite file (``--postgres``: a fresh database of that server, default the test server's) served by
``duban serve`` (gunicorn, with its timer worker, as an administrator runs it; loopback only):

- the model is deployed THROUGH THE API (``POST /api/models``, multipart) by a designer's token: the
  sibling ``.dmn`` files it names and the sibling processes its call activities call first, and the
  ``.form`` files its Camunda 8 tasks link by ``formId`` in the field ``forms``;
- ``--cases`` cases are started (``POST /api/cases``) and every task completed (``POST
  /api/tasks/{id}/complete``) by a user the task allows (its assignee, else its role's holder the
  engine lets work it), with the data the in-process sweep gives (``bench/throughput.py``'s
  ``ModelBench``: drawn form data, solved conditions, start data), sent as JSON; a case waiting on
  timers only has the demo clock moved past them (``workflows/demo_clock.advance``, as a trainer's
  ``duban demo advance``: the database is marked a demo database for it);
- then ``--tired-cases`` more cases as a tired integrator sends them: every number a string with
  thousands separators ("5,000"), every boolean "true"/"false" or "是"/"否".

Per model: deployed or refused (the refusal's words), how the cases ended (completed / incident /
waiting / error), every non-2xx answer with its body, any English text or traceback in a body,
completions/s and p50/p95 ms of the completion requests, the server's CPU ms a completion (its
processes from /proc, and on PostgreSQL the backends serving the database: the walk's GETs
included, as bench/http_load.py counts them), beside it the in-process engine's CPU ms a completion
(``model_engine_run``) and the naive app's (``model_spiff_run``), both on the same model in the
same run, and the naive app's CPU over the server's (``naive_over_api_by_cpu``). The summary:
the median of that ratio, and how many models ended differently from the in-process engine.
Bounded: a fixed number of cases, ``--seconds`` of walking per model, the server stopped by its
process group at the end of each model.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lxml import etree  # noqa: E402

from bench.http_load import HOST, _cpu_seconds, free_port, group_pids, settled, wait_for  # noqa: E402
from bench.throughput import (DOMAIN, MAX_ROUNDS, ModelBench, model_engine_run, model_spiff_run,  # noqa: E402
                              not_comparable)
from engine.validation import readable  # noqa: E402
from tests.interop_support import ACME, user_for  # noqa: E402

DEFAULT_PATHS = [ROOT / "tests" / "bpmn" / "interop", ROOT / "bpmn"]
DESIGNER = "api_designer"
AUDIT_KEY = "ab" * 32  # the bench's own audit key, the same for the preparing process and the server's
# Interop models' people: tests/support.make_engine's directory, on the runtime's roles
ORGS = [("city", "示范市", None, "市"), ("east", "东城区", "city", "区"), ("west", "西城区", "city", "区")]
PEOPLE = [("zhang", "east", ["inspector"], "张三", None), ("li", "east", ["inspector"], "李四", None),
          ("wang", "west", ["inspector"], "王五", None), ("boss", "city", ["supervisor"], "赵局", None),
          ("eastboss", "east", ["supervisor"], "钱科", None), ("acme", "east", ["enterprise"], "甲公司", ACME),
          (DESIGNER, "city", ["designer"], "流程设计员甲", None), ("api_admin", "city", ["admin"], "管理员甲", None)]
ENGLISH = re.compile(r"Traceback|[A-Za-z]{4,}(?: [A-Za-z]{2,}){2,}|\b(?:Error|Exception|error|invalid|None)\b")


# -- the database each model gets: a copy of a template prepared once ------------------------------
def prepare(url: str, domain: bool) -> dict[str, str]:
    """The runtime's tables and models (as ``duban serve`` makes them), the people, a token each;
    the database marked a demo database (so the bench may move its clock past timers)."""
    from webui.api.auth import create_token, ensure_table
    from workflows import demo_clock
    from workflows.runtime import build_engine
    engine = build_engine(url, deploy=True)
    ensure_table(engine)
    d = engine.directory
    if domain:
        from workflows.demo import USERS, load_directory, register_enterprises
        load_directory(engine)
        register_enterprises(engine)
        d.add_user(DESIGNER, org=USERS[0][2], roles=["designer"], name="流程设计员甲")
        names = [u[0] for u in USERS] + [DESIGNER]
    else:
        for code, name, parent, level in ORGS:
            d.add_org(code, name, parent=parent, level=level)
        for username, org, roles, name, party in PEOPLE:
            d.add_user(username, org=org, roles=roles, name=name, party=party)
        names = [p[0] for p in PEOPLE]
    demo_clock.mark_demo(engine, by="bench")
    tokens = {name: create_token(engine, name, "api_sweep") for name in names}
    engine.dispose()
    return tokens


class Databases:
    """A fresh database per model: SQLite, a copy of the template file; PostgreSQL, ``CREATE DATABASE
    ... TEMPLATE``. The templates (interop people, or the demo's for our own models) are made once."""

    def __init__(self, workdir: Path, admin_url: str | None):
        self.workdir, self.admin_url = workdir, admin_url
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT") if admin_url else None
        self.templates: dict[bool, tuple[str, dict]] = {}
        self.made: list[str] = []

    def _url(self, name: str) -> str:
        if self.admin_url:
            return self.admin_url.rsplit("/", 1)[0] + "/" + name
        return f"sqlite:///{self.workdir / (name + '.sqlite')}"

    def _create(self, name: str, template: str | None = None) -> None:
        self.made.append(name)
        if self.admin is None:
            if template:
                shutil.copyfile(self.workdir / f"{template}.sqlite", self.workdir / f"{name}.sqlite")
            return
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def fresh(self, domain: bool) -> tuple[str, str, dict]:
        """(name, url, tokens) of a fresh database for one model."""
        if domain not in self.templates:
            name = f"api_sweep_tpl_{uuid.uuid4().hex[:6]}"
            self._create(name)
            self.templates[domain] = (name, prepare(self._url(name), domain))
        template, tokens = self.templates[domain]
        name = f"api_sweep_{uuid.uuid4().hex[:8]}"
        self._create(name, template)
        return name, self._url(name), tokens

    def drop(self, name: str) -> None:
        if self.admin is None:
            for suffix in ("", "-wal", "-shm"):
                (self.workdir / f"{name}.sqlite{suffix}").unlink(missing_ok=True)
            return
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def backend_cpu(self, name: str) -> float:
        if self.admin is None:
            return 0.0
        with self.admin.connect() as conn:
            pids = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": name}).scalars()
            return _cpu_seconds(list(pids))

    def close(self) -> None:
        for name, _tokens in self.templates.values():
            self.drop(name)
        if self.admin is not None:
            self.admin.dispose()


# -- the server ---------------------------------------------------------------------------------
class Server:
    """``duban serve`` on ``url`` (gunicorn with its timer worker), in a process group of its own."""

    def __init__(self, url: str, workdir: Path, workers: int):
        self.port = free_port()
        env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT), DUBAN_AUDIT_KEY=AUDIT_KEY,
                   DUBAN_INSTANCE_PATH=str(workdir / "instance"))
        self.log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - closed in stop()
        cli = [sys.executable, "-c", "from webui.cli import main; main()"]
        self.proc = subprocess.Popen(cli + ["serve", "--host", HOST, "--port", str(self.port), "--workers", str(workers)],
                                     env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_for(self.port)
        except RuntimeError:
            self.stop()
            tail = (workdir / "serve.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"the server did not come up (exit {self.proc.poll()}): {' | '.join(tail)[:300]}") from None
        self.pids = settled(self.proc.pid)

    def cpu(self) -> float:
        return _cpu_seconds(group_pids(self.proc.pid))

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=30)
        self.log.close()


class Client:
    """One keep-alive connection; every answer's status and body kept when it is not 2xx."""

    def __init__(self, port: int, tokens: dict[str, str]):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.tokens = tokens
        self.failures: list[dict] = []
        self.english: list[str] = []

    def call(self, method: str, path: str, user: str, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        if body is not None:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):  # a keep-alive connection the server closed while idle: once more on a new one
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.conn.close()
                if attempt == 2:
                    self.failures.append({"request": f"{method} {path}", "status": None,
                                          "body": f"{type(exc).__name__}: {exc}"})
                    return 0, None
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.failures.append({"request": f"{method} {path}", "status": None, "body": f"{type(exc).__name__}: {exc}"})
                return 0, None
        try:
            answer: object = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode("utf-8", "replace")
        if not 200 <= resp.status < 300:
            self.failures.append({"request": f"{method} {path}", "user": user, "status": resp.status,
                                  "body": answer if isinstance(answer, dict) else str(answer)[:300]})
            text = english_in(answer)
            if text and text not in self.english:
                self.english.append(text)
        return resp.status, answer

    def json(self, method: str, path: str, user: str, payload: dict) -> tuple[int, object]:
        return self.call(method, path, user, json.dumps(payload, ensure_ascii=False, default=as_json).encode("utf-8"))


def english_in(answer: object) -> str | None:
    """English or a traceback in what a person reads of an error (its message and field errors), with
    the names quoted from the model (「…」) and machine ids in brackets left out."""
    if not isinstance(answer, dict):
        return None if answer is None else (str(answer)[:200] if ENGLISH.search(str(answer)) else None)
    parts = [str(answer.get("message") or "")]
    errors = answer.get("errors")
    if isinstance(errors, dict):
        parts.extend(str(v) for v in errors.values())
    parts.extend(str(p.get("message", "")) for p in answer.get("problems") or [] if isinstance(p, dict))
    for text in parts:
        bare = re.sub(r"「[^」]*」|“[^”]*”|\([^)]*\)|（[^）]*）|[A-Za-z_][\w.\-]*\.(?:bpmn|dmn|form)", "", text)
        if ENGLISH.search(bare):
            return text[:200]
    return None


def as_json(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def tired(value, turn: list[int]):
    """What a tired integrator sends: numbers as strings with thousands separators, booleans as
    "true"/"false" or "是"/"否" in turns."""
    if isinstance(value, bool):
        turn[0] += 1
        return ("true" if value else "false") if turn[0] % 2 else ("是" if value else "否")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}"
    if isinstance(value, dict):
        return {k: tired(v, turn) for k, v in value.items()}
    if isinstance(value, list):
        return [tired(v, turn) for v in value]
    return value


def multipart(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----duban" + uuid.uuid4().hex
    out = b""
    for field, filename, content in parts:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode("utf-8") + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# -- deploying through the API ------------------------------------------------------------------
def linked_forms(path: Path) -> list[Path]:
    """The sibling .form files whose form id the model's Camunda 8 tasks link (``formId``)."""
    ids = set(re.findall(r'formId="([^"]+)"', path.read_text(encoding="utf-8")))
    found = []
    for form in sorted(path.parent.glob("*.form")):
        with contextlib.suppress(ValueError, OSError):
            if json.loads(form.read_text(encoding="utf-8")).get("id") in ids:
                found.append(form)
    return found


def called_siblings(path: Path) -> list[Path]:
    """The sibling .bpmn files defining a process the model's call activities call."""
    root = etree.fromstring(readable(path.read_bytes()))  # as the deploy reads it
    elements = list(root.iter(etree.Element))  # not the comments and processing instructions
    called = {v for el in elements for k, v in el.attrib.items() if k.endswith("calledElement") and v}
    called |= {el.get("processId") for el in elements if el.tag.endswith("calledElement") and el.get("processId")}
    if not called:
        return []
    out = []
    for other in sorted(path.parent.glob("*.bpmn")):
        if other != path and set(re.findall(r'<(?:\w+:)?process [^>]*?id="([^"]+)"', other.read_text(encoding="utf-8"))) & called:
            out.append(other)
    return out


def deploy(client: Client, bench: ModelBench) -> tuple[int, object]:
    for dmn in bench.called_decisions():
        body, ctype = multipart([("file", dmn.name, dmn.read_bytes())])
        client.call("POST", "/api/models", DESIGNER, body, ctype)
    for other in called_siblings(bench.path):
        body, ctype = multipart([("file", other.name, other.read_bytes())]
                                + [("forms", f.name, f.read_bytes()) for f in linked_forms(other)])
        client.call("POST", "/api/models", DESIGNER, body, ctype)
    body, ctype = multipart([("file", bench.path.name, bench.path.read_bytes())]
                            + [("forms", f.name, f.read_bytes()) for f in linked_forms(bench.path)])
    return client.call("POST", "/api/models", DESIGNER, body, ctype)


# -- the walk -----------------------------------------------------------------------------------
class ApiWalk:
    """The in-process sweep's walk (``EngineWalk``), a round at a time, through HTTP."""

    def __init__(self, bench: ModelBench, client: Client, helper, cases: int, tired_data: bool = False,
                 on_first=None):
        self.bench, self.client, self.helper = bench, client, helper  # helper: an engine on the same database
        self.tired = tired_data
        self.ended: dict[str, int] = {}
        self.messages: list[str] = []
        self.latencies: list[float] = []
        self.requests = 0
        self.pending: list[int] = []
        self.last: dict[int, str] = {}
        self.viewer = bench.starter[0]
        self.on_first = on_first  # called once, after the walk's first completion (the server warm)
        self.not_in_queue: list[str] = []  # tasks completed that their worker's queue did not list
        turn = [0]
        for n in range(cases):
            data = dict(bench.start_given or {})
            payload = {"process_key": bench.process, "org": bench.starter[1], "party": bench.starter[2],
                       "title": f"接口基准{n + 1}", "data": tired(data, turn) if tired_data else data}
            status, answer = client.json("POST", "/api/cases", bench.starter[0], payload)
            if status == 201:
                self.pending.append(answer["id"])
            else:
                self.end("incident" if isinstance(answer, dict) and answer.get("incident_id") else "error", answer)

    def end(self, how: str, answer=None) -> None:
        self.ended[how] = self.ended.get(how, 0) + 1
        if isinstance(answer, dict) and answer.get("message") and answer["message"] not in self.messages:
            self.messages.append(answer["message"][:300])

    def round(self) -> bool:
        client, bench = self.client, self.bench
        still = []
        on_timers: list[str] = []
        for case_id in self.pending:
            status, view = client.call("GET", f"/api/cases/{case_id}", self.viewer)
            self.requests += 1
            if status != 200:
                self.end("error", view)
                continue
            tasks = [t for t in view["tasks"] if t.get("state", "open") == "open"]
            if view["status"] != "running":
                self.end(view["status"])
            elif tasks and not (view["timers"] and bench.let_time_pass(self.last.get(case_id), tasks[0]["spec_id"])):
                task = SimpleNamespace(**tasks[0])
                user = user_for(self.helper, task, bench.starter[0])
                data = bench.data_for(self.helper, task)
                if self.tired:
                    data = tired(data, [case_id])
                if self.tired:  # the correctness pass: the task is in its worker's queue (我的待办), as on the page
                    self.check_queue(task, user)
                t0 = time.perf_counter()
                status, answer = client.json("POST", f"/api/tasks/{task.id}/complete", user, {"data": data})
                self.requests += 1
                if status == 200:
                    self.latencies.append(time.perf_counter() - t0)
                    if self.on_first is not None:
                        self.on_first()
                        self.on_first = None
                    still.append(case_id)
                    self.last[case_id] = task.spec_id
                elif isinstance(answer, dict) and answer.get("incident_id"):
                    self.end("incident", answer)
                else:
                    self.end("error", answer)
            elif view["timers"]:
                on_timers.extend(t["due_at"] for t in view["timers"])
                still.append(case_id)
            else:
                self.end("waiting")
        if on_timers:
            self.advance(max(on_timers))
        self.pending = still
        return bool(still)

    def check_queue(self, task, user: str) -> None:
        """GET /api/tasks (the user's queue, this process's tasks, paged by ``after``) holds the task."""
        after, seen = None, False
        for _page in range(50):
            query = f"/api/tasks?process_key={self.bench.process}&limit=200" + (f"&after={after}" if after else "")
            status, page = self.client.call("GET", query, user)
            if status != 200 or not isinstance(page, dict):
                break
            if any(t["id"] == task.id for t in page["items"]):
                seen = True
                break
            after = page.get("next_after")
            if not after:
                break
        if not seen:
            self.not_in_queue.append(f"{task.spec_id} ({user})")

    def advance(self, due: str) -> None:
        """The demo clock moved past the latest due timer, its sweep run (``duban demo advance``)."""
        from workflows import demo_clock
        when = dt.datetime.fromisoformat(due.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        demo_clock.refresh(self.helper)
        gap = max(when - self.helper.clock.now() + dt.timedelta(seconds=1), dt.timedelta(seconds=1))
        while gap > dt.timedelta(0):
            step = min(gap, demo_clock.MAX_STEP)
            demo_clock.advance(self.helper, step, by="bench")
            gap -= step

    def result(self) -> dict:
        for _ in self.pending:
            self.end("too_many_steps")
        lat = sorted(self.latencies)
        done = len(lat)
        out: dict = {"cases_ended": self.ended, "completions": done}
        if done:
            out.update(p50_ms=round(lat[done // 2] * 1000, 1), p95_ms=round(lat[min(done - 1, int(done * 0.95))] * 1000, 1),
                       requests_per_completion=round(self.requests / done, 2))
        if self.messages:
            out["messages"] = self.messages[:3]
        if self.not_in_queue:
            out["not_in_queue"] = sorted(set(self.not_in_queue))[:5]
        return out


def helper_engine(url: str, domain: bool):
    from workflows.runtime import build_engine
    return build_engine(url, deploy=False)


def in_process(bench: ModelBench, workdir: Path, cases: int) -> tuple[dict, dict]:
    """The in-process engine's walk (it also fixes the data the API's walk gives) and the naive app's."""
    engine = model_engine_run(bench, f"sqlite:///{workdir / 'engine.sqlite'}", cases)
    naive: dict = {}
    for dialect in bench.dialects():
        (workdir / "naive.sqlite").unlink(missing_ok=True)
        try:
            found = model_spiff_run(bench, cases, workdir / "naive.sqlite", dialect)
        except Exception as exc:  # noqa: BLE001 - reported
            found = {"completions": 0, "error": f"{type(exc).__name__}: {exc}"[:300]}
        if not naive or found.get("completions", 0) > naive.get("completions", 0):
            naive = found
        if found.get("cases_ended") == engine.get("cases_ended"):
            naive = found
            break
    return engine, naive


def model_row(path: Path, dbs: Databases, args) -> dict:
    name = str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
    row: dict = {"model": name}
    bench = ModelBench(path)
    siblings = called_siblings(bench.path)
    if siblings:  # the forms drawn in the processes it calls: their tasks are this model's cases' too
        from tests.interop_support import drawn_form_data
        from tests.support import START
        bench.drawn = {**drawn_form_data(siblings, START.date()), **bench.drawn}
    with tempfile.TemporaryDirectory(prefix="api_sweep_") as tmp:
        workdir = Path(tmp)
        try:
            engine, naive = in_process(bench, workdir, args.cases)
        except Exception as exc:  # noqa: BLE001 - the in-process engine refuses it: the API's turn still
            engine, naive = {"completions": 0, "refused": f"{type(exc).__name__}: {exc}"[:300]}, {}
        row["in_process"] = {k: engine.get(k) for k in ("cases_ended", "completions", "cpu_ms_per_completion",
                                                       "cpu_ms_per_completion_after_first", "refused", "errors")
                             if engine.get(k) is not None}
        row["naive"] = {k: naive.get(k) for k in ("cases_ended", "completions", "cpu_ms_per_completion", "parser")
                        if naive.get(k) is not None}
        db_name, url, tokens = dbs.fresh(bench.domain)
        server = None
        try:
            server = Server(url, workdir, args.workers)
            client = Client(server.port, tokens)
            status, answer = deploy(client, bench)
            if status != 201:
                row["deployed"] = False
                row["refusal"] = answer.get("message") if isinstance(answer, dict) else str(answer)[:300]
            else:
                row["deployed"] = True
                bench.process = bench.process or answer["key"]
                helper = helper_engine(url, bench.domain)
                forms = linked_forms(bench.path)
                if forms:  # the fields of the .form files deployed with it: filled as a clerk fills them
                    from engine.camunda_forms import link_forms
                    from tests.interop_support import drawn_form_data
                    from tests.support import START
                    linked = workdir / bench.path.name
                    linked.write_bytes(link_forms(bench.path.read_bytes(), [(f.name, f.read_bytes()) for f in forms]))
                    bench.drawn = {**bench.drawn, **drawn_form_data([linked], START.date())}
                    bench.given = {}
                if bench.domain:  # ours: the forms' sample dates from the server's today, not the in-process clock's
                    from bench.throughput import SHANGHAI
                    from workflows.forms.samples import start_sample
                    bench.given = {}
                    bench.start_given = start_sample(bench.process, helper.clock.now().astimezone(SHANGHAI).date())
                try:
                    cpu0, db0 = server.cpu(), dbs.backend_cpu(db_name)
                    t0 = time.perf_counter()
                    warm: list[float] = []  # the server's CPU after the first completion: its cold start apart
                    walk = ApiWalk(bench, client, helper, args.cases,
                                   on_first=lambda: warm.extend((server.cpu(), dbs.backend_cpu(db_name))))
                    deadline = time.monotonic() + args.seconds
                    rounds = 0
                    while rounds < MAX_ROUNDS and time.monotonic() < deadline and walk.round():
                        rounds += 1
                    elapsed = time.perf_counter() - t0
                    cpu_end = server.cpu()
                    cpu, db_cpu = cpu_end - cpu0, dbs.backend_cpu(db_name) - db0
                    api = walk.result()
                    done = api["completions"]
                    if done:
                        api["completions_per_second"] = round(done / elapsed, 1)
                        api["server_cpu_ms_per_completion"] = round(cpu * 1000 / done, 2)
                        if done > 1 and warm:
                            api["server_cpu_ms_per_completion_after_first"] = round(
                                (cpu_end - warm[0]) * 1000 / (done - 1), 2)
                        if dbs.admin is not None:
                            api["database_cpu_ms_per_completion"] = round(db_cpu * 1000 / done, 2)
                    row["api"] = api
                    if args.tired_cases:
                        tired_walk = ApiWalk(bench, client, helper, args.tired_cases, tired_data=True)
                        deadline = time.monotonic() + args.seconds
                        rounds = 0
                        while rounds < MAX_ROUNDS and time.monotonic() < deadline and tired_walk.round():
                            rounds += 1
                        row["tired"] = tired_walk.result()
                finally:
                    helper.dispose()
            row["non_2xx"] = client.failures[:8]
            if client.english:
                row["english"] = client.english[:4]
        except Exception as exc:  # noqa: BLE001 - the row says what broke, the sweep goes on
            row["failed"] = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            if server is not None:
                server.stop()
            dbs.drop(db_name)
    compare(row)
    return row


def compare(row: dict) -> None:
    api, eng, naive = row.get("api") or {}, row.get("in_process") or {}, row.get("naive") or {}
    if not row.get("deployed"):
        row["differs"] = bool(eng.get("completions") or eng.get("cases_ended")) and not eng.get("refused")
        return
    row["differs"] = api.get("cases_ended") != eng.get("cases_ended") or api.get("completions") != eng.get("completions")
    server_ms = api.get("server_cpu_ms_per_completion")
    if server_ms and naive.get("cpu_ms_per_completion") and not not_comparable(
            {"per_second": 1, **eng}, {"per_second": 1, **naive}):
        row["naive_over_api_by_cpu"] = round(naive["cpu_ms_per_completion"] / server_ms, 2)
    if server_ms and eng.get("cpu_ms_per_completion"):
        row["api_over_engine_cpu_ms"] = round(server_ms - eng["cpu_ms_per_completion"], 2)
        if row.get("naive_over_api_by_cpu") is not None:
            row["naive_over_engine_by_cpu"] = round(naive["cpu_ms_per_completion"] / eng["cpu_ms_per_completion"], 2)


def line(r: dict) -> str:
    def ended(d):
        return " ".join(f"{k}:{v}" for k, v in sorted((d.get("cases_ended") or {}).items())) or "-"
    if r.get("failed"):
        return f"{r['model']:<48} FAILED {r['failed']}"
    if not r.get("deployed"):
        return f"{r['model']:<48} refused ({'DIFFERS' if r['differs'] else 'as in-process'}): {r.get('refusal', '')[:140]}"
    api = r.get("api", {})
    text = (f"{r['model']:<48} api[{ended(api)}] {api.get('completions_per_second', '-')}/s "
            f"p50 {api.get('p50_ms', '-')} p95 {api.get('p95_ms', '-')} ms  server {api.get('server_cpu_ms_per_completion', '-')} ms"
            f"  engine {r['in_process'].get('cpu_ms_per_completion', '-')} naive {r['naive'].get('cpu_ms_per_completion', '-')}"
            f"  naive/api {r.get('naive_over_api_by_cpu', '-')}")
    if r["differs"]:
        text += f"  DIFFERS in-process[{ended(r['in_process'])}]"
    if r.get("tired"):
        text += f"  tired[{ended(r['tired'])}]"
        if r["tired"].get("not_in_queue"):
            text += f"  NOT IN QUEUE {r['tired']['not_in_queue']}"
    statuses = sorted({f['status'] for f in r.get('non_2xx', [])}, key=str)
    if statuses:
        text += f"  non-2xx {statuses}"
    if r.get("english"):
        text += f"  ENGLISH {r['english'][0][:80]!r}"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, default=DEFAULT_PATHS)
    ap.add_argument("--cases", type=int, default=10)
    ap.add_argument("--tired-cases", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60.0, help="walking time per model")
    ap.add_argument("--workers", type=int, default=1, help="gunicorn web workers")
    ap.add_argument("--postgres", nargs="?", const="", default=None,
                    help="a fresh database of this PostgreSQL server (admin URL; default DUBAN_TEST_PG_URL)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ["DUBAN_AUDIT_KEY"] = AUDIT_KEY
    admin_url = None
    if args.postgres is not None:
        admin_url = args.postgres or os.environ.get("DUBAN_TEST_PG_URL")
        if not admin_url:
            ap.error("--postgres needs an admin URL (or DUBAN_TEST_PG_URL)")
    files = []
    for p in args.paths:
        files.extend(sorted(p.glob("*.bpmn")) if p.is_dir() else [p])
    rows = []
    with tempfile.TemporaryDirectory(prefix="api_sweep_db_") as tmp:
        dbs = Databases(Path(tmp), admin_url)
        try:
            for path in files:
                r = model_row(path.resolve(), dbs, args)
                rows.append(r)
                print(line(r), file=sys.stderr if args.json else sys.stdout, flush=True)
        finally:
            dbs.close()
    ratios = sorted(r["naive_over_api_by_cpu"] for r in rows if r.get("naive_over_api_by_cpu") is not None)
    summary = {"models": len(rows), "deployed": sum(1 for r in rows if r.get("deployed")),
               "differ_from_in_process": [r["model"] for r in rows if r.get("differs")],
               "with_english": [r["model"] for r in rows if r.get("english")],
               "tasks_not_in_queue": [r["model"] for r in rows if (r.get("tired") or {}).get("not_in_queue")],
               "with_5xx": [r["model"] for r in rows if any((f.get("status") or 0) >= 500 for f in r.get("non_2xx", []))],
               "median_naive_over_api_by_cpu": statistics.median(ratios) if ratios else None,
               "at_2_or_more": sum(v >= 2 for v in ratios), "with_ratio": len(ratios),
               "database": "postgresql" if admin_url else "sqlite"}
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, ensure_ascii=False, indent=1, default=as_json))
    else:
        print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
