"""Checks and runs the procedure models in bpmn/ with SpiffWorkflow 3.2 directly.

Static checks (lxml): Motcua extension properties, lanes and roles, gateway conventions,
forms referenced by ``form_key``, BPMN DI completeness, per-step time shares.
Dynamic checks (SpiffWorkflow): every model runs along its happy path to the end; on
work_permit also the supplement loop (message ``supplement_received``), the refusal path
and the leader's reject loop; on the interconnected model a refusal by the police.
"""
from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = ROOT / "forms"
CATALOG = json.loads((BPMN_DIR / "procedures.json").read_text(encoding="utf-8"))
# A model serves every current catalogue entry of its process; its properties follow the first one in force
# (versions that ended, such as the 1.000105 work permit, keep their dossiers on the model version they got).
BY_PROCESS: dict = {}
for _entry in CATALOG:
    if not _entry.get("effective_to"):
        BY_PROCESS.setdefault(_entry["process_id"], _entry)
MODEL_IDS = list(BY_PROCESS)

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
ROLES = {"receiver", "specialist", "leader", "clerk", "returner"}
STEP_KINDS = {"intake", "appraisal", "approval", "stamping", "return"}
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway",
}
APPRAISAL_DECISIONS = {"approve", "refuse", "supplement"}
APPROVAL_DECISIONS = {"approve", "reject"}
SUPPLEMENT = "supplement_received"


# ----------------------------------------------------------------------------- helpers
def bpmn_path(process_id: str) -> Path:
    return BPMN_DIR / BY_PROCESS[process_id]["bpmn_file"]


def load_tree(process_id: str) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(str(bpmn_path(process_id)), parser)


def local(el) -> str:
    return etree.QName(el).localname


def props(el) -> dict[str, str]:
    return {
        p.get("name"): p.get("value")
        for p in el.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
                          namespaces=NS)
    }


def processes(tree) -> dict[str, etree._Element]:
    return {p.get("id"): p for p in tree.getroot().xpath("./bpmn:process", namespaces=NS)}


def flow_nodes(process) -> list:
    return [el for el in process if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS]


def seq_flows(process) -> list:
    return process.xpath("./bpmn:sequenceFlow", namespaces=NS)


def load_form(form_key: str) -> dict:
    return json.loads((FORMS_DIR / f"{form_key}.json").read_text(encoding="utf-8"))


def form_fields(form: dict) -> dict[str, dict]:
    out = {}

    def walk(components):
        for c in components:
            if c.get("key"):
                out[c["key"]] = c
            walk(c.get("components", []))

    walk(form["components"])
    return out


def back_edges(process) -> set[str]:
    """Ids of sequence flows closing a loop (depth-first search from the start events)."""
    out: dict[str, list] = {}
    for f in seq_flows(process):
        out.setdefault(f.get("sourceRef"), []).append(f)
    state: dict[str, int] = {}
    back: set[str] = set()

    def dfs(nid):
        state[nid] = 1
        for f in out.get(nid, []):
            tgt = f.get("targetRef")
            if state.get(tgt) == 1:
                back.add(f.get("id"))
            elif tgt not in state:
                dfs(tgt)
        state[nid] = 2

    for s in process.xpath("./bpmn:startEvent", namespaces=NS):
        dfs(s.get("id"))
    return back


def longest_path_days(tree, process_id: str) -> float:
    """Critical path of the process: max over start→end paths (loops cut) of step shares."""
    procs = processes(tree)
    process = procs[process_id]
    nodes = {n.get("id"): n for n in flow_nodes(process)}
    back = back_edges(process)
    out: dict[str, list[str]] = {}
    for f in seq_flows(process):
        if f.get("id") not in back:
            out.setdefault(f.get("sourceRef"), []).append(f.get("targetRef"))
    memo: dict[str, float] = {}

    def weight(nid):
        n = nodes[nid]
        if local(n) == "userTask":
            return float(props(n)["duration_days"])
        if local(n) == "callActivity":
            return longest_path_days(tree, n.get("calledElement"))
        return 0.0

    def best(nid):
        if nid not in memo:
            memo[nid] = weight(nid) + max((best(t) for t in out.get(nid, [])), default=0.0)
        return memo[nid]

    return max(best(s.get("id")) for s in process.xpath("./bpmn:startEvent", namespaces=NS))


