"""The four process models and the decision tables as files: schema-valid, lanes bound to roles,
every user task with a registered form, and a diagram (BPMN DI) that displays cleanly."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.timers import check_timer_expression
from engine.validation import check_bpmn, read_file
from workflows.forms import registry
from workflows.roles import ROLES

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
PROCESSES = ["hazard_supervision", "accident_investigation", "enforcement_case", "post_case_assessment",
             "hazard_self_report", "tipoff_12350", "inspection_plan", "random_inspection",
             "case_file_review", "accident_supervision"]
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_NODE_TAGS = {"startEvent", "endEvent", "userTask", "scriptTask", "businessRuleTask", "exclusiveGateway",
                  "parallelGateway", "inclusiveGateway", "intermediateCatchEvent", "boundaryEvent", "callActivity",
                  "serviceTask", "manualTask", "task", "subProcess"}


def root_of(name):
    return etree.parse(str(BPMN_DIR / f"{name}.bpmn")).getroot()


@pytest.fixture(scope="module")
def parser():
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_dmn_files(sorted(str(x) for x in BPMN_DIR.glob("*.dmn")))
    p.add_bpmn_files(sorted(str(x) for x in BPMN_DIR.glob("*.bpmn")))
    return p


@pytest.mark.parametrize("name", PROCESSES)
def test_model_is_schema_valid_and_builds(parser, name):
    spec = parser.get_spec(name)
    assert spec.name == name
    assert any(s.bpmn_name for s in spec.task_specs.values())


@pytest.mark.parametrize("name", PROCESSES)
def test_engine_deploy_checks_pass(name):
    pf = read_file((BPMN_DIR / f"{name}.bpmn").read_bytes(), f"{name}.bpmn")
    lane_roles = {c for c, _ in ROLES} | {n for _, n in ROLES}
    assert check_bpmn(pf, lane_roles=lane_roles, form_exists=registry.has) == []


@pytest.mark.parametrize("name", PROCESSES)
def test_every_user_task_is_in_a_role_lane_with_a_form(parser, name):
    spec = parser.get_spec(name)
    role_names = {n for _, n in ROLES}
    users = [s for s in spec.task_specs.values() if type(s).__name__ == "UserTask"]
    assert users
    for s in users:
        assert s.lane in role_names, (s.bpmn_id, s.lane)
        assert registry.has(s.extensions["properties"]["formSchema"]), s.bpmn_id


@pytest.mark.parametrize("name", PROCESSES)
def test_names_are_chinese(name):
    root = root_of(name)
    proc = root.find("bpmn:process", NS)
    for el in proc.iter():
        tag = etree.QName(el).localname
        if tag in ("userTask", "scriptTask", "businessRuleTask", "startEvent", "endEvent", "boundaryEvent",
                   "intermediateCatchEvent", "lane"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in el.get("name") or ""), el.get("id")


@pytest.mark.parametrize("name", PROCESSES)
def test_timer_expressions_are_valid(name):
    root = root_of(name)
    timers = root.findall(".//bpmn:timerEventDefinition", NS)
    assert timers
    for t in timers:
        for child in t:
            assert check_timer_expression(etree.QName(child).localname, child.text.strip()) is None


# --- diagram interchange ----------------------------------------------------------------------

def diagram(name):
    root = root_of(name)
    proc = root.find("bpmn:process", NS)
    shapes = {}
    for s in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = s.find("dc:Bounds", NS)
        shapes[s.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    edges = {e.get("bpmnElement"): [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind("di:waypoint", NS)]
             for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = {el.get("id"): el for el in proc if etree.QName(el).localname in FLOW_NODE_TAGS}
    attached = {el.get("id"): el.get("attachedToRef") for el in proc.iterfind("bpmn:boundaryEvent", NS)}
    flows = {f.get("id"): f for f in proc.iterfind("bpmn:sequenceFlow", NS)}
    return root, proc, shapes, edges, nodes, attached, flows


def overlaps(a, b, pad=0.0):
    return a[0] < b[0] + b[2] + pad and b[0] < a[0] + a[2] + pad and a[1] < b[1] + b[3] + pad and b[1] < a[1] + a[3] + pad


@pytest.mark.parametrize("name", PROCESSES)
def test_every_element_has_di(name):
    root, proc, shapes, edges, nodes, attached, flows = diagram(name)
    assert set(nodes) <= set(shapes)
    assert set(flows) <= set(edges)
    for lane in proc.iterfind(".//bpmn:lane", NS):
        assert lane.get("id") in shapes
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")


@pytest.mark.parametrize("name", PROCESSES)
def test_shapes_do_not_overlap_and_sit_in_their_lane(name):
    root, proc, shapes, edges, nodes, attached, flows = diagram(name)
    ids = list(nodes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if attached.get(a) == b or attached.get(b) == a:
                continue
            siblings = attached.get(a) is not None and attached.get(a) == attached.get(b)
            assert not overlaps(shapes[a], shapes[b], pad=0 if siblings else 5), (a, b)
    for lane in proc.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            slack = 20 if ref.text in attached else 0
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh + slack, (ref.text, lane.get("name"))


@pytest.mark.parametrize("name", PROCESSES)
def test_edges_are_orthogonal_and_avoid_other_shapes(name):
    root, proc, shapes, edges, nodes, attached, flows = diagram(name)
    for fid, pts in edges.items():
        f = flows[fid]
        src, tgt = f.get("sourceRef"), f.get("targetRef")
        assert len(pts) >= 2
        ends = {src, tgt, attached.get(src)}
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            assert x1 == x2 or y1 == y2, fid
            for nid, (bx, by, bw, bh) in shapes.items():
                if nid not in nodes or nid in ends or nid in attached:
                    continue
                if x1 == x2:
                    lo, hi = sorted((y1, y2))
                    hit = bx < x1 < bx + bw and lo < by + bh and hi > by
                else:
                    lo, hi = sorted((x1, x2))
                    hit = by < y1 < by + bh and lo < bx + bw and hi > bx
                assert not hit, f"{fid} crosses {nid}"


@pytest.mark.parametrize("name", PROCESSES)
def test_edges_touch_their_source_and_target(name):
    root, proc, shapes, edges, nodes, attached, flows = diagram(name)

    def on_border(pt, box):
        x, y = pt
        bx, by, bw, bh = box
        return bx - 1 <= x <= bx + bw + 1 and by - 1 <= y <= by + bh + 1

    for fid, pts in edges.items():
        f = flows[fid]
        assert on_border(pts[0], shapes[f.get("sourceRef")]), fid
        assert on_border(pts[-1], shapes[f.get("targetRef")]), fid


def test_decision_tables_are_dmn_13_with_a_catch_all_row():
    for path in BPMN_DIR.glob("*.dmn"):
        root = etree.parse(str(path)).getroot()
        assert etree.QName(root).namespace == "https://www.omg.org/spec/DMN/20191111/MODEL/"
        rules = root.findall(".//{*}rule")
        last = [e.findtext("{*}text") for e in rules[-1].findall("{*}inputEntry")]
        assert all(t == "-" for t in last), path.name


def test_generated_files_match_the_builder():
    """bpmn/tools wrote these files; a designer's browser edit makes this fail on purpose, so the
    builder is updated (or retired) instead of silently overwriting the edit later."""
    from bpmn.tools.build import outputs
    for name, text in outputs().items():
        assert (BPMN_DIR / name).read_text(encoding="utf-8") == text, name
