"""Versions of the real work_permit model for migration tests, derived from bpmn/work_permit.bpmn with lxml."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[3]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}


def work_permit_xml() -> bytes:
    return (ROOT / "bpmn" / "work_permit.bpmn").read_bytes()


def _load(xml: bytes | None = None) -> etree._Element:
    return etree.fromstring(xml or work_permit_xml(), etree.XMLParser(remove_blank_text=True))


def _by_id(root: etree._Element, element_id: str) -> etree._Element:
    [element] = root.xpath(f"//*[@id='{element_id}']")
    return element


def set_property(element: etree._Element, name: str, value: str) -> None:
    [prop] = element.xpath(f"./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='{name}']",
                           namespaces=NS)
    prop.set("value", value)


def _strip_refs(root: etree._Element) -> None:
    """Drop incoming/outgoing children: the parser reads sequence flows, and stale refs would lie."""
    for ref in root.xpath("//bpmn:incoming | //bpmn:outgoing", namespaces=NS):
        ref.getparent().remove(ref)


def _flow(process: etree._Element, flow_id: str, source: str, target: str) -> None:
    etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=flow_id, sourceRef=source, targetRef=target)


def with_document_check() -> bytes:
    """v2: a 'check documents' user task (specialist, 0.5 day) between intake and appraisal."""
    root = _load()
    _strip_refs(root)
    process = root.find("bpmn:process", NS)
    appraisal = _by_id(root, "appraisal")
    task = etree.fromstring(etree.tostring(appraisal))
    task.set("id", "check_documents")
    task.set("name", "Kiểm tra thành phần hồ sơ")
    set_property(task, "duration_days", "0.5")
    set_property(appraisal, "duration_days", "6.5")  # the 7-day appraisal (Decree 219/2025 permit) minus 0.5
    appraisal.addprevious(task)
    _by_id(root, "Flow_intake__appraisal").set("targetRef", "check_documents")
    _flow(process, "Flow_check_documents__appraisal", "check_documents", "appraisal")
    lane = root.xpath("//bpmn:lane[bpmn:flowNodeRef='appraisal']", namespaces=NS)[0]
    etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = "check_documents"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def without_document_check() -> bytes:
    """v3 after v2: the 'check documents' task removed again (appraisal renamed so the content is new)."""
    root = _load()
    _by_id(root, "appraisal").set("name", "Thẩm định hồ sơ và điều kiện cấp phép")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def reformatted(xml: bytes) -> bytes:
    """Same model, different indentation (identity must not change)."""
    return etree.tostring(_load(xml), pretty_print=True, xml_declaration=True, encoding="UTF-8")