@pytest.fixture(scope="module")
def parser() -> SpiffBpmnParser:
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_files(sorted(str(f) for f in BPMN_DIR.glob("*.bpmn")))
    return p


def new_workflow(parser, process_id: str) -> BpmnWorkflow:
    wf = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
    wf.do_engine_steps()
    return wf


SAMPLE = {
    "intake": {"applicant_name": "Nguyễn Văn An", "applicant_id_number": "001090012345",
               "applicant_phone": "0912345678", "applicant_address": "Phường Ba Đình, Hà Nội"},
    "appraisal": {"decision": "approve", "opinion": "Hồ sơ đầy đủ, hợp lệ."},
    "approval": {"decision": "approve"},
    "stamping": {"result_number": "123/GP", "issued_date": "2025-09-15"},
    "return": {"return_method": "counter", "received_by": "Nguyễn Văn An"},
}


def answer(task, overrides) -> dict:
    """Data for a ready user task: a queued override for its spec name or the sample."""
    name = task.task_spec.name
    queue = overrides.get(name)
    if queue:
        return queue.pop(0)
    kind = task.task_spec.extensions["properties"]["step_kind"]
    data = dict(SAMPLE[kind])
    form = form_fields(load_form(task.task_spec.extensions["properties"]["form_key"]))
    if kind == "appraisal" and "decision" not in form:
        data.pop("decision")  # consultation / inspection steps of a parallel block
    return data


def ready_user_tasks(wf):
    return wf.get_tasks(state=TaskState.READY, manual=True)


def waiting_timers(wf):
    return [t for t in wf.get_tasks(state=TaskState.WAITING)
            if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]


def drive(wf, overrides=None, *, fire_timers=True, stop_at=None, max_steps=60):
    """Complete ready user tasks until the workflow ends, waits for a message, or stop_at
    (a spec name) is ready. Timers are fast-forwarded when fire_timers is set. Returns the
    completed user tasks' spec names and the timers seen."""
    overrides = overrides or {}
    done, timers = [], []
    for _ in range(max_steps):
        wf.do_engine_steps()
        ready = ready_user_tasks(wf)
        if stop_at and any(t.task_spec.name == stop_at for t in ready):
            break
        if not ready:
            waiting = waiting_timers(wf)
            if wf.is_completed() or not waiting or not fire_timers:
                break
            for t in waiting:
                timers.append(t)
                t.internal_data["event_value"] = (
                    datetime.now(UTC) - timedelta(minutes=1)).isoformat()
            wf.refresh_timers()
            continue
        task = ready[0]
        task.data.update(answer(task, overrides))
        task.run()
        done.append(task.task_spec.name)
    wf.do_engine_steps()
    return done, timers


def user_task_props(parser, process_id):
    """{spec name: properties} for the process and the processes it calls."""
    out = {}
    specs = {process_id: parser.get_spec(process_id), **parser.get_subprocess_specs(process_id)}
    for spec in specs.values():
        for ts in spec.task_specs.values():
            if ts.manual:
                out[ts.name] = ts.extensions.get("properties", {})
    return out


