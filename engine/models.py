"""Process models (流程模型): deploy, version, and freeze the specs a case runs on.

A deploy stores the file text with a content hash; identical content is a no-op, changed content is
the next version. When a case starts, its process, the processes it calls and every decision table
are parsed together into a *spec bundle*, stored once by hash: the case runs on that bundle for
life, whatever is deployed later.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from lxml import etree
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import audit, call_binding, case_numbers, model_forms, precompile, sandbox, validation
from .database import after_commit
from .errors import Conflict, Forbidden, InvalidModel, NotFound
from .schema import OrgUnit, ProcessModel, Role, SpecBundle, User, UserRole
from .state import _registry, to_json


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


@dataclass(frozen=True)
class StartModel:
    """What a start needs of the model it starts on (kept across transactions, unlike an ORM row)."""
    id: int
    key: str
    kind: str
    name: str
    version: int
    case_prefix: str = ""  # the 案号 prefix its cases get (engine/case_numbers.py)


_PM = ProcessModel.__table__


def stamp_columns() -> list:
    """The models' stamp as columns to add to a statement a start sends anyway: how many model rows
    there are and the newest id. A deploy adds a row (none is ever deleted), so a deploy any process
    has committed changes the stamp the next start reads — whichever order the ids were taken in."""
    return [sa.select(sa.func.count()).select_from(_PM).scalar_subquery().label("models_count"),
            sa.select(sa.func.max(_PM.c.id)).scalar_subquery().label("models_newest")]


_TEXT_LATER = orm.defer(ProcessModel.content)  # a model's XML, loaded when first read
START_SPECS = 256  # ``start_spec``: versions whose spec is kept for 发起案件


class ModelStore:
    def __init__(self, engine):
        self._engine = engine
        self._bundles: dict[str, tuple] = {}  # bundle hash -> (spec, subprocess_specs)
        self._bundle_for_models: dict[tuple, str] = {}
        # process key -> (models stamp, model, bundle hash): a start that read the same stamp needs
        # no model read, no parse of the model to find the processes it calls (``bundle_for_start``)
        self._start_plans: dict[str, tuple[tuple, StartModel, str]] = {}
        # a model file's content hash -> its call activities (what each calls, bound how), so a start
        # without a stamp (a case a script starts) parses no model to find them; by hash, not row id
        # (a rolled-back deploy's id may come again on SQLite)
        self._called: dict[str, tuple[call_binding.Call, ...]] = {}
        self._found: dict[tuple, tuple[tuple, object]] = {}  # ``found_in_latest``: name -> (models stamp, answer)
        self._start_specs: dict[int, object] = {}  # ``start_spec``: model version id -> its process spec
        self._start_files: dict[str, validation.ParsedFile] = {}  # ``_start_file``: a decision table by content hash
        self._start_drawn: dict[tuple[str, str], bool] = {}  # ``draws_start_form``: (content hash, key) -> answer
        # ``owner_path``: process key -> (directory version, the owning unit's org path or None); the
        # first version's deployer never changes, so only the directory moves an answer
        self._owner_paths: dict[str, tuple[int, str | None]] = {}
        # ``warm_code``: the specs it parsed, by the (id, content hash) of the models they came from, for
        # the first start of each (``bundle_for_start``), which then reads and parses nothing
        self._warm_specs: dict[tuple, tuple] = {}
        # process key -> the 案号 prefix of its latest model as this process last saw it: what a start
        # numbers its case by before it has read the models' stamp (``case_prefix``)
        self._prefixes: dict[str, str] = {}
        self._lock = threading.Lock()
        # The deploy-time code check (engine/sandbox.py); only the probe tests switch it off, to show
        # that the runtime alone contains hostile code.
        self.check_model_code = True

    # -- deploy -----------------------------------------------------------------------------------
    def validate(self, content: bytes | str, filename: str, session: Session | None = None, strict: bool = False,
                 decisions: list | None = None):
        """Every check a deploy makes, without deploying. Raises InvalidModel; returns the parsed file.
        ``strict``: the designer's standard (``validation.check_bpmn``). ``decisions``: DMN files
        ((file name, content), validated by the caller) to be deployed with the model: its business
        rule tasks are checked against them in place of the deployed ones of the same key."""
        if session is None:
            with self._engine.db.read() as s:
                return self.validate(content, filename, s, strict=strict, decisions=decisions)
        raw = content.encode("utf-8") if isinstance(content, str) else content
        pf = self._read(raw, filename)
        if pf.kind == "bpmn":
            lane_roles = self._lane_roles(session)
            problems = validation.check_bpmn(pf, lane_roles=lane_roles, form_exists=self._form_exists(),
                                             check_code=self.check_model_code, strict=strict)
            problems += self._case_prefix_problems(session, pf)
            validation.raise_problems(filename, problems)
            pf.warnings = validation.warnings_of(problems)
            own = {p.get("id") for p in pf.root.findall("bpmn:process", validation.NS)}
            extra = self._latest_dmn_files(session)
            if decisions:
                drafts = [self._read(raw_dmn, name) for name, raw_dmn in decisions]
                replaced = {k for d in drafts for k in d.keys}
                extra = [d for d in extra if not set(d.keys) & replaced] + drafts
            for called in sorted(pf.called_elements - own):
                dep = self._latest(session, called)
                if dep is None:
                    raise InvalidModel(f"被调用的流程「{called}」未部署，请先部署它",
                                       filename=filename)
                extra.append(self._read(dep.content.encode("utf-8"), dep.filename))
            parser = validation.spiff_parse(extra + [pf])
            for key in pf.keys:  # its code compiled now, not at the first completion (engine/precompile.py)
                precompile.warm_bundle(*validation.build_specs(parser, key, pf))
        else:
            validation.raise_problems(filename, [validation.code_problem(pf.root, p)
                                                 for p in (sandbox.check_model(pf.root) if self.check_model_code else [])])
            validation.spiff_parse([pf])
        return pf

    def deploy(self, source: str | Path | bytes, by: str, filename: str | None = None,
               strict: bool = False) -> ProcessModel:
        if isinstance(source, (str, Path)) and not (isinstance(source, str) and source.lstrip().startswith("<")):
            path = Path(source)
            raw, filename = path.read_bytes(), filename or path.name
        else:
            raw = source.encode("utf-8") if isinstance(source, str) else source
            filename = filename or "upload.bpmn"
        raw = validation.readable(raw)  # stored as every reader of it can parse it
        # Validate before taking the write lock (a large model takes seconds; other writers must not
        # wait for it), and again inside only if roles or models changed meanwhile.
        with self._engine.db.read() as s:
            pf = self.validate(raw, filename, s, strict=strict)
            seen = self._validation_context(s)
        with self._engine.db.write() as s:
            if self._validation_context(s) != seen:
                pf = self.validate(raw, filename, s, strict=strict)
            text = raw.decode("utf-8")
            digest = _sha(raw)
            result = None
            prefixes = validation.case_prefixes(pf) if pf.kind == "bpmn" else {}
            tags = call_binding.version_tags(pf.source_root) if pf.kind == "bpmn" and pf.source_root is not None else {}
            after_commit(s, lambda: self._know_prefixes({k: case_numbers.effective(k, p) for k, p in prefixes.items()}))
            # A file may hold several executable processes (a collaboration): each gets its own versions.
            for key in pf.keys:
                latest = self._latest(s, key)
                if latest is not None and latest.content_hash == digest:
                    result = result or latest
                    continue
                if latest is not None:
                    self._check_reach(s, by, key, latest.name or pf.names.get(key, ""))
                model = ProcessModel(key=key, kind=pf.kind, name=pf.names.get(key, ""),
                                     version=(latest.version + 1 if latest else 1), filename=filename, content=text,
                                     content_hash=digest, deployed_by=by, deployed_at=self._engine.clock.now(),
                                     case_prefix=prefixes.get(key), version_tag=tags.get(key))
                s.add(model)
                s.flush()
                audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="deployed", at=model.deployed_at,
                             detail={"key": key, "version": model.version, "file": filename, "hash": digest})
                result = result or model
            return result

    def owner(self, session: Session, key: str) -> OrgUnit | None:
        """The org unit a process key belongs to: that of the user who deployed its first version;
        the top unit if no user did (our own models, loaded at set-up or by ``duban deploy``)."""
        first = session.execute(sa.select(OrgUnit).join(User, User.org_code == OrgUnit.code)
                                .join(ProcessModel, ProcessModel.deployed_by == User.username)
                                .where(ProcessModel.key == key).order_by(ProcessModel.version).limit(1)
                                ).scalar_one_or_none()
        if first is not None:
            return first
        return session.execute(sa.select(OrgUnit).where(OrgUnit.parent_code.is_(None))
                               .order_by(OrgUnit.path).limit(1)).scalar_one_or_none()

    def owner_path(self, session: Session, key: str, directory_version: int) -> str | None:
        """The org path of ``owner(key)``, kept per key until the directory moves (a step's
        ``start_case`` asks it without a query: tests/test_step_round_trips.py)."""
        kept = self._owner_paths.get(key)
        if kept is not None and kept[0] == directory_version:
            return kept[1]
        unit = self.owner(session, key)
        path = unit.path if unit is not None else None
        self._owner_paths[key] = (directory_version, path)
        return path

    def check_reach(self, by: str, raw: bytes, filename: str) -> None:
        """``by`` may deploy a new version of each process of the file ``raw`` (``_check_reach``):
        asked by the designer before its checks (a designer is told first that the process is not
        theirs to change) and before any of several files is deployed (a model and its decision tables)."""
        keys = self._read(validation.readable(raw), filename).keys
        with self._engine.db.read() as s:
            for key in keys:
                latest = self._latest(s, key)
                if latest is not None:
                    self._check_reach(s, by, key, latest.name)

    def _check_reach(self, session: Session, by: str, key: str, name: str) -> None:
        """A new version of an existing process only by a designer of the unit that owns it or of a
        unit above it (docs/designer.md, 部署权限); administrators, and the server's own set-up and
        command line (``by`` no user), deploy anything. Forbidden naming the process and its unit."""
        user = session.execute(sa.select(User.org_code, OrgUnit.path).join(OrgUnit, OrgUnit.code == User.org_code)
                               .where(User.username == by)).first()
        if user is None:
            return
        if session.execute(sa.select(UserRole.role_code).where(UserRole.username == by,
                                                               UserRole.role_code == "admin")).first():
            return
        owner = self.owner(session, key)
        if owner is None or owner.path.startswith(user.path):
            return
        raise Forbidden(f"流程「{name or key}」属于{owner.name}，只有{owner.name}或其上级单位的流程设计员"
                        f"可以部署它的新版本")

    def _case_prefix_problems(self, session: Session, pf) -> list:
        """A process of ``pf`` whose 案号 prefix another deployed process's cases already get (the
        latest version of each other key), when either of the two declared it: refused naming both.
        Two keys whose initials alone agree (neither declared) number alike, as they always did."""
        own = validation.case_prefixes(pf)
        if not own:
            return []
        taken: dict[str, tuple[str, str, bool]] = {}  # prefix -> (key, name, declared)
        newest = (sa.select(_PM.c.key, sa.func.max(_PM.c.version).label("v")).where(_PM.c.kind == "bpmn")
                  .group_by(_PM.c.key).subquery())
        for key, name, declared in session.execute(
                sa.select(_PM.c.key, _PM.c.name, _PM.c.case_prefix)
                .join(newest, sa.and_(_PM.c.key == newest.c.key, _PM.c.version == newest.c.v))
                .where(_PM.c.key.not_in(list(own))).order_by(_PM.c.key)):
            taken.setdefault(case_numbers.effective(key, declared), (key, name, bool(declared)))
        elements = {p.get("id"): p for p in pf.root.findall("bpmn:process", validation.NS)}
        problems = []
        for key, declared in own.items():
            prefix = case_numbers.effective(key, declared)
            holder = taken.get(prefix)
            if holder is not None and (declared or holder[2]):
                el = elements[key]
                other = f"流程「{holder[1]}」({holder[0]})" if holder[1] else f"流程 ({holder[0]})"
                problems.append(validation.Problem(validation.same_case_prefix(prefix, other, validation.label(el)),
                                                   key, el.sourceline))
        return problems

    def _know_prefixes(self, prefixes: dict[str, str]) -> None:
        with self._lock:
            self._prefixes.update(prefixes)

    def case_prefix(self, key: str) -> str | None:
        """The 案号 prefix of ``key``'s latest model as this process last saw it (a deploy here, a
        start's model read), None if it has not: what a start numbers its case by before its
        models' stamp is read; ``cases.NewCase`` checks it against the model it starts on."""
        return self._prefixes.get(key)

    # -- queries ----------------------------------------------------------------------------------
    def latest(self, key: str) -> ProcessModel:
        with self._engine.db.read() as s:
            model = self._latest(s, key)
            if model is None:
                raise NotFound(f"流程模型不存在: {key}")
            return model

    def versions(self, key: str, content: bool = True) -> list[ProcessModel]:
        """Every version of a model, oldest first; ``content=False`` leaves the file text out (listings)."""
        with self._engine.db.read() as s:
            q = sa.select(ProcessModel).where(ProcessModel.key == key).order_by(ProcessModel.version)
            return list(s.execute(q if content else q.options(orm.defer(ProcessModel.content, raiseload=True))).scalars())

    def version(self, key: str, number: int) -> ProcessModel:
        with self._engine.db.read() as s:
            model = s.execute(sa.select(ProcessModel).where(ProcessModel.key == key, ProcessModel.version == number)
                              ).scalar_one_or_none()
            if model is None:
                raise NotFound(f"流程模型不存在: {key} 第{number}版")
            return model

    def list(self, content: bool = True) -> list[ProcessModel]:
        """The latest version of every model; ``content=False`` leaves the file text out (listings)."""
        with self._engine.db.read() as s:
            newest = sa.select(ProcessModel.key, sa.func.max(ProcessModel.version).label("v")).group_by(
                ProcessModel.key).subquery()
            q = sa.select(ProcessModel).join(
                newest, sa.and_(ProcessModel.key == newest.c.key, ProcessModel.version == newest.c.v)
            ).order_by(ProcessModel.key)
            return list(s.execute(q if content else q.options(orm.defer(ProcessModel.content, raiseload=True))).scalars())

    def decisions(self) -> list[dict]:
        """Decision tables a model may call (``calledDecisionId``): id, name and the DMN model holding it."""
        found = []
        with self._engine.db.read() as s:
            for model in self._latest_all(s, "dmn"):
                root = validation.read_file(model.content.encode("utf-8"), model.filename).root
                for el in root:
                    if etree.QName(el).localname == "decision":
                        found.append({"id": el.get("id"), "name": el.get("name") or "", "model_key": model.key})
        return sorted(found, key=lambda d: d["id"])

    def get(self, model_id: int) -> ProcessModel:
        with self._engine.db.read() as s:
            model = s.get(ProcessModel, model_id)
            if model is None:
                raise NotFound(f"流程模型不存在: #{model_id}")
            return model

    # -- bundles ----------------------------------------------------------------------------------
    def bundle_for_start(self, s: Session, key: str, stamp: tuple | None = None) -> tuple[StartModel, str]:
        """The model a new case of ``key`` starts on, and the hash of its frozen spec bundle.
        ``stamp``: the models' stamp (``stamp_columns``) read in this transaction; the answer is
        then taken from the last start of ``key`` that read the same stamp, else found and kept
        (once the transaction commits: its bundle row may be new)."""
        if stamp is not None:
            with self._lock:
                plan = self._start_plans.get(key)
            if plan is not None and plan[0] == stamp:
                return plan[1], plan[2]
        row = self._latest(s, key, _TEXT_LATER)
        if row is None or row.kind != "bpmn":
            raise NotFound(f"流程模型不存在: {key}")
        model = StartModel(id=row.id, key=row.key, kind=row.kind, name=row.name, version=row.version,
                           case_prefix=case_numbers.effective(row.key, row.case_prefix))
        with self._lock:
            self._prefixes[key] = model.case_prefix
        deps = self._dependencies(s, row)
        ids = tuple(sorted(m.id for m in deps))

        def remember(digest: str) -> None:  # "these models have a stored bundle": once it is committed
            with self._lock:
                self._bundle_for_models[ids] = digest
                if stamp is not None:
                    self._start_plans[key] = (stamp, model, digest)
        with self._lock:
            known = self._bundle_for_models.get(ids)
        if known:
            remember(known)
            return model, known
        # A second start of these models in this transaction (a 双随机 draw opens an inspection case per
        # enterprise in one step): the bundle the first one stored, not parsed again — if its row is
        # still there (a timer sweep's savepoint may have rolled the first start back).
        built = s.info.setdefault("duban_bundles_built", {})
        digest = built.get(ids)
        if digest is not None and s.execute(sa.select(SpecBundle.hash).where(SpecBundle.hash == digest)).first():
            return model, digest
        with self._lock:
            warmed = self._warm_specs.pop(_versions(deps), None)
        if warmed is not None:  # parsed by ``warm_code`` from these very files
            spec, subprocess_specs = warmed
        else:
            # the decision tables as ``_start_file`` keeps them by content hash (``warm_code`` read
            # them already); the process files read afresh, as before
            files = [self._start_file(m) for m in deps]
            spec, subprocess_specs = validation.build_specs(validation.spiff_parse(files), key, None)
        content = to_json({"spec": _registry.convert(spec),
                           "subprocess_specs": {k: _registry.convert(v) for k, v in subprocess_specs.items()}})
        digest = _sha(content)
        if s.get(SpecBundle, digest) is None:
            _store_bundle(s, digest, content)
        with self._lock:  # content-addressed: true whatever becomes of this transaction
            self._bundles[digest] = (spec, subprocess_specs)
        built[ids] = digest
        after_commit(s, lambda: remember(digest))
        return model, digest

    def found_in_latest(self, name: tuple, stamp: tuple | None, find):
        """What ``find()`` finds in the latest models (the models a message starts, say), kept while
        the models' stamp (``stamp_columns``, read in the caller's transaction) is the same: any
        deploy, by any process, changes it. ``stamp`` None: found afresh, kept nowhere."""
        if stamp is None:
            return find()
        with self._lock:
            known = self._found.get(name)
        if known is not None and known[0] == stamp:
            return known[1]
        answer = find()
        with self._lock:
            self._found[name] = (stamp, answer)
        return answer

    def start_spec(self, model_id: int):
        """The process spec a case of model version ``model_id`` starts on, for a page that reads it
        without starting one (发起案件 shows the start form drawn in it: webui/drawn_form.py, from the
        spec the engine checks a start against, engine/model_forms.start_form): read-only, unlike
        ``bundle_for_start`` (which may store a bundle, so needs a write session). The spec of the
        bundle a start of it made, else the model and what it calls parsed as ``bundle_for_start``
        parses them, nothing stored. Kept per version (a version's file never changes; its start
        event and the flows out of it are its own), up to ``START_SPECS`` versions."""
        with self._lock:
            found = self._start_specs.get(model_id)
        if found is not None:
            return found
        with self._engine.db.read() as s:
            row = s.get(ProcessModel, model_id)
            if row is None or row.kind != "bpmn":
                raise NotFound(f"流程模型不存在: #{model_id}")
            deps = self._dependencies(s, row)
            with self._lock:
                known = self._bundle_for_models.get(tuple(sorted(m.id for m in deps)))
            if known:
                spec = self.specs(s, known)[0]
            else:
                files = [self._start_file(m) for m in deps]
                spec = validation.build_specs(validation.spiff_parse(files), row.key, None)[0]
        with self._lock:
            if len(self._start_specs) >= START_SPECS:
                self._start_specs.clear()
            self._start_specs[model_id] = spec
        return spec

    def warm_code(self) -> int:
        """The code of the latest version of every process compiled and planned before a case runs it
        (engine/precompile.py, ``Engine.warm``), each parsed with what it calls as a start parses it;
        how many texts. A model that does not parse now is left to its first start, as before."""
        done = 0
        with self._engine.db.read() as s:
            for row in self._latest_all(s, "bpmn"):
                # its 案号 prefix known to the first start here (``case_prefix``: no guess to undo)
                self._know_prefixes({row.key: case_numbers.effective(row.key, row.case_prefix)})
                try:
                    deps = self._dependencies(s, row)
                    files = [self._start_file(m) for m in deps]
                    specs = validation.build_specs(validation.spiff_parse(files), row.key, None)
                    done += precompile.warm_bundle(*specs)
                except Exception:  # noqa: BLE001 — its start reports it, as it did
                    continue
                # kept for its first start unless a start has stored its bundle already (up to
                # START_SPECS: the demo's 11 processes, ~40 ms of reading and parsing at the first
                # start of enforcement_case alone, then none)
                with self._lock:
                    if not self._bundle_for_models.get(tuple(sorted(m.id for m in deps))) \
                            and len(self._warm_specs) < START_SPECS:
                        self._warm_specs[_versions(deps)] = specs
        return done

    def draws_start_form(self, model: ProcessModel) -> bool:
        """Does a start of ``model`` (a process version, its content loaded) run from a start event
        that draws a form (``model_forms.start_form`` of its spec is not {})? Read from the model file
        in our dialect alone, as ``start_spec`` reads it, without building the spec: 发起案件 marks
        each process's <option> with it (the page reloads for one with a start form) and parses the
        spec of the chosen process only. A fresh engine's first view parsed every process's spec for
        it: on the demo database, 3 runs at load 10 on 2 cores, first view 1.03-1.07 s wall, 260-292 ms
        CPU -> 0.34-0.40 s, 89-112 ms CPU (before a00bb05: 0.21-0.39 s, 90-109 ms; later views ~20-30 ms
        in all three). A file naming no form word at all is not even normalized (``_FORM_WORDS``). The start
        event is ``model_forms.start_event``'s: the process's first none start event, else its only
        start event (tests/test_start_form_first_view.py compares both answers on every corpus
        model). Kept by content hash and key (a version's file never changes)."""
        key = (model.content_hash, model.key)
        with self._lock:
            found = self._start_drawn.get(key)
        if found is not None:
            return found
        raw = model.content.encode("utf-8")
        if any(word in raw for word in _FORM_WORDS):
            try:
                found = _draws_start_form(self._read(raw, model.filename).root, model.key)
            except InvalidModel:
                found = False
        else:  # no form of any dialect drawn anywhere in the file: nothing to normalize
            found = False
        with self._lock:
            if len(self._start_drawn) >= START_SPECS:
                self._start_drawn.clear()
            self._start_drawn[key] = found
        return found

    def _start_file(self, model: ProcessModel) -> validation.ParsedFile:
        """A file ``start_spec`` parses: a decision table's read once by its content (every model's
        spec is parsed with every decision table: with the demo's 11 models and 7 tables a fresh
        发起案件 read 88 files, now 28; its first view 0.81-0.99 s -> 0.68-0.79 s, 3 runs each on a
        busy box; later views ~15 ms either way), a process's each time (only its own spec reads it)."""
        if model.kind != "dmn":
            return self._read(model.content.encode("utf-8"), model.filename)
        with self._lock:
            found = self._start_files.get(model.content_hash)
        if found is None:
            found = self._read(model.content.encode("utf-8"), model.filename)
            with self._lock:
                if len(self._start_files) >= START_SPECS:
                    self._start_files.clear()
                self._start_files[model.content_hash] = found
        return found

    def specs(self, s: Session, bundle_hash: str):
        with self._lock:
            found = self._bundles.get(bundle_hash)
        if found:
            return found
        row = s.get(SpecBundle, bundle_hash)
        data = json.loads(row.content)
        specs = (_registry.restore(data["spec"]),
                 {k: _registry.restore(v) for k, v in data["subprocess_specs"].items()})
        with self._lock:
            self._bundles[bundle_hash] = specs
        return specs

    # -- helpers ----------------------------------------------------------------------------------
    def _form_exists(self):
        forms = self._engine.forms
        return forms.has if forms is not None else None

    def _read(self, raw: bytes, filename: str) -> validation.ParsedFile:
        """A model file in our dialect; Camunda ``formKey`` names our form only if it exists."""
        return validation.read_file(raw, filename, self._form_exists())

    def _latest(self, s: Session, key: str, *options) -> ProcessModel | None:
        return s.execute(sa.select(ProcessModel).options(*options).where(ProcessModel.key == key)
                         .order_by(ProcessModel.version.desc()).limit(1)).scalar_one_or_none()

    def _latest_all(self, s: Session, kind: str, *options) -> list[ProcessModel]:
        newest = sa.select(ProcessModel.key, sa.func.max(ProcessModel.version).label("v")).where(
            ProcessModel.kind == kind).group_by(ProcessModel.key).subquery()
        return list(s.execute(sa.select(ProcessModel).options(*options).join(
            newest, sa.and_(ProcessModel.key == newest.c.key, ProcessModel.version == newest.c.v))).scalars())

    def _latest_dmn_files(self, s: Session):
        return [self._read(m.content.encode("utf-8"), m.filename) for m in self._latest_all(s, "dmn")]

    def _dependencies(self, s: Session, model: ProcessModel) -> list[ProcessModel]:
        """The model, the version of every process it calls (transitively) that each call activity binds
        to (engine/call_binding.py: the latest unless the model binds another), and all decisions.
        Their texts are read only when used (a bundle not built yet, a model not met before): a
        start of a known bundle needs the rows' ids, not every decision table's XML. One version of a
        process a bundle: two call activities binding one process to two versions are refused."""
        result = {model.key: model}
        todo = [model]
        while todo:
            current = todo.pop()
            for call in self._calls_of(current):
                if call.key == current.key or (call.key == model.key and call.binding == "latest"):
                    continue  # the process itself (a recursive call): the version the case runs
                dep = call_binding.bound_version(s, current, call, _TEXT_LATER)
                had = result.get(call.key)
                if had is None:
                    result[call.key] = dep
                    todo.append(dep)
                elif had.id != dep.id:
                    raise Conflict(f"流程「{current.name or current.key}」的{call.activity}调用流程「{call.key}」第 {dep.version} 版，"
                                   f"而同一案件的另一处调用用它的第 {had.version} 版；一个案件只能调用被调用流程的一个版本，"
                                   "请统一这些调用活动的版本绑定")
        return self._latest_all(s, "dmn", _TEXT_LATER) + list(result.values())

    def _calls_of(self, model: ProcessModel) -> tuple[call_binding.Call, ...]:
        """The call activities of ``model`` (what each calls, bound how), its file read once per text."""
        with self._lock:
            found = self._called.get(model.content_hash)
        if found is None:
            found = call_binding.calls_of(self._read(model.content.encode("utf-8"), model.filename).root)
            with self._lock:
                self._called[model.content_hash] = found
        return found

    def _validation_context(self, s: Session) -> tuple:
        """What a model's validation depends on besides its own text: the models (called processes,
        decision tables) and the roles (lanes). Cheap: one aggregate and the few roles."""
        newest = s.execute(sa.select(sa.func.max(ProcessModel.id))).scalar()
        return newest, tuple(sorted(s.execute(sa.select(Role.code, Role.name)).all()))

    def _lane_roles(self, s: Session) -> set[str]:
        names = set()
        for code, name in s.execute(sa.select(Role.code, Role.name)):
            names.update((code, name))
        return names


