"""A small process-model builder with automatic BPMN DI layout (泳道图自动布局).

A model is written as lanes, nodes placed on a grid (lane, column, row inside the lane) and flows.
``Process.to_xml()`` emits BPMN 2.0 with a collaboration (one pool, one lane per role), the
``spiffworkflow`` extensions our engine reads, and a diagram in which every shape and edge has DI:

- nodes are centred in their grid cell, so two nodes never share space unless they share a cell
  (``Process.check()`` refuses that);
- boundary events sit on the bottom edge of their task, spread along it;
- edges are orthogonal: forward edges leave a gateway/event from the vertex facing the target row
  and enter the target from the left; backward edges run in the corridor above the target's row
  and enter it from the top.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}

POOL_X, POOL_Y = 120, 60
POOL_HEADER = 30
LANE_HEADER = 30
COL_W = 170
ROW_H = 140
LEFT_PAD = 20

SIZES = {
    "startEvent": (36, 36), "endEvent": (36, 36), "intermediateCatchEvent": (36, 36),
    "exclusiveGateway": (50, 50), "parallelGateway": (50, 50), "inclusiveGateway": (50, 50),
    "userTask": (110, 80), "scriptTask": (110, 80), "businessRuleTask": (110, 80),
    "manualTask": (110, 80), "task": (110, 80), "callActivity": (110, 80), "serviceTask": (110, 80),
    "receiveTask": (110, 80),
}
TASKS = {"userTask", "scriptTask", "businessRuleTask", "manualTask", "task", "callActivity", "serviceTask",
         "receiveTask"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway"}


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    col: float
    row: int = 0
    props: dict = field(default_factory=dict)      # spiffworkflow:property name -> value
    script: str | None = None
    decision: str | None = None
    timer: tuple[str, str] | None = None           # (timeDate|timeDuration|timeCycle, expression)
    terminate: bool = False
    multi: dict | None = None                      # multi-instance loop characteristics
    doc: str | None = None
    default: str | None = None                     # default flow id of a gateway
    called: str | None = None
    pre: str | None = None
    post: str | None = None
    operator: str | None = None                    # service task handler (spiffworkflow:serviceTaskOperator)
    message: str | None = None                     # the message a receive task waits for
    # layout results
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2


@dataclass
class Boundary:
    id: str
    name: str
    attached: str
    timer: tuple[str, str]
    interrupting: bool = True
    props: dict = field(default_factory=dict)
    x: float = 0
    y: float = 0
    w: float = 36
    h: float = 36
    lane: str = ""

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    points: list = field(default_factory=list)


class Process:
    def __init__(self, pid: str, name: str, lanes: list[str], doc: str = "", props: dict | None = None):
        self.id, self.name, self.doc = pid, name, doc
        self.props = props or {}  # the process's own properties (caseNumberPrefix: engine/case_numbers.py)
        self.lanes = lanes                      # lane names (Chinese role names), top to bottom
        self.nodes: dict[str, Node] = {}
        self.boundaries: dict[str, Boundary] = {}
        self.flows: list[Flow] = []

    # --- building -----------------------------------------------------------------------
    def _add(self, node: Node) -> Node:
        assert node.id not in self.nodes and node.id not in self.boundaries, node.id
        assert node.lane in self.lanes, (node.id, node.lane)
        self.nodes[node.id] = node
        return node

    def start(self, id, name, lane, col, row=0, **kw):
        return self._add(Node(id, "startEvent", name, lane, col, row, **kw))

    def end(self, id, name, lane, col, row=0, terminate=False, **kw):
        return self._add(Node(id, "endEvent", name, lane, col, row, terminate=terminate, **kw))

    def user(self, id, name, lane, col, row=0, form=None, due=None, priority=None, props=None, **kw):
        p = dict(props or {})
        if form:
            p["formSchema"] = form
        if due:
            p["dueDate"] = due
        if priority is not None:
            p["priority"] = str(priority)
        return self._add(Node(id, "userTask", name, lane, col, row, props=p, **kw))

    def script(self, id, name, lane, col, row=0, code="", **kw):
        return self._add(Node(id, "scriptTask", name, lane, col, row, script=code.strip(), **kw))

    def rule(self, id, name, lane, col, row=0, decision="", **kw):
        return self._add(Node(id, "businessRuleTask", name, lane, col, row, decision=decision, **kw))

    def service(self, id, name, lane, col, row=0, operator="", **kw):
        """A service task calling the handler ``operator`` registered by the workflows layer."""
        return self._add(Node(id, "serviceTask", name, lane, col, row, operator=operator, **kw))

    def receive(self, id, name, lane, col, row=0, message="", props=None, **kw):
        """A receive task waiting for message ``message`` (a case action when ``props`` holds
        ``caseAction``: docs/engine.md)."""
        return self._add(Node(id, "receiveTask", name, lane, col, row, props=dict(props or {}), message=message, **kw))

    def xor(self, id, name, lane, col, row=0, **kw):
        return self._add(Node(id, "exclusiveGateway", name, lane, col, row, **kw))

    def par(self, id, name, lane, col, row=0, **kw):
        return self._add(Node(id, "parallelGateway", name, lane, col, row, **kw))

    def wait(self, id, name, lane, col, row=0, kind="timeDate", expr="", **kw):
        return self._add(Node(id, "intermediateCatchEvent", name, lane, col, row, timer=(kind, expr), **kw))

    def timer(self, id, name, on, expr, kind="timeDate", interrupting=True, props=None):
        assert on in self.nodes and self.nodes[on].kind in TASKS, on
        b = Boundary(id, name, on, (kind, expr), interrupting, dict(props or {}))
        self.boundaries[id] = b
        return b

    def flow(self, source, target, name="", cond=None, default=False, id=None):
        fid = id or f"Flow_{source}_{target}"
        assert all(f.id != fid for f in self.flows), fid
        f = Flow(fid, source, target, name, cond)
        self.flows.append(f)
        if default:
            self.nodes[source].default = fid
        return f

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    # --- checks ---------------------------------------------------------------------------
    def element(self, id):
        return self.nodes.get(id) or self.boundaries[id]

    def check(self) -> None:
        cells = {}
        for n in self.nodes.values():
            key = (n.lane, n.col, n.row)
            assert key not in cells, f"{n.id} and {cells[key]} share cell {key}"
            cells[key] = n.id
        for f in self.flows:
            assert f.source in self.nodes or f.source in self.boundaries, f.source
            assert f.target in self.nodes, f.target
        ids = set(self.nodes) | set(self.boundaries)
        with_in = {f.target for f in self.flows}
        with_out = {f.source for f in self.flows}
        for i in ids:
            el = self.element(i)
            kind = getattr(el, "kind", "boundaryEvent")
            if kind != "startEvent" and kind != "boundaryEvent":
                assert i in with_in, f"{i} has no incoming flow"
            if kind != "endEvent":
                assert i in with_out, f"{i} has no outgoing flow"

    # --- layout ---------------------------------------------------------------------------
    def layout(self) -> None:
        self.check()
        rows = {lane: 1 for lane in self.lanes}
        for n in self.nodes.values():
            rows[n.lane] = max(rows[n.lane], n.row + 1)
        self.lane_box = {}
        y = POOL_Y
        self.max_col = max(n.col for n in self.nodes.values())
        width = POOL_HEADER + LANE_HEADER + LEFT_PAD + (self.max_col + 1) * COL_W + LEFT_PAD
        for lane in self.lanes:
            h = rows[lane] * ROW_H
            self.lane_box[lane] = (POOL_X + POOL_HEADER, y, width - POOL_HEADER, h)
            y += h
        self.pool_box = (POOL_X, POOL_Y, width, y - POOL_Y)
        x0 = POOL_X + POOL_HEADER + LANE_HEADER + LEFT_PAD
        for n in self.nodes.values():
            w, h = SIZES[n.kind]
            nb = sum(1 for b in self.boundaries.values() if b.attached == n.id)
            if n.kind in TASKS and nb >= 3:
                w = 46 * nb + 20
            cx = x0 + n.col * COL_W + COL_W / 2
            cy = self.lane_box[n.lane][1] + n.row * ROW_H + ROW_H / 2
            n.w, n.h, n.x, n.y = w, h, cx - w / 2, cy - h / 2
        by_task: dict[str, list[Boundary]] = {}
        for b in self.boundaries.values():
            by_task.setdefault(b.attached, []).append(b)
        for tid, bs in by_task.items():
            t = self.nodes[tid]
            step = t.w / (len(bs) + 1)
            for i, b in enumerate(bs, 1):
                b.x, b.y = t.x + step * i - b.w / 2, t.y + t.h - b.h / 2
                b.lane = t.lane
        self._route_all()

    def _obstacles(self, exclude=()):
        return [n for n in self.nodes.values() if n.id not in exclude] + \
            [b for b in self.boundaries.values() if b.id not in exclude]

    @staticmethod
    def _hits(seg, box, pad=5):
        (x1, y1), (x2, y2) = seg
        bx, by, bw, bh = box.x - pad, box.y - pad, box.w + 2 * pad, box.h + 2 * pad
        if x1 == x2:
            lo, hi = sorted((y1, y2))
            return bx < x1 < bx + bw and lo < by + bh and hi > by
        lo, hi = sorted((x1, x2))
        return by < y1 < by + bh and lo < bx + bw and hi > bx

    def _row_top(self, n):
        return self.lane_box[n.lane][1] + n.row * ROW_H

    def _entry_x(self, t):
        """Where an edge may leave or enter ``t`` vertically without touching its boundary events."""
        marks = [b.cx for b in self.boundaries.values() if b.attached == t.id]
        for x in (t.cx, t.x + t.w - 12, t.x + 12):
            if all(abs(x - m) > 22 for m in marks):
                return x
        return t.cx

    def _corridors(self):
        ys = []
        for lane in self.lanes:
            top, height = self.lane_box[lane][1], self.lane_box[lane][3]
            for r in range(int(height // ROW_H)):
                ys += [top + r * ROW_H + 9, top + (r + 1) * ROW_H - 7]
        x0 = POOL_X + POOL_HEADER + LANE_HEADER + LEFT_PAD
        xs = [x0 + c * COL_W for c in range(int(self.max_col) + 2)]
        return ys, xs

    def _route_all(self):
        self._ys, self._xs = self._corridors()
        used: list = []
        for f in self.flows:
            s, t = self.element(f.source), self.nodes[f.target]
            f.points = self._route(s, t, used)
            used.extend(zip(f.points, f.points[1:]))

    def _candidates(self, s, t):
        if isinstance(s, Boundary):
            exits = [((s.cx, s.y + s.h), "down")]
        else:
            exits = [((s.x + s.w, s.cy), "right"), ((s.cx, s.y), "up"),
                     ((self._entry_x(s), s.y + s.h), "down")]
        tx = self._entry_x(t)
        entries = [((t.x, t.cy), "left"), ((tx, t.y), "top"), ((tx, t.y + t.h), "bottom")]
        lo_x, hi_x = min(s.x, t.x) - 2 * COL_W, max(s.x + s.w, t.x + t.w) + 2 * COL_W
        lo_y, hi_y = min(s.y, t.y) - 2 * ROW_H, max(s.y + s.h, t.y + t.h) + 2 * ROW_H
        xs = [x for x in self._xs if lo_x <= x <= hi_x]
        ys = [y for y in self._ys if lo_y <= y <= hi_y]
        for (px, py), ed in exits:
            for (qx, qy), en in entries:
                if ed == "right" and en == "left":
                    if abs(py - qy) < 1 and qx > px:
                        yield [(px, py), (qx, qy)]
                    for xg in xs:
                        if px < xg < qx:
                            yield [(px, py), (xg, py), (xg, qy), (qx, qy)]
                elif ed != "right" and en == "left":
                    if qx > px and (qy < py if ed == "up" else qy > py):
                        yield [(px, py), (px, qy), (qx, qy)]
                    for yc in ys:
                        if (yc < py if ed == "up" else yc > py):
                            for xg in xs:
                                if xg < qx:
                                    yield [(px, py), (px, yc), (xg, yc), (xg, qy), (qx, qy)]
                elif ed == "right" and en != "left":
                    if qx > px and (py < qy if en == "top" else py > qy):
                        yield [(px, py), (qx, py), (qx, qy)]
                    for yc in ys:
                        if (yc < qy if en == "top" else yc > qy):
                            for xg in xs:
                                if xg > px:
                                    yield [(px, py), (xg, py), (xg, yc), (qx, yc), (qx, qy)]
                else:
                    for yc in ys:
                        if (yc < py if ed == "up" else yc > py) and (yc < qy if en == "top" else yc > qy):
                            yield [(px, py), (px, yc), (qx, yc), (qx, qy)]

    def _route(self, s, t, used):
        host = getattr(s, "attached", None)
        exclude = {s.id, t.id}
        obstacles = [o for o in self._obstacles(exclude)]
        best, best_score = None, None
        for pts in self._candidates(s, t):
            pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
            segs = list(zip(pts, pts[1:]))
            length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in segs)
            if best_score is not None and length + 60 * (len(segs) - 1) >= best_score:
                continue
            hits = sum(1 for seg in segs for o in obstacles
                       if self._hits(seg, o) and not (o.id == host and seg == segs[0]))
            length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in segs)
            overlap = sum(1 for seg in segs for u in used if self._collinear(seg, u))
            backwards = 0
            if pts[-1][0] == t.x and pts[-2][0] > pts[-1][0]:
                backwards = 1
            score = hits * 10000 + overlap * 150 + length + 60 * (len(segs) - 1) + backwards * 5000
            if best_score is None or score < best_score:
                best, best_score = pts, score
        return best

    @staticmethod
    def _collinear(a, b):
        (ax1, ay1), (ax2, ay2) = a
        (bx1, by1), (bx2, by2) = b
        if ax1 == ax2 == bx1 == bx2:
            lo, hi = sorted((ay1, ay2))
            lo2, hi2 = sorted((by1, by2))
            return min(hi, hi2) - max(lo, lo2) > 10
        if ay1 == ay2 == by1 == by2:
            lo, hi = sorted((ax1, ax2))
            lo2, hi2 = sorted((bx1, bx2))
            return min(hi, hi2) - max(lo, lo2) > 10
        return False

    # --- XML ------------------------------------------------------------------------------
    def to_xml(self) -> str:
        self.layout()
        out: list[str] = []
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        attrs = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        w(f'<bpmn:definitions {attrs} id="Definitions_{self.id}" '
          f'targetNamespace="http://duban.local/bpmn" exporter="duban bpmn/tools" exporterVersion="1">')
        w(f'  <bpmn:collaboration id="Collaboration_{self.id}">')
        w(f'    <bpmn:participant id="Participant_{self.id}" name={quoteattr(self.name)} processRef="{self.id}" />')
        w('  </bpmn:collaboration>')
        for message in sorted({n.message for n in self.nodes.values() if n.message}):
            w(f'  <bpmn:message id="{self._message_id(message)}" name={quoteattr(message)} />')
        w(f'  <bpmn:process id="{self.id}" name={quoteattr(self.name)} isExecutable="true">')
        if self.doc:
            w(f'    <bpmn:documentation>{escape(self.doc)}</bpmn:documentation>')
        if self.props:
            own: list[str] = []
            self._ext(own, props=self.props, indent="    ")
            for line in own:
                w(line)
        w(f'    <bpmn:laneSet id="LaneSet_{self.id}">')
        for i, lane in enumerate(self.lanes):
            w(f'      <bpmn:lane id="Lane_{self.id}_{i}" name={quoteattr(lane)}>')
            for n in self.nodes.values():
                if n.lane == lane:
                    w(f'        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>')
            for b in self.boundaries.values():
                if self.nodes[b.attached].lane == lane:
                    w(f'        <bpmn:flowNodeRef>{b.id}</bpmn:flowNodeRef>')
            w('      </bpmn:lane>')
        w('    </bpmn:laneSet>')
        incoming, outgoing = {}, {}
        for f in self.flows:
            outgoing.setdefault(f.source, []).append(f.id)
            incoming.setdefault(f.target, []).append(f.id)
        for n in self.nodes.values():
            out.extend(self._node_xml(n, incoming.get(n.id, []), outgoing.get(n.id, [])))
        for b in self.boundaries.values():
            out.extend(self._boundary_xml(b, outgoing.get(b.id, [])))
        for f in self.flows:
            name = f' name={quoteattr(f.name)}' if f.name else ""
            if f.condition:
                w(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}">')
                w(f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f.condition)}'
                  '</bpmn:conditionExpression>')
                w('    </bpmn:sequenceFlow>')
            else:
                w(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}" />')
        w('  </bpmn:process>')
        out.extend(self._di_xml())
        w('</bpmn:definitions>')
        return "\n".join(out) + "\n"

    @staticmethod
    def _message_id(name: str) -> str:
        return "Message_" + "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name)

    @staticmethod
    def _ext(lines, props=None, decision=None, pre=None, post=None, indent="      ", operator=None):
        if not (props or decision or pre or post or operator):
            return
        lines.append(f'{indent}<bpmn:extensionElements>')
        if operator:
            lines.append(f'{indent}  <spiffworkflow:serviceTaskOperator id="{operator}">')
            lines.append(f'{indent}    <spiffworkflow:parameters />')
            lines.append(f'{indent}  </spiffworkflow:serviceTaskOperator>')
        if decision:
            lines.append(f'{indent}  <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>')
        if props:
            lines.append(f'{indent}  <spiffworkflow:properties>')
            for k, v in props.items():
                lines.append(f'{indent}    <spiffworkflow:property name="{k}" value={quoteattr(str(v))} />')
            lines.append(f'{indent}  </spiffworkflow:properties>')
        if pre:
            lines.append(f'{indent}  <spiffworkflow:preScript>{escape(pre)}</spiffworkflow:preScript>')
        if post:
            lines.append(f'{indent}  <spiffworkflow:postScript>{escape(post)}</spiffworkflow:postScript>')
        lines.append(f'{indent}</bpmn:extensionElements>')

    def _node_xml(self, n: Node, inc, outg):
        tag = "bpmn:" + n.kind
        extra = ""
        if n.default:
            extra += f' default="{n.default}"'
        if n.called:
            extra += f' calledElement="{n.called}"'
        if n.message:
            extra += f' messageRef="{self._message_id(n.message)}"'
        lines = [f'    <{tag} id="{n.id}" name={quoteattr(n.name)}{extra}>']
        if n.doc:
            lines.append(f'      <bpmn:documentation>{escape(n.doc)}</bpmn:documentation>')
        self._ext(lines, n.props, n.decision, n.pre, n.post, operator=n.operator)
        lines += [f'      <bpmn:incoming>{i}</bpmn:incoming>' for i in inc]
        lines += [f'      <bpmn:outgoing>{o}</bpmn:outgoing>' for o in outg]
        if n.multi:
            m = n.multi
            seq = "true" if m.get("sequential") else "false"
            lines.append(f'      <bpmn:multiInstanceLoopCharacteristics isSequential="{seq}"'
                         + (' spiffworkflow:scriptsOnInstances="true"' if m.get("scripts_on_instances") else "")
                         + '>')
            lines.append(f'        <bpmn:loopDataInputRef>{m["input"]}</bpmn:loopDataInputRef>')
            if m.get("output"):
                lines.append(f'        <bpmn:loopDataOutputRef>{m["output"]}</bpmn:loopDataOutputRef>')
            lines.append(f'        <bpmn:inputDataItem id="{m["item"]}" name="{m["item"]}" />')
            if m.get("output_item"):
                lines.append(f'        <bpmn:outputDataItem id="{m["output_item"]}" name="{m["output_item"]}" />')
            if m.get("condition"):
                lines.append(f'        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
                             f'{escape(m["condition"])}</bpmn:completionCondition>')
            lines.append('      </bpmn:multiInstanceLoopCharacteristics>')
        if n.script is not None and n.kind == "scriptTask":
            lines.append(f'      <bpmn:script>{escape(n.script)}</bpmn:script>')
        if n.timer:
            lines.append(f'      <bpmn:timerEventDefinition id="{n.id}_timer">')
            lines.append(f'        <bpmn:{n.timer[0]} xsi:type="bpmn:tFormalExpression">{escape(n.timer[1])}'
                         f'</bpmn:{n.timer[0]}>')
            lines.append('      </bpmn:timerEventDefinition>')
        if n.terminate:
            lines.append(f'      <bpmn:terminateEventDefinition id="{n.id}_terminate" />')
        lines.append(f'    </{tag}>')
        return lines

    def _boundary_xml(self, b: Boundary, outg):
        cancel = "true" if b.interrupting else "false"
        lines = [f'    <bpmn:boundaryEvent id="{b.id}" name={quoteattr(b.name)} '
                 f'cancelActivity="{cancel}" attachedToRef="{b.attached}">']
        self._ext(lines, b.props)
        lines += [f'      <bpmn:outgoing>{o}</bpmn:outgoing>' for o in outg]
        lines.append(f'      <bpmn:timerEventDefinition id="{b.id}_timer">')
        lines.append(f'        <bpmn:{b.timer[0]} xsi:type="bpmn:tFormalExpression">{escape(b.timer[1])}'
                     f'</bpmn:{b.timer[0]}>')
        lines.append('      </bpmn:timerEventDefinition>')
        lines.append('    </bpmn:boundaryEvent>')
        return lines

    def _di_xml(self):
        lines = [f'  <bpmndi:BPMNDiagram id="Diagram_{self.id}">',
                 f'    <bpmndi:BPMNPlane id="Plane_{self.id}" bpmnElement="Collaboration_{self.id}">']

        def shape(el_id, x, y, w, h, extra="", label=None):
            lines.append(f'      <bpmndi:BPMNShape id="{el_id}_di" bpmnElement="{el_id}"{extra}>')
            lines.append(f'        <dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" />')
            if label:
                lx, ly, lw, lh = label
                lines.append(f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx:.0f}" y="{ly:.0f}" '
                             f'width="{lw:.0f}" height="{lh:.0f}" /></bpmndi:BPMNLabel>')
            lines.append('      </bpmndi:BPMNShape>')

        px, py, pw, ph = self.pool_box
        shape(f"Participant_{self.id}", px, py, pw, ph, ' isHorizontal="true"')
        for i, lane in enumerate(self.lanes):
            shape(f"Lane_{self.id}_{i}", *self.lane_box[lane], ' isHorizontal="true"')
        for n in self.nodes.values():
            label = None
            if n.kind not in TASKS:
                label = (n.cx - 45, n.y + n.h + 4, 90, 27)
            extra = ' isMarkerVisible="true"' if n.kind == "exclusiveGateway" else ""
            shape(n.id, n.x, n.y, n.w, n.h, extra, label)
        for b in self.boundaries.values():
            shape(b.id, b.x, b.y, b.w, b.h, "", (b.cx + 10, b.y + b.h + 2, 80, 27))
        for f in self.flows:
            lines.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">')
            for x, y in f.points:
                lines.append(f'        <di:waypoint x="{x:.0f}" y="{y:.0f}" />')
            if f.name:
                (x1, y1), (x2, y2) = f.points[0], f.points[1]
                lx = (x1 + x2) / 2 + 4 if y1 == y2 else x1 + 4
                ly = y1 - 18 if y1 == y2 else (y1 + y2) / 2 - 7
                lines.append(f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx:.0f}" y="{ly:.0f}" '
                             f'width="{max(28, 13 * len(f.name)):.0f}" height="14" /></bpmndi:BPMNLabel>')
            lines.append('      </bpmndi:BPMNEdge>')
        lines += ['    </bpmndi:BPMNPlane>', '  </bpmndi:BPMNDiagram>']
        return lines