# ----------------------------------------------------------------------------- catalogue
def test_catalog_has_the_six_models():
    assert set(MODEL_IDS) == {
        "work_permit", "birth_registration", "child_under6_interconnected",
        "construction_permit", "household_business", "commendation"}
    assert {p.name for p in BPMN_DIR.glob("*.bpmn")} == {p["bpmn_file"] for p in CATALOG}


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_catalog_entry_matches_model(process_id):
    entry = BY_PROCESS[process_id]
    for key in ("code", "name_vi", "name_en", "field_vi", "level", "agency_key", "legal_days",
                "cutoff", "fees", "required_documents", "online_level", "return_methods",
                "five_on_site", "process_id", "bpmn_file", "agency_map"):
        assert key in entry, key
    assert entry["level"] in {"province", "commune"}
    assert entry["online_level"] in {"full", "partial", "none"}
    assert set(entry["return_methods"]) <= {"counter", "post", "online"}
    assert entry["required_documents"] and all(
        {"name_vi", "copies", "original", "mandatory"} <= set(d) for d in entry["required_documents"])
    assert all(isinstance(f["amount_vnd"], int) for f in entry["fees"])
    process = processes(load_tree(process_id))[process_id]
    p = props(process)
    assert process.get("isExecutable") == "true"
    assert p["procedure_code"] == entry["code"]
    assert math.isclose(float(p["legal_days"]), entry["legal_days"])
    assert p.get("cutoff") == entry["cutoff"]
    if entry["cutoff"] is not None:
        assert re.fullmatch(r"\d{2}:\d{2}", entry["cutoff"])
    # every symbolic agency used on a task is mapped to a real agency
    tree = load_tree(process_id)
    used = {props(t).get("agency") for t in tree.getroot().xpath(".//bpmn:userTask", namespaces=NS)}
    assert used - {None} <= set(entry["agency_map"])


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_model_is_xsd_valid_and_parses(process_id):
    p = SpiffBpmnParser(validator=VALIDATOR)  # XSD validation happens on add
    p.add_bpmn_file(str(bpmn_path(process_id)))
    spec = p.get_spec(process_id)
    assert spec.name == process_id
    for called in processes(load_tree(process_id)):
        if called != process_id:
            assert called in p.get_subprocess_specs(process_id)


def test_all_models_parse_together(parser):
    ids = set(parser.get_process_ids())
    assert set(MODEL_IDS) <= ids