# A form drawn in a model file names one of these (dialects.py ``_form_fields``: Camunda 7
# formData/formField, Flowable/Activiti formProperty, Camunda 8 zeebe:formDefinition; our own
# spiffworkflow:property formFields); "&#": a character reference might spell one
_FORM_WORDS = (b"formField", b"formProperty", b"formDefinition", b"&#")
_B = f"{{{validation.BPMN_NS}}}"
_S = f"{{{validation.SPIFF_NS}}}"


def _draws_start_form(root, key: str) -> bool:
    """``ModelStore.draws_start_form`` on a file in our dialect: process ``key``'s start event as
    ``model_forms.start_event`` picks it from the spec (its first none start event, else its only
    start event), and whether the ``formFields`` property dialects.py gave it lists a field."""
    process = next((p for p in root.iter(f"{_B}process") if p.get("id") == key), None)
    if process is None:
        return False
    starts = list(process.iterfind(f"{_B}startEvent"))
    plain = [el for el in starts if not any(isinstance(c.tag, str) and c.tag.startswith(_B) and
                                             (c.tag.endswith("EventDefinition") or c.tag.endswith("eventDefinitionRef"))
                                             for c in el)]
    event = plain[0] if plain else (starts[0] if len(starts) == 1 else None)
    if event is None:
        return False
    props = {p.get("name"): p.get("value") for p in event.iterfind(f"{_B}extensionElements/{_S}properties/{_S}property")}
    value = props.get("formFields")  # the last of a name, as SpiffWorkflow's parser reads them
    return bool(value) and bool(model_forms.fields_of({"formFields": value}))


def _versions(models: list[ProcessModel]) -> tuple:
    """The (id, content hash) of each model a bundle is built from: what ``warm_code``'s specs are kept by."""
    return tuple(sorted((m.id, m.content_hash) for m in models))


def _store_bundle(s: Session, digest: str, content: str) -> None:
    """Store a spec bundle unless a row of its hash is there: two first starts of a new model version
    at once (two officials after a deploy, a hotline system's messages) each found none and inserted
    it, and on PostgreSQL the later one failed on the key (a 500, nothing started). Content-addressed,
    so the row the other transaction stored is this one."""
    insert = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(SpecBundle)
    s.execute(insert.values(hash=digest, content=content).on_conflict_do_nothing(index_elements=["hash"]))
