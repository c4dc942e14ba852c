"""Generate BPMN DI (diagram layout) for Motcua procedure models.

Usage::

    python tools/bpmn-layout/layout.py bpmn/work_permit.bpmn [more.bpmn ...]

Rewrites the ``bpmndi:BPMNDiagram`` of each file in place from the semantic model:

* every participant (pool) of the collaboration is stacked vertically, each with its
  lanes as horizontal swimlanes (lane order = ``laneSet`` order);
* flow nodes go left to right on a grid: the column is the longest forward distance from
  the start event (loop-back flows are detected by a depth-first search and ignored for
  layering), the row is the node's lane; nodes sharing a lane and a column get
  sub-rows, so shapes never overlap;
* sequence flows are routed orthogonally; of a few candidate routes the one crossing the
  fewest foreign shapes wins; loop-back flows run through a channel above or below the
  nodes.

Only lxml is needed. The semantic part of the file is left untouched (run it again after
editing a model by hand or in the designer if you want a fresh layout).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

TASKS = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "callActivity", "subProcess", "transaction",
}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
GATEWAYS = {
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway",
}
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}

COL_W = 160          # horizontal distance between column centres
ROW_H = 130          # height of one sub-row in a lane
POOL_LABEL = 30      # width of the vertical pool title band
LANE_LABEL = 30      # width of the vertical lane title band
LEFT_PAD = 30        # space between lane title band and first column
POOL_GAP = 50        # vertical gap between pools


def _q(tag: str, ns: str = BPMN) -> str:
    return f"{{{ns}}}{tag}"


def _kind(tag: str) -> str | None:
    if tag in TASKS:
        return "task"
    if tag in EVENTS or tag == "boundaryEvent":
        return "event"
    if tag in GATEWAYS:
        return "gateway"
    return None


@dataclass
class Node:
    id: str
    kind: str
    el: etree._Element
    lane: int = 0
    col: int = 0
    sub: int = 0
    attached_to: str | None = None
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    src: str
    tgt: str
    el: etree._Element
    back: bool = False


@dataclass
class PoolLayout:
    participant: etree._Element | None
    process: etree._Element
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    lanes: list[etree._Element] = field(default_factory=list)
    lane_subrows: list[int] = field(default_factory=list)
    ncols: int = 1


def _collect(process: etree._Element, participant) -> PoolLayout:
    pool = PoolLayout(participant, process)
    pool.lanes = process.xpath("./bpmn:laneSet/bpmn:lane", namespaces=NS)
    lane_of: dict[str, int] = {}
    for i, lane in enumerate(pool.lanes):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of[ref.text.strip()] = i
    for el in process:
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        kind = _kind(tag)
        if kind is None:
            continue
        node = Node(el.get("id"), kind, el, lane=lane_of.get(el.get("id"), 0))
        node.w, node.h = SIZES[kind]
        if tag == "boundaryEvent":
            node.attached_to = el.get("attachedToRef")
        pool.nodes[node.id] = node
    for el in process.xpath("./bpmn:sequenceFlow", namespaces=NS):
        pool.flows.append(Flow(el.get("id"), el.get("sourceRef"), el.get("targetRef"), el))
    return pool


def _assign_columns(pool: PoolLayout) -> None:
    out: dict[str, list[Flow]] = {n: [] for n in pool.nodes}
    for f in pool.flows:
        out[f.src].append(f)
    # boundary events hang off their host: visit them right after the host
    boundaries: dict[str, list[str]] = {}
    for n in pool.nodes.values():
        if n.attached_to:
            boundaries.setdefault(n.attached_to, []).append(n.id)

    starts = [n.id for n in pool.nodes.values()
              if etree.QName(n.el).localname == "startEvent"]
    starts += [n.id for n in pool.nodes.values()
               if not n.attached_to and not any(f.tgt == n.id for f in pool.flows)
               and n.id not in starts]
    state: dict[str, int] = {}  # 1 = on stack, 2 = done
    order: list[str] = []
    pre: dict[str, int] = {}

    def dfs(nid: str) -> None:
        state[nid] = 1
        pre[nid] = len(pre)
        for f in out[nid]:
            if state.get(f.tgt) == 1:
                f.back = True
            elif f.tgt not in state:
                dfs(f.tgt)
        for b in boundaries.get(nid, []):
            if b not in state:
                dfs(b)
        state[nid] = 2
        order.append(nid)

    for s in starts:
        if s not in state:
            dfs(s)
    for nid in pool.nodes:  # unreachable leftovers
        if nid not in state:
            dfs(nid)
    topo = list(reversed(order))
    col = {nid: 0 for nid in pool.nodes}
    for nid in topo:
        node = pool.nodes[nid]
        if node.attached_to:
            col[nid] = col[node.attached_to]
        for f in out[nid]:
            if not f.back:
                step = 1
                col[f.tgt] = max(col[f.tgt], col[nid] + step)
    for nid, c in col.items():
        pool.nodes[nid].col = c
    pool.ncols = max(col.values(), default=0) + 1

    # sub-rows: follow the first forward predecessor's track when free
    preds: dict[str, list[str]] = {n: [] for n in pool.nodes}
    for f in pool.flows:
        if not f.back:
            preds[f.tgt].append(f.src)
    taken: dict[tuple[int, int], set[int]] = {}

    def side(nid: str) -> int:
        """Loop-only nodes (e.g. 'supplement received') and end events yield their row."""
        outs = out[nid]
        if outs and all(f.back for f in outs):
            return 1
        return 1 if not outs else 0

    for nid in sorted(pool.nodes, key=lambda n: (pool.nodes[n].col, side(n), pre[n])):
        node = pool.nodes[nid]
        if node.attached_to:
            continue
        want = 0
        for p in preds[nid]:
            pn = pool.nodes[p]
            if pn.attached_to:
                pn = pool.nodes[pn.attached_to]
            if pn.lane == node.lane:
                want = pn.sub
                break
        used = taken.setdefault((node.lane, node.col), set())
        sub = want
        while sub in used:
            sub += 1
        used.add(sub)
        node.sub = sub
    pool.lane_subrows = [1] * max(1, len(pool.lanes))
    for n in pool.nodes.values():
        pool.lane_subrows[n.lane] = max(pool.lane_subrows[n.lane], n.sub + 1)


def _place(pool: PoolLayout, x0: float, y0: float, width: float | None) -> tuple[float, float]:
    lane_y = []
    y = y0
    for rows in pool.lane_subrows:
        lane_y.append(y)
        y += rows * ROW_H
    height = y - y0
    content_x = x0 + POOL_LABEL + (LANE_LABEL if pool.lanes else 0) + LEFT_PAD
    for n in pool.nodes.values():
        if n.attached_to:
            continue
        cx = content_x + n.col * COL_W + 50
        cy = lane_y[n.lane] + n.sub * ROW_H + ROW_H / 2
        n.x, n.y = cx - n.w / 2, cy - n.h / 2
    for n in pool.nodes.values():
        if n.attached_to:
            host = pool.nodes[n.attached_to]
            n.x = host.x + host.w - n.w - 8
            n.y = host.y + host.h - n.h / 2
    natural_w = content_x + pool.ncols * COL_W + 10 - x0
    pool_w = max(natural_w, width or 0)
    pool._lane_y = lane_y  # type: ignore[attr-defined]
    return pool_w, height


# ---------------------------------------------------------------- edge routing
def _rect(n: Node, pad: float = 3) -> tuple[float, float, float, float]:
    return (n.x - pad, n.y - pad, n.x + n.w + pad, n.y + n.h + pad)


def _seg_hits(p, q, r) -> bool:
    (x1, y1), (x2, y2) = p, q
    rx1, ry1, rx2, ry2 = r
    if abs(x1 - x2) < 0.01:  # vertical
        lo, hi = sorted((y1, y2))
        return rx1 < x1 < rx2 and lo < ry2 and hi > ry1
    lo, hi = sorted((x1, x2))
    return ry1 < y1 < ry2 and lo < rx2 and hi > rx1


def _overlap(p, q, a, b) -> float:
    """Length of the collinear overlap of two axis-aligned segments."""
    if abs(p[0] - q[0]) < 1 and abs(a[0] - b[0]) < 1 and abs(p[0] - a[0]) < 10:
        lo, hi = max(min(p[1], q[1]), min(a[1], b[1])), min(max(p[1], q[1]), max(a[1], b[1]))
        return max(0.0, hi - lo)
    if abs(p[1] - q[1]) < 1 and abs(a[1] - b[1]) < 1 and abs(p[1] - a[1]) < 10:
        lo, hi = max(min(p[0], q[0]), min(a[0], b[0])), min(max(p[0], q[0]), max(a[0], b[0]))
        return max(0.0, hi - lo)
    return 0.0


def _cost(points, pool: PoolLayout, src: Node, tgt: Node, routed) -> float:
    hits = 0.0
    for n in pool.nodes.values():
        if n.id in (src.id, tgt.id) or (n.attached_to and src.id == n.id):
            continue
        r = _rect(n)
        for p, q in zip(points, points[1:], strict=False):
            if _seg_hits(p, q, r):
                hits += 10
    # touching own source/target on an inner segment is ugly as well
    for n in (src, tgt):
        r = _rect(n, -1)
        for p, q in list(zip(points, points[1:], strict=False))[1:-1]:
            if _seg_hits(p, q, r):
                hits += 10
    # running on top of an already drawn flow is confusing
    back = tgt.col <= src.col
    for other, o_src, o_tgt in routed:
        if o_src == src.id or (o_tgt == tgt.id and not back):  # merging / splitting flows may share legs
            continue
        for p, q in zip(points, points[1:], strict=False):
            for a, b in zip(other, other[1:], strict=False):
                ov = _overlap(p, q, a, b)
                if ov > 6:
                    hits += 3 + ov / 50
    # tasks look best left-in / right-out; gateways and events may use any side
    if src.kind == "task" and abs(points[0][0] - points[1][0]) < 1:
        hits += 0.5
    if tgt.kind == "task" and abs(points[-1][0] - points[-2][0]) < 1:
        hits += 0.3
    # prefer short routes with few bends
    length = sum(abs(p[0] - q[0]) + abs(p[1] - q[1]) for p, q in zip(points, points[1:], strict=False))
    return hits + len(points) * 0.2 + length / 2000


def _clean(points):
    out = []
    for p in points:
        p = (round(p[0]), round(p[1]))
        if out and out[-1] == p:
            continue
        out.append(p)
    # drop collinear middle points
    res = out[:1]
    for i in range(1, len(out) - 1):
        a, b, c = res[-1], out[i], out[i + 1]
        if (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1]):
            continue
        res.append(b)
    if len(out) > 1:
        res.append(out[-1])
    return res


def _channels(pool: PoolLayout, *nodes: Node) -> list[float]:
    ys = []
    for n in nodes:
        top = pool._lane_y[n.lane] + n.sub * ROW_H  # type: ignore[attr-defined]
        ys += [top + ROW_H - 12, top + 12, top + ROW_H - 20, top + 20, top + ROW_H - 4, top + 4]
    return ys


def _route(f: Flow, pool: PoolLayout, routed, offsets):
    s, t = pool.nodes[f.src], pool.nodes[f.tgt]
    tx_in = t.cx + offsets.get(f.id, 0)
    cands = []
    if not f.back and t.col > s.col and not s.attached_to:
        if abs(s.cy - t.cy) < 1:
            cands.append([(s.x + s.w, s.cy), (t.x, t.cy)])
        xm1 = s.cx + COL_W / 2
        xm2 = t.cx - COL_W / 2
        for xm in (xm1, xm2):
            cands.append([(s.x + s.w, s.cy), (xm, s.cy), (xm, t.cy), (t.x, t.cy)])
        if abs(s.cy - t.cy) >= 1:
            sy = s.y + s.h if t.cy > s.cy else s.y
            cands.append([(s.cx, sy), (s.cx, t.cy), (t.x, t.cy)])
            ty = t.y if t.cy > s.cy else t.y + t.h
            cands.append([(s.x + s.w, s.cy), (t.cx, s.cy), (t.cx, ty)])
        # detours through a channel above / below the rows
        for yc in _channels(pool, s, t):
            sy = s.y + s.h if yc > s.cy else s.y
            ty = t.y + t.h if yc > t.cy else t.y
            cands.append([(s.cx, sy), (s.cx, yc), (t.cx, yc), (t.cx, ty)])
            cands.append([(s.cx, sy), (s.cx, yc), (t.cx - COL_W / 2, yc),
                          (t.cx - COL_W / 2, t.cy), (t.x, t.cy)])
    elif s.attached_to:
        # leave the boundary event downwards, then go right / left to the target
        cands.append([(s.cx, s.y + s.h), (s.cx, t.cy), (t.x if t.cx > s.cx else t.x + t.w, t.cy)])
        yb = s.y + s.h + 25
        cands.append([(s.cx, s.y + s.h), (s.cx, yb), (t.cx, yb),
                      (t.cx, t.y if t.cy > yb else t.y + t.h)])
    else:
        # loop back (or same column): through a horizontal channel
        for yc in _channels(pool, s, t):
            sy = s.y + s.h if yc > s.cy else s.y
            ty = t.y + t.h if yc > t.cy else t.y
            cands.append([(s.cx, sy), (s.cx, yc), (tx_in, yc), (tx_in, ty)])
    best = min(cands, key=lambda pts: _cost(pts, pool, s, t, routed))
    return _clean(best)


def _entry_offsets(pool: PoolLayout) -> dict[str, float]:
    """Spread several loop-back flows entering the same node."""
    by_target: dict[str, list[Flow]] = {}
    for f in pool.flows:
        if f.back or pool.nodes[f.tgt].col <= pool.nodes[f.src].col:
            by_target.setdefault(f.tgt, []).append(f)
    offsets = {}
    for flows in by_target.values():
        if len(flows) > 1:
            step = 24
            first = -step * (len(flows) - 1) / 2
            for i, f in enumerate(flows):
                offsets[f.id] = first + i * step
    return offsets


# ---------------------------------------------------------------- DI writing
def _bounds(parent, x, y, w, h):
    b = etree.SubElement(parent, _q("Bounds", DC))
    b.set("x", str(round(x)))
    b.set("y", str(round(y)))
    b.set("width", str(round(w)))
    b.set("height", str(round(h)))
    return b


def _label(shape, x, y, w, h):
    lab = etree.SubElement(shape, _q("BPMNLabel", BPMNDI))
    _bounds(lab, x, y, w, h)


def _write_pool(plane, pool: PoolLayout, x0, y0, pool_w, height):
    if pool.participant is not None:
        sh = etree.SubElement(plane, _q("BPMNShape", BPMNDI))
        sh.set("id", f"{pool.participant.get('id')}_di")
        sh.set("bpmnElement", pool.participant.get("id"))
        sh.set("isHorizontal", "true")
        _bounds(sh, x0, y0, pool_w, height)
    for i, lane in enumerate(pool.lanes):
        sh = etree.SubElement(plane, _q("BPMNShape", BPMNDI))
        sh.set("id", f"{lane.get('id')}_di")
        sh.set("bpmnElement", lane.get("id"))
        sh.set("isHorizontal", "true")
        _bounds(sh, x0 + POOL_LABEL, pool._lane_y[i], pool_w - POOL_LABEL,
                pool.lane_subrows[i] * ROW_H)
    routed: list = []
    offsets = _entry_offsets(pool)
    # route forward flows first (the main path), loop-backs around them
    for f in sorted(pool.flows, key=lambda f: f.back):
        routed.append((_route(f, pool, routed, offsets), f.src, f.tgt))
    segments = [seg for pts, _, _ in routed for seg in zip(pts, pts[1:], strict=False)]

    def crossings(box):
        bx, by, bw, bh = box
        rect = (bx, by, bx + bw, by + bh)
        hits = sum(1 for p, q in segments if _seg_hits(p, q, rect))
        hits += sum(3 for m in pool.nodes.values()
                    if _seg_hits((m.x, m.cy), (m.x + m.w, m.cy), rect)
                    or _seg_hits((m.cx, m.y), (m.cx, m.y + m.h), rect))
        return hits

    for n in sorted(pool.nodes.values(), key=lambda n: n.attached_to is not None):
        sh = etree.SubElement(plane, _q("BPMNShape", BPMNDI))
        sh.set("id", f"{n.id}_di")
        sh.set("bpmnElement", n.id)
        tag = etree.QName(n.el).localname
        if tag == "exclusiveGateway":
            sh.set("isMarkerVisible", "true")
        if tag in ("callActivity", "subProcess", "transaction"):
            sh.set("isExpanded", "false")
        _bounds(sh, n.x, n.y, n.w, n.h)
        if n.kind in ("event", "gateway") and n.el.get("name"):
            # external label: below, above, or at a corner, whichever crosses fewest lines
            boxes = [(n.cx - 50, n.y + n.h + 4, 100, 27), (n.cx - 50, n.y - 31, 100, 27),
                     (n.x - 88, n.y - 30, 100, 27), (n.x - 88, n.y + n.h + 3, 100, 27),
                     (n.x + n.w - 12, n.y - 30, 100, 27), (n.x + n.w - 12, n.y + n.h + 3, 100, 27)]
            _label(sh, *min(boxes, key=crossings))
    for f, (pts, _, _) in zip(sorted(pool.flows, key=lambda f: f.back), routed, strict=False):
        ed = etree.SubElement(plane, _q("BPMNEdge", BPMNDI))
        ed.set("id", f"{f.id}_di")
        ed.set("bpmnElement", f.id)
        for x, y in pts:
            wp = etree.SubElement(ed, _q("waypoint", DI))
            wp.set("x", str(x))
            wp.set("y", str(y))
        if f.el.get("name"):
            # label the longer of the first two legs, near its source end
            legs = list(zip(pts, pts[1:], strict=False))[:2]
            (x1, y1), (x2, y2) = max(legs, key=lambda leg: abs(leg[0][0] - leg[1][0]) + abs(leg[0][1] - leg[1][1]))
            if abs(x1 - x2) < 1:  # vertical leg: label beside it
                lx, ly = x1 + 5, (y1 + y2) / 2 - 10
            elif x2 >= x1:
                lx, ly = x1 + 8, y1 - 22
            else:
                lx, ly = x1 - 98, y1 - 22
            _label(ed, lx, ly, 90, 20)


def layout_tree(tree: etree._ElementTree) -> None:
    root = tree.getroot()
    for d in root.xpath("./bpmndi:BPMNDiagram", namespaces=NS):
        root.remove(d)
    processes = {p.get("id"): p for p in root.xpath("./bpmn:process", namespaces=NS)}
    collab = root.find(_q("collaboration"))
    pools: list[PoolLayout] = []
    if collab is not None:
        for part in collab.xpath("./bpmn:participant", namespaces=NS):
            proc = processes.get(part.get("processRef"))
            if proc is not None:
                pools.append(_collect(proc, part))
    else:
        pools = [_collect(p, None) for p in processes.values()]
    for pool in pools:
        _assign_columns(pool)

    diagram = etree.SubElement(root, _q("BPMNDiagram", BPMNDI))
    diagram.set("id", "BPMNDiagram_1")
    plane = etree.SubElement(diagram, _q("BPMNPlane", BPMNDI))
    plane.set("id", "BPMNPlane_1")
    plane.set("bpmnElement", collab.get("id") if collab is not None else pools[0].process.get("id"))

    widths = [_place(p, 0, 0, None)[0] for p in pools]
    width = max(widths)
    y = 0.0
    for pool in pools:
        _, height = _place(pool, 0, y, width)
        _write_pool(plane, pool, 0, y, width, height)
        y += height + POOL_GAP
    if collab is not None:
        for mf in collab.xpath("./bpmn:messageFlow", namespaces=NS):
            src = plane.xpath(f"./bpmndi:BPMNShape[@bpmnElement='{mf.get('sourceRef')}']/dc:Bounds", namespaces=NS)
            tgt = plane.xpath(f"./bpmndi:BPMNShape[@bpmnElement='{mf.get('targetRef')}']/dc:Bounds", namespaces=NS)
            if not src or not tgt:
                continue
            sb, tb = src[0], tgt[0]
            sx = float(sb.get("x")) + float(sb.get("width")) / 2
            tx = float(tb.get("x")) + float(tb.get("width")) / 2
            sy, ty = float(sb.get("y")) + float(sb.get("height")), float(tb.get("y"))
            ed = etree.SubElement(plane, _q("BPMNEdge", BPMNDI))
            ed.set("id", f"{mf.get('id')}_di")
            ed.set("bpmnElement", mf.get("id"))
            for px, py in _clean([(sx, sy), (sx, (sy + ty) / 2), (tx, (sy + ty) / 2), (tx, ty)]):
                wp = etree.SubElement(ed, _q("waypoint", DI))
                wp.set("x", str(px))
                wp.set("y", str(py))


def _ensure_ns(tree: etree._ElementTree) -> etree._ElementTree:
    """Re-root the document so bpmndi/dc/di prefixes are declared on the definitions."""
    root = tree.getroot()
    nsmap = dict(root.nsmap)
    changed = False
    for prefix, uri in (("bpmndi", BPMNDI), ("dc", DC), ("di", DI)):
        if nsmap.get(prefix) != uri:
            nsmap[prefix] = uri
            changed = True
    if not changed:
        return tree
    new_root = etree.Element(root.tag, nsmap=nsmap)
    for k, v in root.attrib.items():
        new_root.set(k, v)
    new_root.text = root.text
    for child in root:
        new_root.append(child)
    return etree.ElementTree(new_root)


def layout_file(path: str) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_blank_text=True)
    tree = _ensure_ns(etree.parse(path, parser))
    layout_tree(tree)
    etree.indent(tree, space="  ")
    tree.write(path, xml_declaration=True, encoding="UTF-8", pretty_print=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        layout_file(p)
        print(f"laid out {p}")