# ----------------------------------------------------------------------------- conventions
@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_user_tasks_have_properties_and_forms(process_id):
    tree = load_tree(process_id)
    tasks = tree.getroot().xpath(".//bpmn:userTask", namespaces=NS)
    assert tasks
    for t in tasks:
        p = props(t)
        assert p.get("step_kind") in STEP_KINDS, t.get("id")
        assert float(p["duration_days"]) > 0, t.get("id")
        assert p["form_key"].split("/")[0] == process_id, t.get("id")
        form = load_form(p["form_key"])
        assert form["type"] == "default" and form["id"] and form["components"]
        assert form["schemaVersion"] >= 16
        keys = [c["key"] for c in form["components"] if "key" in c]
        assert len(keys) == len(set(keys)), f"duplicate keys in {p['form_key']}"
        ids = [c["id"] for c in form["components"]]
        assert len(ids) == len(set(ids)), f"duplicate ids in {p['form_key']}"
        assert t.get("name"), t.get("id")
        docs = t.xpath("./bpmn:documentation", namespaces=NS)
        assert docs and docs[0].text.strip(), f"{t.get('id')} has no documentation"
        if process_id == "child_under6_interconnected":
            assert p.get("agency"), f"{t.get('id')} needs an agency key"


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_form_fields_by_step_kind(process_id):
    tree = load_tree(process_id)
    for t in tree.getroot().xpath(".//bpmn:userTask", namespaces=NS):
        p = props(t)
        fields = form_fields(load_form(p["form_key"]))
        kind = p["step_kind"]
        for f in fields.values():
            assert f.get("label") or f.get("dateLabel"), f
            pattern = f.get("validate", {}).get("pattern")
            if pattern:
                re.compile(pattern)
        if kind == "intake":
            assert {"applicant_name", "applicant_id_number"} <= set(fields)
            assert fields["applicant_id_number"]["validate"]["pattern"] == "^[0-9]{12}$"
        if kind == "approval":
            assert {v["value"] for v in fields["decision"]["values"]} == APPROVAL_DECISIONS
            assert fields["decision"]["validate"]["required"] is True
        if kind == "appraisal" and "decision" in fields:
            assert {v["value"] for v in fields["decision"]["values"]} == APPRAISAL_DECISIONS
            assert fields["decision"]["validate"]["required"] is True
            assert fields["opinion"]["validate"]["required"] is True
            assert fields["supplement_items"]["type"] == "textarea"
            assert fields["refusal_reason"]["type"] == "textarea"
        if kind == "stamping":
            # left empty, the agency's next number is allocated (issue 21); a number typed in wins
            assert fields["result_number"]["validate"]["required"] is False
            assert fields["issued_date"]["type"] == "datetime"
        if kind == "return":
            assert {v["value"] for v in fields["return_method"]["values"]} == {"counter", "post", "online"}
            assert fields["received_by"]["validate"]["required"] is True


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_decision_gateways_read_the_form_of_the_step_before(process_id):
    """A gateway testing `decision` follows a user task whose form sets `decision` to
    every value the gateway tests; appraisal gateways handle supplement and refusal."""
    tree = load_tree(process_id)
    for process in processes(tree).values():
        nodes = {n.get("id"): n for n in flow_nodes(process)}
        flows = seq_flows(process)
        for gw in process.xpath("./bpmn:exclusiveGateway", namespaces=NS):
            outs = [f for f in flows if f.get("sourceRef") == gw.get("id")]
            conds = [f.findtext("bpmn:conditionExpression", namespaces=NS) for f in outs]
            tested = {v for c in conds if c for v in re.findall(r'decision == "(\w+)"', c)}
            if not tested:
                continue
            sources = [nodes[f.get("sourceRef")] for f in flows if f.get("targetRef") == gw.get("id")]
            for src in sources:
                if local(src) == "callActivity":  # interconnected chain: the called process decides
                    assert tested == {"refuse"}
                    continue
                assert local(src) == "userTask", gw.get("id")
                fields = form_fields(load_form(props(src)["form_key"]))
                values = {v["value"] for v in fields["decision"]["values"]}
                assert tested <= values, (gw.get("id"), tested, values)
                if props(src)["step_kind"] == "approval":
                    assert tested == {"reject"}
                else:
                    assert props(src)["step_kind"] == "appraisal"
                    assert "supplement" in tested


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_exclusive_gateways_have_defaults_and_python_conditions(process_id):
    tree = load_tree(process_id)
    for process in processes(tree).values():
        flows = seq_flows(process)
        for gw in process.xpath("./bpmn:exclusiveGateway", namespaces=NS):
            outs = [f for f in flows if f.get("sourceRef") == gw.get("id")]
            if len(outs) < 2:
                continue
            default = gw.get("default")
            assert default in {f.get("id") for f in outs}, gw.get("id")
            for f in outs:
                cond = f.findtext("bpmn:conditionExpression", namespaces=NS)
                if f.get("id") == default:
                    assert cond is None
                else:
                    assert cond and "import" not in cond
                    compile(cond, f.get("id"), "eval")


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_supplement_events_are_messages_looping_back_to_appraisal(process_id):
    tree = load_tree(process_id)
    root = tree.getroot()
    messages = {m.get("id"): m.get("name") for m in root.xpath("./bpmn:message", namespaces=NS)}
    for process in processes(tree).values():
        nodes = {n.get("id"): n for n in flow_nodes(process)}
        for ev in process.xpath("./bpmn:intermediateCatchEvent[bpmn:messageEventDefinition]",
                                namespaces=NS):
            med = ev.find("bpmn:messageEventDefinition", NS)
            assert messages[med.get("messageRef")] == SUPPLEMENT
            outs = [f for f in seq_flows(process) if f.get("sourceRef") == ev.get("id")]
            assert len(outs) == 1
            target = nodes[outs[0].get("targetRef")]
            assert props(target)["step_kind"] == "appraisal"


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_first_step_is_intake_and_last_is_return(process_id):
    tree = load_tree(process_id)
    process = processes(tree)[process_id]
    nodes = {n.get("id"): n for n in flow_nodes(process)}
    lanes = {ref.text: props(ref.getparent())["role"]
             for ref in process.xpath(".//bpmn:flowNodeRef", namespaces=NS)}
    flows = seq_flows(process)
    start = process.xpath("./bpmn:startEvent", namespaces=NS)
    assert len(start) == 1
    first = nodes[[f.get("targetRef") for f in flows if f.get("sourceRef") == start[0].get("id")][0]]
    assert first.get("id") == "intake" and local(first) == "userTask"
    assert props(first)["step_kind"] == "intake" and lanes["intake"] == "receiver"
    for end in process.xpath("./bpmn:endEvent", namespaces=NS):
        before = [nodes[f.get("sourceRef")] for f in flows if f.get("targetRef") == end.get("id")]
        assert len(before) == 1 and local(before[0]) == "userTask"
        assert props(before[0])["step_kind"] == "return"
        assert lanes[before[0].get("id")] in {"receiver", "returner"}
    # refusal goes straight to the return step
    for f in flows:
        cond = f.findtext("bpmn:conditionExpression", namespaces=NS) or ""
        if 'decision == "refuse"' in cond:
            assert props(nodes[f.get("targetRef")])["step_kind"] == "return"


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_lanes_have_roles_and_hold_every_node(process_id):
    tree = load_tree(process_id)
    for process in processes(tree).values():
        lanes = process.xpath("./bpmn:laneSet/bpmn:lane", namespaces=NS)
        assert lanes
        roles = [props(lane).get("role") for lane in lanes]
        assert all(r in ROLES for r in roles), roles
        assert len(roles) == len(set(roles)), "one lane per role"
        refs = [r.text for r in process.xpath(".//bpmn:flowNodeRef", namespaces=NS)]
        assert sorted(refs) == sorted(n.get("id") for n in flow_nodes(process))


