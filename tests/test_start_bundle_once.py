"""A step that opens several cases of one process (双随机: 审批抽查计划's draw opens an inspection case per
drawn enterprise, 国发〔2019〕5号) in a process that has not started that process yet builds its spec
bundle once, not once a case, and reads the decision tables as ``Engine.warm`` read them; after
``Engine.warm`` it reads and parses nothing, taking the specs warm parsed (engine/models.py
``bundle_for_start``, ``warm_code``). Every case opened runs on the one stored bundle, the same bundle
(content hash) either way."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from engine import validation
from engine.schema import Case, SpecBundle
from tests.process_support import process_world
from workflows.demo import register_enterprises
from workflows.inspection_plans import start_plan

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
QUOTAS = [{"sector": "危化", "count": 1}, {"sector": "工贸", "count": 1}]
BUNDLE_OF_RANDOM_INSPECTION: dict[str, str] = {}  # by database kind: the cold run's, the warm one's must match


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_draw_opening_two_inspection_cases_builds_their_bundle_once(database_url, monkeypatch, warm):
    worlds = process_world(database_url, "random_inspection", None, START)
    w = next(worlds)
    try:
        engine = w.engine
        register_enterprises(engine)
        for username, name in (("wei_jc", "魏检查"), ("xu_jc", "徐检查")):
            engine.directory.add_user(username, org="dongcheng", roles=["inspector"], name=name)
        if warm:
            engine.warm()  # as a serving process does once it is ready
        built, read = [], []
        build_specs, read_file = validation.build_specs, validation.read_file

        def counting_build(parser, key, *args, **kwargs):
            built.append(key)
            return build_specs(parser, key, *args, **kwargs)

        def counting_read(raw, filename, *args, **kwargs):
            read.append(filename)
            return read_file(raw, filename, *args, **kwargs)

        monkeypatch.setattr(validation, "build_specs", counting_build)
        monkeypatch.setattr(validation, "read_file", counting_read)
        c = start_plan(engine, "qian_ke", "dongcheng", "东城区双随机抽查计划").id
        w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS)
        built.clear()
        read.clear()
        w.desk.do(c, "审批抽查计划")
        kids = [x for x in engine.cases(process_key="random_inspection", limit=1000) if x.parent_case_id == c]
        assert len(kids) == 2
        assert built.count("random_inspection") == (0 if warm else 1), built
        if warm:
            assert not read, read  # warm() read and parsed random_inspection and the tables
        with engine.db.read() as s:
            hashes = set(s.scalars(sa.select(Case.bundle_hash).where(Case.parent_case_id == c)))
            assert len(hashes) == 1 and s.get(SpecBundle, next(iter(hashes))) is not None
        # the bundle a warm start stores is the one a cold start builds (what a restarted process reads)
        (bundle,) = hashes
        assert bundle == BUNDLE_OF_RANDOM_INSPECTION.setdefault(database_url.split(":")[0], bundle)
        for kid in kids:
            assert w.desk.task(kid.id, "现场检查").assignee in engine.case(kid.id).data["inspectors"]
    finally:
        next(worlds, None)
