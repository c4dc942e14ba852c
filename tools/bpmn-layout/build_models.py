"""Generate the Motcua demo procedure models (bpmn/*.bpmn) with their diagram layout.

    python tools/bpmn-layout/build_models.py            # all models
    python tools/bpmn-layout/build_models.py work_permit birth_registration

This is the bootstrap generator of the six demo models: it writes the semantic BPMN
(SpiffWorkflow ``spiff`` dialect, Motcua extension properties) and then calls layout.py
for the BPMN DI. The .bpmn files in bpmn/ are what the app loads; once a model has been
edited in the designer, do not regenerate that one from here (or port the edit back).
Forms (forms/) and the catalogue (bpmn/procedures.json) are plain files, not generated.

Conventions (see tests/models/test_models_run.py, which checks them):
* first user task ``intake`` (step_kind intake, receiver lane); last user task before the
  end event is a ``return`` step (receiver or returner lane);
* appraisal forms set ``decision`` in {approve, refuse, supplement}; the exclusive gateway
  after an appraisal sends ``decision == "supplement"`` to the message catch event
  ``supplement_received`` (loops back to the appraisal), ``decision == "refuse"`` to the
  return step, anything else (default flow) to approval;
* approval forms set ``decision`` in {approve, reject}; ``reject`` loops back to appraisal.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layout  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": layout.BPMNDI, "dc": layout.DC, "di": layout.DI,
         "spiffworkflow": SPIFF, "xsi": XSI}

ROLE_LANE_NAMES = {
    "receiver": "Bộ phận tiếp nhận và trả kết quả",
    "specialist": "Chuyên viên thụ lý",
    "leader": "Lãnh đạo phê duyệt",
    "clerk": "Văn thư",
    "returner": "Bộ phận trả kết quả",
}

SUPPLEMENT_MESSAGE = "supplement_received"


def q(tag, ns=BPMN):
    return f"{{{ns}}}{tag}"


# ------------------------------------------------------------------ model DSL
@dataclass
class N:
    """A flow node."""
    id: str
    type: str                 # userTask, startEvent, endEvent, exclusiveGateway, ...
    name: str
    lane: str                 # role of the lane
    props: dict = field(default_factory=dict)
    doc: str | None = None
    default: str | None = None  # gateways: id of the default flow
    called: str | None = None   # callActivity: calledElement
    message: bool = False       # intermediateCatchEvent: supplement message
    timer: str | None = None    # intermediateCatchEvent: timeDuration expression


@dataclass
class F:
    src: str
    tgt: str
    name: str | None = None
    cond: str | None = None
    id: str | None = None

    def fid(self):
        return self.id or f"Flow_{self.src}__{self.tgt}"


@dataclass
class Proc:
    id: str
    name: str
    participant: str
    lanes: list                # [(role, lane name)]
    nodes: list
    flows: list
    props: dict = field(default_factory=dict)
    doc: str | None = None


def user(id, name, lane, kind, days, form, doc, agency=None):
    props = {"step_kind": kind, "duration_days": _num(days), "form_key": form}
    if agency:
        props["agency"] = agency
    return N(id, "userTask", name, lane, props=props, doc=doc)


def _num(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def review_block(p, appraisal, approval, after_approval, refuse_target, lane="specialist",
                 leader_lane="leader"):
    """Standard appraisal -> decision gateway (+ supplement loop) -> approval -> gateway.

    ``p`` prefixes the ids of generated gateways/events (ids are unique per file).
    Returns (nodes, flows). ``after_approval`` is the node after a positive approval.
    """
    gw_a, gw_b, ev = f"{p}gw_appraisal", f"{p}gw_approval", f"{p}supplement_received"
    f_default = F(gw_a, approval.id, "Đủ điều kiện")
    f_ok = F(gw_b, after_approval, "Đồng ý")
    nodes = [
        appraisal,
        N(gw_a, "exclusiveGateway", "Kết quả thẩm định?", lane, default=f_default.fid()),
        N(ev, "intermediateCatchEvent", "Nhận hồ sơ bổ sung", lane, message=True),
        approval,
        N(gw_b, "exclusiveGateway", "Lãnh đạo đồng ý?", leader_lane, default=f_ok.fid()),
    ]
    flows = [
        F(appraisal.id, gw_a),
        f_default,
        F(gw_a, ev, "Yêu cầu bổ sung", 'decision == "supplement"'),
        F(gw_a, refuse_target, "Từ chối", 'decision == "refuse"'),
        F(ev, appraisal.id),
        F(approval.id, gw_b),
        f_ok,
        F(gw_b, appraisal.id, "Trả lại thẩm định", 'decision == "reject"'),
    ]
    return nodes, flows


# ------------------------------------------------------------------ XML writer
def _props(parent, props):
    ext = etree.SubElement(parent, q("extensionElements"))
    ps = etree.SubElement(ext, q("properties", SPIFF))
    for k, v in props.items():
        p = etree.SubElement(ps, q("property", SPIFF))
        p.set("name", k)
        p.set("value", str(v))


def _doc(parent, text):
    if text:
        d = etree.SubElement(parent, q("documentation"))
        d.text = text


def build_definitions(key, procs: list[Proc]):
    root = etree.Element(q("definitions"), nsmap=NSMAP)
    root.set("id", f"Definitions_{key}")
    root.set("targetNamespace", "https://motcua.example/bpmn")
    root.set("exporter", "motcua build_models.py")
    root.set("exporterVersion", "1")
    collab = etree.SubElement(root, q("collaboration"))
    collab.set("id", f"Collab_{key}")
    for pr in procs:
        part = etree.SubElement(collab, q("participant"))
        part.set("id", f"Participant_{pr.id}")
        part.set("name", pr.participant)
        part.set("processRef", pr.id)
    uses_message = False
    for pr in procs:
        proc = etree.SubElement(root, q("process"))
        proc.set("id", pr.id)
        proc.set("name", pr.name)
        proc.set("isExecutable", "true")
        _doc(proc, pr.doc)
        _props(proc, pr.props)
        lane_set = etree.SubElement(proc, q("laneSet"))
        lane_set.set("id", f"LaneSet_{pr.id}")
        for role, lane_name in pr.lanes:
            lane = etree.SubElement(lane_set, q("lane"))
            lane.set("id", f"Lane_{pr.id}_{role}")
            lane.set("name", lane_name)
            _props(lane, {"role": role})
            for n in pr.nodes:
                if n.lane == role:
                    etree.SubElement(lane, q("flowNodeRef")).text = n.id
        incoming = {n.id: [] for n in pr.nodes}
        outgoing = {n.id: [] for n in pr.nodes}
        for f in pr.flows:
            assert f.src in outgoing, (pr.id, f.src)
            assert f.tgt in incoming, (pr.id, f.tgt)
            outgoing[f.src].append(f.fid())
            incoming[f.tgt].append(f.fid())
        for n in pr.nodes:
            el = etree.SubElement(proc, q(n.type))
            el.set("id", n.id)
            if n.name:
                el.set("name", n.name)
            if n.default:
                el.set("default", n.default)
            if n.called:
                el.set("calledElement", n.called)
            _doc(el, n.doc)
            if n.props:
                _props(el, n.props)
            for fid in incoming[n.id]:
                etree.SubElement(el, q("incoming")).text = fid
            for fid in outgoing[n.id]:
                etree.SubElement(el, q("outgoing")).text = fid
            if n.message:
                uses_message = True
                med = etree.SubElement(el, q("messageEventDefinition"))
                med.set("id", f"MessageEventDefinition_{n.id}")
                med.set("messageRef", f"Message_{SUPPLEMENT_MESSAGE}")
                ext = etree.SubElement(med, q("extensionElements"))
                etree.SubElement(ext, q("messageVariable", SPIFF)).text = "supplement"
            if n.timer:
                ted = etree.SubElement(el, q("timerEventDefinition"))
                ted.set("id", f"TimerEventDefinition_{n.id}")
                td = etree.SubElement(ted, q("timeDuration"))
                td.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
                td.text = n.timer
        for f in pr.flows:
            el = etree.SubElement(proc, q("sequenceFlow"))
            el.set("id", f.fid())
            if f.name:
                el.set("name", f.name)
            el.set("sourceRef", f.src)
            el.set("targetRef", f.tgt)
            if f.cond:
                c = etree.SubElement(el, q("conditionExpression"))
                c.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
                c.text = f.cond
    if uses_message:
        m = etree.SubElement(root, q("message"))
        m.set("id", f"Message_{SUPPLEMENT_MESSAGE}")
        m.set("name", SUPPLEMENT_MESSAGE)
    return etree.ElementTree(root)


def write_model(key, procs):
    tree = build_definitions(key, procs)
    layout.layout_tree(tree)
    etree.indent(tree, space="  ")
    path = os.path.join(ROOT, "bpmn", f"{key}.bpmn")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tree.write(path, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    print("wrote", os.path.relpath(path, ROOT))


# ------------------------------------------------------------------ the models
DOC_INTAKE = ("Kiểm tra thành phần hồ sơ của {{ applicant_name }} theo danh mục công khai; "
              "số hóa giấy tờ; nhập thông tin vào biểu mẫu và cấp Giấy tiếp nhận hồ sơ "
              "và hẹn trả kết quả (Mẫu 01). Hồ sơ thiếu: hướng dẫn bổ sung một lần (Mẫu 02).")
DOC_APPRAISAL = ("Thẩm định hồ sơ {{ dossier_code }}. Chọn kết quả: đủ điều kiện (trình lãnh đạo), "
                 "yêu cầu bổ sung (ghi đầy đủ nội dung cần bổ sung, gửi qua Bộ phận một cửa "
                 "trong 03 ngày làm việc) hoặc từ chối (ghi rõ lý do).")
DOC_APPROVAL = ("Xem xét dự thảo kết quả và ý kiến thẩm định; đồng ý ký duyệt hoặc trả lại "
                "chuyên viên kèm ý kiến chỉ đạo.")
DOC_STAMPING = "Vào sổ, cấp số văn bản kết quả, đóng dấu và chuyển Bộ phận trả kết quả."
DOC_RETURN = ("Trả kết quả cho {{ applicant_name }} (hoặc thông báo từ chối nếu hồ sơ bị từ chối) "
              "theo hình thức đã đăng ký: tại quầy, bưu chính công ích hoặc trực tuyến; "
              "ghi nhận người nhận và mời đánh giá mức độ hài lòng.")


def simple_procedure(key, name, participant, props, days, *, intake_doc=DOC_INTAKE,
                     appraisal_name="Thẩm định hồ sơ", approval_name="Phê duyệt kết quả",
                     return_lane="receiver", lane_names=None, doc=None):
    """intake -> appraisal (+supplement/refuse) -> approval -> stamping -> return."""
    lane_names = {**ROLE_LANE_NAMES, **(lane_names or {})}
    nodes = [
        N("start", "startEvent", "Nộp hồ sơ", "receiver"),
        user("intake", "Tiếp nhận hồ sơ", "receiver", "intake", days["intake"],
             f"{key}/intake", intake_doc),
    ]
    block_nodes, block_flows = review_block(
        "",
        user("appraisal", appraisal_name, "specialist", "appraisal", days["appraisal"],
             f"{key}/appraisal", DOC_APPRAISAL),
        user("approval", approval_name, "leader", "approval", days["approval"],
             f"{key}/approval", DOC_APPROVAL),
        after_approval="stamping", refuse_target="return_result",
    )
    nodes += block_nodes
    nodes += [
        user("stamping", "Đóng dấu, phát hành", "clerk", "stamping", days["stamping"],
             f"{key}/stamping", DOC_STAMPING),
        user("return_result", "Trả kết quả", return_lane, "return", days["return"],
             f"{key}/return", DOC_RETURN),
        N("end", "endEvent", "Hoàn thành", return_lane),
    ]
    flows = [F("start", "intake"), F("intake", "appraisal")] + block_flows + [
        F("stamping", "return_result"), F("return_result", "end")]
    roles = ["receiver", "specialist", "leader", "clerk"]
    if return_lane == "returner":
        roles.append("returner")
    return Proc(key, name, participant, [(r, lane_names[r]) for r in roles], nodes, flows,
                props=props, doc=doc)


def work_permit():
    return [simple_procedure(
        "work_permit", "Cấp giấy phép lao động cho người lao động nước ngoài",
        "Trung tâm Phục vụ hành chính công tỉnh — Sở Nội vụ (5 tại chỗ)",
        {"procedure_code": "1.014199", "legal_days": "10"},  # Decree 219/2025 (the 1.000105 version: 5 days)
        {"intake": 0.5, "appraisal": 7, "approval": 2, "stamping": 0.25, "return": 0.25},
        lane_names={"receiver": "Công chức tiếp nhận (Sở Nội vụ tại Trung tâm)",
                    "specialist": "Chuyên viên Sở Nội vụ tại Trung tâm",
                    "leader": "Lãnh đạo Sở Nội vụ (ký tại Trung tâm)",
                    "clerk": "Văn thư (đóng dấu tại Trung tâm)"},
        doc="Work permit for a foreign worker; all five steps at the center (5 tại chỗ).",
    )]


def birth_registration():
    return [simple_procedure(
        "birth_registration", "Đăng ký khai sinh",
        "Trung tâm Phục vụ hành chính công xã",
        {"procedure_code": "1.001193", "legal_days": "0", "cutoff": "15:00"},
        {"intake": 0.0625, "appraisal": 0.1875, "approval": 0.125, "stamping": 0.0625,
         "return": 0.0625},
        appraisal_name="Kiểm tra hồ sơ, ghi sổ hộ tịch",
        approval_name="Ký Giấy khai sinh",
        lane_names={"receiver": "Công chức Bộ phận một cửa xã",
                    "specialist": "Công chức tư pháp – hộ tịch",
                    "leader": "Chủ tịch / Phó Chủ tịch UBND xã",
                    "clerk": "Văn thư UBND xã"},
        doc="Same-day procedure: dossiers received after 15:00 count from the next working day.",
    )]


def household_business():
    intake_doc = ("Kiểm tra hồ sơ trực tuyến của {{ applicant_name }} trên Cổng dịch vụ công "
                  "(tài khoản VNeID, chữ ký số / xác thực, thành phần hồ sơ, tên hộ kinh doanh "
                  "không trùng); hồ sơ nộp trực tiếp thì số hóa. Tiếp nhận hoặc hướng dẫn bổ sung "
                  "một lần.")
    return [simple_procedure(
        "household_business", "Đăng ký thành lập hộ kinh doanh",
        "UBND xã — Cơ quan đăng ký kinh doanh cấp xã",
        {"procedure_code": "2.000720", "legal_days": "3"},
        {"intake": 0.5, "appraisal": 1.5, "approval": 0.5, "stamping": 0.25, "return": 0.25},
        intake_doc=intake_doc,
        appraisal_name="Thẩm định hồ sơ đăng ký hộ kinh doanh",
        approval_name="Ký Giấy chứng nhận đăng ký hộ kinh doanh",
        lane_names={"receiver": "Bộ phận một cửa (tiếp nhận trực tuyến)",
                    "specialist": "Chuyên viên Phòng Kinh tế",
                    "leader": "Lãnh đạo UBND xã",
                    "clerk": "Văn thư UBND xã"},
        doc="Household business registration; full-process online capable.",
    )]


def commendation():
    key = "commendation"
    nodes = [
        N("start", "startEvent", "Nộp hồ sơ đề nghị", "receiver"),
        user("intake", "Tiếp nhận hồ sơ đề nghị khen thưởng", "receiver", "intake", 0.5,
             f"{key}/intake", DOC_INTAKE),
        user("appraisal", "Thẩm định hồ sơ khen thưởng", "specialist", "appraisal", 5,
             f"{key}/appraisal",
             DOC_APPRAISAL + " Lấy ý kiến Hội đồng Thi đua – Khen thưởng khi cần.",
             agency="department"),
        N("gw_appraisal", "exclusiveGateway", "Kết quả thẩm định?", "specialist",
          default="Flow_gw_appraisal__approval_department"),
        N("supplement_received", "intermediateCatchEvent", "Nhận hồ sơ bổ sung", "specialist",
          message=True),
        user("approval_department", "Lãnh đạo Sở Nội vụ xem xét, trình", "leader", "approval", 2,
             f"{key}/approval_department",
             "Lãnh đạo Sở Nội vụ xem xét tờ trình; đồng ý trình Chủ tịch UBND tỉnh hoặc trả lại.",
             agency="department"),
        N("gw_department", "exclusiveGateway", "Lãnh đạo Sở đồng ý?", "leader",
          default="Flow_gw_department__approval_province"),
        user("approval_province", "Chủ tịch UBND tỉnh quyết định khen thưởng", "leader",
             "approval", 3, f"{key}/approval_province",
             "Chủ tịch (Phó Chủ tịch) UBND tỉnh ký Quyết định khen thưởng hoặc trả lại.",
             agency="province"),
        N("gw_province", "exclusiveGateway", "Chủ tịch UBND tỉnh đồng ý?", "leader",
          default="Flow_gw_province__stamping"),
        user("stamping", "Vào số, đóng dấu Quyết định, in Bằng khen", "clerk", "stamping", 1,
             f"{key}/stamping", DOC_STAMPING, agency="province"),
        user("return_result", "Trả Quyết định và Bằng khen", "returner", "return", 0.5,
             f"{key}/return", DOC_RETURN),
        N("end", "endEvent", "Hoàn thành", "returner"),
    ]
    flows = [
        F("start", "intake"), F("intake", "appraisal"), F("appraisal", "gw_appraisal"),
        F("gw_appraisal", "approval_department", "Đủ điều kiện"),
        F("gw_appraisal", "supplement_received", "Yêu cầu bổ sung", 'decision == "supplement"'),
        F("gw_appraisal", "return_result", "Từ chối", 'decision == "refuse"'),
        F("supplement_received", "appraisal"),
        F("approval_department", "gw_department"),
        F("gw_department", "approval_province", "Đồng ý trình"),
        F("gw_department", "appraisal", "Trả lại thẩm định", 'decision == "reject"'),
        F("approval_province", "gw_province"),
        F("gw_province", "stamping", "Đồng ý"),
        F("gw_province", "appraisal", "Trả lại thẩm định", 'decision == "reject"'),
        F("stamping", "return_result"), F("return_result", "end"),
    ]
    lanes = [("receiver", "Bộ phận tiếp nhận (Trung tâm PVHCC tỉnh)"),
             ("specialist", "Chuyên viên Ban Thi đua – Khen thưởng (Sở Nội vụ)"),
             ("leader", "Lãnh đạo Sở Nội vụ / Chủ tịch UBND tỉnh"),
             ("clerk", "Văn thư Văn phòng UBND tỉnh"),
             ("returner", "Bộ phận trả kết quả")]
    return [Proc(key, "Tặng Bằng khen của Chủ tịch UBND tỉnh", "Trung tâm Phục vụ hành chính công tỉnh",
                 lanes, nodes, flows, props={"procedure_code": "1.000775", "legal_days": "12"},
                 doc="Commendation proposal: department leader, then province leader approve.")]


def construction_permit():
    key = "construction_permit"
    doc_opinion = ("Cơ quan được hỏi ý kiến ({{ agency_name }}) trả lời bằng văn bản về nội dung "
                   "thuộc chức năng quản lý; quá hạn không trả lời được coi là đồng ý.")
    doc_site = ("Kiểm tra hiện trạng khu đất xây dựng của {{ applicant_name }} "
                "(ranh giới, chỉ giới, công trình lân cận) và lập biên bản.")
    nodes = [
        N("start", "startEvent", "Nộp hồ sơ", "receiver"),
        user("intake", "Tiếp nhận hồ sơ", "receiver", "intake", 0.5, f"{key}/intake", DOC_INTAKE),
        N("gw_merge", "exclusiveGateway", "", "specialist"),
        N("gw_fork", "parallelGateway", "Thẩm định song song", "specialist"),
        user("appraisal", "Thẩm định hồ sơ thiết kế", "specialist", "appraisal", 7,
             f"{key}/appraisal", DOC_APPRAISAL),
        N("gw_appraisal", "exclusiveGateway", "Cần bổ sung?", "specialist",
          default="Flow_gw_appraisal__gw_join"),
        N("supplement_received", "intermediateCatchEvent", "Nhận hồ sơ bổ sung", "specialist",
          message=True),
        user("agency_opinion", "Lấy ý kiến cơ quan quản lý chuyên ngành", "specialist",
             "appraisal", 7, f"{key}/agency_opinion", doc_opinion, agency="department"),
        N("site_visit_timer", "intermediateCatchEvent", "Chờ lịch kiểm tra thực địa (2 ngày)",
          "specialist", timer='"P2D"'),
        user("site_inspection", "Kiểm tra thực địa", "specialist", "appraisal", 5,
             f"{key}/site_inspection", doc_site),
        N("gw_join", "parallelGateway", "Tổng hợp kết quả", "specialist"),
        user("appraisal_summary", "Tổng hợp, đề xuất cấp phép", "specialist", "appraisal", 3,
             f"{key}/appraisal_summary",
             "Tổng hợp kết quả thẩm định, ý kiến cơ quan liên quan và biên bản kiểm tra thực địa; "
             "đề xuất cấp phép, từ chối (nêu rõ lý do) hoặc yêu cầu bổ sung."),
        N("gw_summary", "exclusiveGateway", "Kết quả thẩm định?", "specialist",
          default="Flow_gw_summary__approval"),
        N("summary_supplement_received", "intermediateCatchEvent", "Nhận hồ sơ bổ sung",
          "specialist", message=True),
        user("approval", "Ký Giấy phép xây dựng", "leader", "approval", 3, f"{key}/approval",
             DOC_APPROVAL),
        N("gw_approval", "exclusiveGateway", "Lãnh đạo đồng ý?", "leader",
          default="Flow_gw_approval__stamping"),
        user("stamping", "Vào sổ, đóng dấu Giấy phép", "clerk", "stamping", 1,
             f"{key}/stamping", DOC_STAMPING),
        user("return_result", "Trả Giấy phép xây dựng", "returner", "return", 0.5,
             f"{key}/return", DOC_RETURN),
        N("end", "endEvent", "Hoàn thành", "returner"),
    ]
    flows = [
        F("start", "intake"), F("intake", "gw_merge"), F("gw_merge", "gw_fork"),
        F("gw_fork", "appraisal"), F("gw_fork", "agency_opinion"), F("gw_fork", "site_visit_timer"),
        F("appraisal", "gw_appraisal"),
        F("gw_appraisal", "gw_join", "Tiếp tục"),
        F("gw_appraisal", "supplement_received", "Yêu cầu bổ sung", 'decision == "supplement"'),
        F("supplement_received", "appraisal"),
        F("agency_opinion", "gw_join"),
        F("site_visit_timer", "site_inspection"), F("site_inspection", "gw_join"),
        F("gw_join", "appraisal_summary"), F("appraisal_summary", "gw_summary"),
        F("gw_summary", "approval", "Đủ điều kiện"),
        F("gw_summary", "summary_supplement_received", "Yêu cầu bổ sung",
          'decision == "supplement"'),
        F("gw_summary", "return_result", "Từ chối", 'decision == "refuse"'),
        F("summary_supplement_received", "appraisal_summary"),
        F("approval", "gw_approval"),
        F("gw_approval", "stamping", "Đồng ý"),
        F("gw_approval", "appraisal_summary", "Trả lại thẩm định", 'decision == "reject"'),
        F("stamping", "return_result"), F("return_result", "end"),
    ]
    lanes = [("receiver", "Bộ phận một cửa xã"),
             ("specialist", "Chuyên viên Phòng Kinh tế – Hạ tầng – Đô thị / cơ quan được hỏi ý kiến"),
             ("leader", "Chủ tịch / Phó Chủ tịch UBND xã"),
             ("clerk", "Văn thư UBND xã"),
             ("returner", "Bộ phận trả kết quả")]
    return [Proc(key, "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ", "UBND xã — cấp phép xây dựng",
                 lanes, nodes, flows, props={"procedure_code": "1.009994", "legal_days": "15"},
                 doc="Construction permit for an individual house: design appraisal, agency "
                     "opinion and site inspection in parallel, then summary, approval, stamping.")]


def child_under6():
    key = "child_under6_interconnected"
    main_nodes = [
        N("start", "startEvent", "Nộp hồ sơ liên thông", "receiver"),
        user("intake", "Tiếp nhận hồ sơ liên thông", "receiver", "intake", 0.25,
             f"{key}/intake",
             "Tiếp nhận hồ sơ liên thông khai sinh – thường trú – thẻ BHYT cho trẻ "
             "{{ child_name }}; kiểm tra Tờ khai, Giấy chứng sinh, Tờ khai ĐKTT (CT01), "
             "Tờ khai tham gia BHYT (TK1-TS).", agency="commune"),
        N("call_birth", "callActivity", "Đăng ký khai sinh (UBND xã)", "receiver",
          called="child_under6_birth"),
        N("gw_birth", "exclusiveGateway", "Khai sinh được chấp thuận?", "receiver",
          default="Flow_gw_birth__gw_fork"),
        # Decree 63/2024: residence registration and the health insurance card run in parallel once the birth
        # is registered; residence at the commune police.
        N("gw_fork", "parallelGateway", "Thường trú và BHYT song song", "receiver"),
        N("call_residence", "callActivity", "Đăng ký thường trú (Công an xã)", "receiver",
          called="child_under6_residence"),
        N("call_health_insurance", "callActivity", "Cấp thẻ BHYT (Bảo hiểm xã hội)", "receiver",
          called="child_under6_health_insurance"),
        N("gw_join", "parallelGateway", "Tổng hợp kết quả liên thông", "receiver"),
        user("return_result", "Trả kết quả liên thông", "receiver", "return", 0.25,
             f"{key}/return",
             "Trả Giấy khai sinh, thông báo kết quả đăng ký thường trú và thẻ BHYT của trẻ "
             "{{ child_name }} (hoặc văn bản từ chối) theo hình thức đã đăng ký.",
             agency="commune"),
        N("end", "endEvent", "Hoàn thành", "receiver"),
    ]
    main_flows = [
        F("start", "intake"), F("intake", "call_birth"), F("call_birth", "gw_birth"),
        F("gw_birth", "gw_fork", "Có Giấy khai sinh"),
        F("gw_birth", "return_result", "Từ chối", 'decision == "refuse"'),
        F("gw_fork", "call_residence"), F("gw_fork", "call_health_insurance"),
        F("call_residence", "gw_join"), F("call_health_insurance", "gw_join"),
        F("gw_join", "return_result"),
        F("return_result", "end"),
    ]
    main = Proc(key, "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
                "UBND xã — đầu mối tiếp nhận và trả kết quả liên thông",
                [("receiver", "Bộ phận một cửa xã (đầu mối liên thông)")],
                main_nodes, main_flows,
                props={"procedure_code": "1.001022", "legal_days": "3", "cutoff": "15:00"},
                doc="Interconnected chain: the commune registers the birth, then the commune police "
                    "(residence) and social insurance (health insurance card) work in parallel "
                    "(Decree 63/2024); each agency's part is a called process with its own time slice.")

    def agency_proc(pid, prefix, title, participant, agency, lanes, appr, appr_days, appv,
                    appv_days, form_prefix, stamping=None, part=False):
        end_ok, end_ko = f"{prefix}end", f"{prefix}end_refused"
        a = user(f"{prefix}appraisal", appr, "specialist", "appraisal", appr_days,
                 f"{key}/{form_prefix}_appraisal", DOC_APPRAISAL, agency=agency)
        b = user(f"{prefix}approval", appv, "leader", "approval", appv_days,
                 f"{key}/{form_prefix}_approval", DOC_APPROVAL, agency=agency)
        after = f"{prefix}stamping" if stamping else end_ok
        bn, bf = review_block(prefix, a, b, after, end_ko)
        nodes = [N(f"{prefix}start", "startEvent", "Nhận hồ sơ liên thông", "specialist")] + bn
        flows = [F(f"{prefix}start", a.id)] + bf
        if stamping:
            nodes.append(user(f"{prefix}stamping", stamping[0], "clerk", "stamping", stamping[1],
                              f"{key}/{form_prefix}_stamping", DOC_STAMPING, agency=agency))
            flows.append(F(f"{prefix}stamping", end_ok))
        nodes += [N(end_ok, "endEvent", "Chuyển kết quả", "clerk" if stamping else "leader"),
                  N(end_ko, "endEvent", "Từ chối", "specialist")]
        # a parallel part: its refusal refuses that procedure only (app.dossiers.lifecycle.refused_part)
        return Proc(pid, title, participant, lanes, nodes, flows, props={"refusal_scope": "part"} if part else {})

    birth = agency_proc(
        "child_under6_birth", "kb_", "Đăng ký khai sinh (liên thông)", "UBND xã — Tư pháp hộ tịch",
        "commune",
        [("specialist", "Công chức tư pháp – hộ tịch"), ("leader", "Chủ tịch / Phó Chủ tịch UBND xã"),
         ("clerk", "Văn thư UBND xã")],
        "Đăng ký khai sinh, cấp số định danh", 0.25, "Ký Giấy khai sinh", 0.125, "birth",
        stamping=("Đóng dấu Giấy khai sinh", 0.125))
    residence = agency_proc(
        "child_under6_residence", "tt_", "Đăng ký thường trú (liên thông)", "Công an cấp xã — đăng ký cư trú",
        "police",
        [("specialist", "Cán bộ đăng ký cư trú"), ("leader", "Trưởng Công an xã")],
        "Thẩm định, cập nhật thường trú vào CSDL cư trú", 1.5, "Duyệt đăng ký thường trú", 0.5,
        "residence", part=True)
    bhyt = agency_proc(
        "child_under6_health_insurance", "yt_", "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi (liên thông)",
        "Bảo hiểm xã hội cơ sở", "social_insurance",
        [("specialist", "Cán bộ thu – sổ thẻ BHXH"), ("leader", "Lãnh đạo BHXH cơ sở")],
        "Kiểm tra, lập danh sách cấp thẻ BHYT", 1.5, "Duyệt cấp thẻ BHYT", 0.5, "health_insurance",
        part=True)
    return [main, birth, residence, bhyt]


MODELS = {
    "work_permit": work_permit,
    "birth_registration": birth_registration,
    "child_under6_interconnected": child_under6,
    "construction_permit": construction_permit,
    "household_business": household_business,
    "commendation": commendation,
}


def main(argv):
    keys = argv or list(MODELS)
    for k in keys:
        write_model(k, MODELS[k]())


if __name__ == "__main__":
    main(sys.argv[1:])