# ----------------------------------------------------------------------------- time shares
@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_step_shares_on_the_critical_path_sum_to_legal_days(process_id):
    tree = load_tree(process_id)
    legal = BY_PROCESS[process_id]["legal_days"]
    if legal == 0:  # the same working day: the steps share that day
        assert longest_path_days(tree, process_id) <= 1
    else:
        assert math.isclose(longest_path_days(tree, process_id), legal)


# ----------------------------------------------------------------------------- diagram
def _bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_diagram_is_complete_and_tidy(process_id):
    tree = load_tree(process_id)
    root = tree.getroot()
    planes = root.xpath("./bpmndi:BPMNDiagram/bpmndi:BPMNPlane", namespaces=NS)
    assert len(planes) == 1
    collab = root.find("bpmn:collaboration", NS)
    assert planes[0].get("bpmnElement") == collab.get("id")
    shapes = {s.get("bpmnElement"): s for s in planes[0].xpath("./bpmndi:BPMNShape", namespaces=NS)}
    edges = {e.get("bpmnElement"): e for e in planes[0].xpath("./bpmndi:BPMNEdge", namespaces=NS)}
    for part in collab.xpath("./bpmn:participant", namespaces=NS):
        assert part.get("id") in shapes
    for process in processes(tree).values():
        lane_box = {}
        for lane in process.xpath(".//bpmn:lane", namespaces=NS):
            assert lane.get("id") in shapes, lane.get("id")
            assert shapes[lane.get("id")].get("isHorizontal") == "true"
            box = _bounds(shapes[lane.get("id")])
            for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
                lane_box[ref.text] = box
        boxes = {}
        for n in flow_nodes(process):
            assert n.get("id") in shapes, f"no DI shape for {n.get('id')}"
            boxes[n.get("id")] = _bounds(shapes[n.get("id")])
            x, y, w, h = boxes[n.get("id")]
            lx, ly, lw, lh = lane_box[n.get("id")]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, n.get("id")
        ids = sorted(boxes)
        for i, a in enumerate(ids):
            ax, ay, aw, ah = boxes[a]
            for b in ids[i + 1:]:
                bx, by, bw, bh = boxes[b]
                assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
        for f in seq_flows(process):
            assert f.get("id") in edges, f"no DI edge for {f.get('id')}"
            pts = [(float(w.get("x")), float(w.get("y")))
                   for w in edges[f.get("id")].findall("di:waypoint", NS)]
            assert len(pts) >= 2
            for (px, py), nid in ((pts[0], f.get("sourceRef")), (pts[-1], f.get("targetRef"))):
                x, y, w, h = boxes[nid]
                assert x - 1 <= px <= x + w + 1 and y - 1 <= py <= y + h + 1, (f.get("id"), nid)
            for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
                assert x1 == x2 or y1 == y2, f"{f.get('id')} is not orthogonal"
    # left to right: the main path moves right
    process = processes(tree)[process_id]
    start = process.xpath("./bpmn:startEvent", namespaces=NS)[0].get("id")
    end = process.xpath("./bpmn:endEvent", namespaces=NS)[0].get("id")
    assert _bounds(shapes[start])[0] < _bounds(shapes["intake"])[0] < _bounds(shapes[end])[0]


# ----------------------------------------------------------------------------- running
@pytest.mark.parametrize("process_id", MODEL_IDS)
def test_happy_path_runs_to_the_end(parser, process_id):
    wf = new_workflow(parser, process_id)
    done, timers = drive(wf)
    assert wf.is_completed(), done
    assert done[0] == "intake"
    task_props = user_task_props(parser, process_id)
    assert task_props[done[-1]]["step_kind"] == "return"
    assert wf.last_task.data["decision"] == "approve"
    kinds = [task_props[n]["step_kind"] for n in done]
    assert {"appraisal", "approval", "stamping"} <= set(kinds)
    if not processes(load_tree(process_id))[process_id].xpath("./bpmn:parallelGateway", namespaces=NS):
        total = sum(float(task_props[n]["duration_days"]) for n in done)
        legal = BY_PROCESS[process_id]["legal_days"]
        assert total <= 1 if legal == 0 else math.isclose(total, legal), (done, total)
    if process_id == "construction_permit":
        assert len(timers) == 1
        assert timers[0].task_spec.name == "site_visit_timer"


def test_construction_site_inspection_waits_for_its_timer(parser):
    wf = new_workflow(parser, "construction_permit")
    done, _ = drive(wf, fire_timers=False)
    assert done[0] == "intake"
    # the specialist appraisal and the agency opinion ran in parallel; the inspection waits
    assert {"appraisal", "agency_opinion"} <= set(done)
    assert "site_inspection" not in done and not wf.is_completed()
    (timer,) = waiting_timers(wf)
    due = datetime.fromisoformat(timer.internal_data["event_value"])
    assert timedelta(days=1, hours=23) < due - datetime.now(UTC) <= timedelta(days=2)
    assert [e.event_type for e in wf.waiting_events()] == ["DurationTimerEventDefinition"]
    done2, timers = drive(wf)
    assert timers and done2[0] == "site_inspection" and wf.is_completed()


def send_supplement(wf, payload=None):
    wf.catch(BpmnEvent(MessageEventDefinition(SUPPLEMENT), payload or {}))
    wf.do_engine_steps()


def test_work_permit_supplement_loop(parser):
    wf = new_workflow(parser, "work_permit")
    done, _ = drive(wf, {"appraisal": [{"decision": "supplement", "opinion": "Thiếu giấy khám sức khỏe",
                                        "supplement_items": "Giấy chứng nhận sức khỏe (12 tháng)"}]},
                    stop_at="approval")
    assert done == ["intake", "appraisal"]
    assert not ready_user_tasks(wf) and not wf.is_completed()
    waiting = wf.waiting_events()
    assert [(e.name, e.event_type) for e in waiting] == [(SUPPLEMENT, "MessageEventDefinition")]
    send_supplement(wf, {"received_at": "2025-09-16T09:00:00+07:00"})
    ready = ready_user_tasks(wf)
    assert [t.task_spec.name for t in ready] == ["appraisal"]
    assert ready[0].data["supplement"] == {"received_at": "2025-09-16T09:00:00+07:00"}
    done, _ = drive(wf)
    assert done == ["appraisal", "approval", "stamping", "return_result"]
    assert wf.is_completed()


def test_work_permit_refusal_goes_straight_to_return(parser):
    wf = new_workflow(parser, "work_permit")
    done, _ = drive(wf, {"appraisal": [{"decision": "refuse", "opinion": "Không đủ điều kiện",
                                        "refusal_reason": "Vị trí công việc người Việt Nam đáp ứng được"}]})
    assert done == ["intake", "appraisal", "return_result"]
    assert wf.is_completed()
    assert wf.last_task.data["decision"] == "refuse"


def test_work_permit_leader_reject_loops_back_to_appraisal(parser):
    wf = new_workflow(parser, "work_permit")
    done, _ = drive(wf, {"approval": [{"decision": "reject", "approval_comment": "Làm rõ thời hạn"}]})
    assert done == ["intake", "appraisal", "approval", "appraisal", "approval", "stamping",
                    "return_result"]
    assert wf.is_completed()


def test_message_not_expected_is_not_caught(parser):
    wf = new_workflow(parser, "work_permit")
    send_supplement(wf)  # nobody waits: the event is queued for the host, nothing moves
    assert [t.task_spec.name for t in ready_user_tasks(wf)] == ["intake"]


def test_interconnected_residence_and_health_insurance_run_in_parallel(parser):
    # issue 20.8 (Decree 63/2024): once the birth is registered, the commune police and social insurance work in
    # parallel; a residence refusal no longer holds back the health insurance card.
    wf = new_workflow(parser, "child_under6_interconnected")
    done, _ = drive(wf, {"tt_appraisal": [{"decision": "refuse", "opinion": "Sai địa chỉ",
                                           "refusal_reason": "Chỗ ở không đủ điều kiện đăng ký thường trú"}]})
    assert done[:4] == ["intake", "kb_appraisal", "kb_approval", "kb_stamping"]
    assert set(done[4:-1]) == {"tt_appraisal", "yt_appraisal", "yt_approval"} and done[-1] == "return_result"
    assert wf.is_completed()


def test_interconnected_branches_are_ready_at_the_same_time(parser):
    wf = new_workflow(parser, "child_under6_interconnected")
    drive(wf, stop_at="tt_appraisal")
    assert {"tt_appraisal", "yt_appraisal"} <= {t.task_spec.name for t in ready_user_tasks(wf)}


def test_interconnected_supplement_inside_a_called_process(parser):
    wf = new_workflow(parser, "child_under6_interconnected")
    drive(wf, {"yt_appraisal": [{"decision": "supplement", "opinion": "Thiếu tờ khai",
                                 "supplement_items": "Tờ khai TK1-TS"}]}, stop_at="yt_approval")
    assert not ready_user_tasks(wf)
    send_supplement(wf)
    assert [t.task_spec.name for t in ready_user_tasks(wf)] == ["yt_appraisal"]
    done, _ = drive(wf)
    assert done[-1] == "return_result" and wf.is_completed()


def test_commendation_province_reject_returns_to_appraisal(parser):
    wf = new_workflow(parser, "commendation")
    done, _ = drive(wf, {"approval_province": [{"decision": "reject"}]})
    assert done == ["intake", "appraisal", "approval_department", "approval_province", "appraisal",
                    "approval_department", "approval_province", "stamping", "return_result"]
    assert wf.is_completed()
