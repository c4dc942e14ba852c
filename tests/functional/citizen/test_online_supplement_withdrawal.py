"""The citizen answers a supplement request online (the time limit restarts) and asks online to stop handling."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.documents.models import Attachment
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.history.services import list_events
from tests.functional.citizen.online import PDF, submit
from tests.functional.citizen.portal import AN, sign_in


def _accepted(client, desk) -> Dossier:
    sign_in(client, AN)
    code = submit(client, desk).location.rsplit("/", 1)[1]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    desk.complete(dossier, "intake")
    return dossier


def _reload(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def test_the_citizen_answers_a_supplement_request_online_and_the_limit_restarts(client, sandboxes, desk):
    dossier = _accepted(client, desk)
    desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Hộ chiếu bản sao có chứng thực")
    page = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert "Hộ chiếu bản sao có chứng thực" in page.text and "my-supplement" in page.text
    doc = next(d for d in dossier.procedure.documents if "Hộ chiếu" in d.name_vi)
    response = client.post(f"/cong-dan/ho-so/{dossier.code}/bo-sung", content_type="multipart/form-data", data={
        f"doc-{doc.id}": (io.BytesIO(PDF), "ho-chieu.pdf"), "supplement-note": "Đã chứng thực tại UBND phường."})
    assert response.status_code == 302
    dossier = _reload(dossier)
    assert dossier.status.value == "processing"
    kinds = [c.kind for c in db.session.scalars(select(ClockEntry).where(ClockEntry.dossier_id == dossier.id)
                                                .order_by(ClockEntry.id))]
    assert kinds == ["start", "restart", "pause", "restart"]  # accepted; paused; the full limit again
    event = [e for e in list_events(dossier.id) if e.kind == "supplement_received"][-1]
    assert event.data["channel"] == "online" and "ho-chieu.pdf" in event.data["documents"][0]
    files = db.session.scalars(select(Attachment).where(Attachment.stage == "supplement")).all()
    assert [(f.original_name, f.required_document_id, f.uploaded_by_id) for f in files] == [
        ("ho-chieu.pdf", doc.id, None)]
    assert desk.task(dossier, "appraisal")  # back with the specialist
    assert "my-supplement" not in client.get(f"/cong-dan/ho-so/{dossier.code}").text


def test_no_supplement_is_taken_when_none_was_asked(client, sandboxes, desk):
    dossier = _accepted(client, desk)
    client.post(f"/cong-dan/ho-so/{dossier.code}/bo-sung", data={"supplement-note": "thêm"})
    assert [e.kind for e in list_events(dossier.id) if e.kind == "supplement_received"] == []


def test_the_citizen_withdraws_online_before_the_result(client, sandboxes, desk):
    dossier = _accepted(client, desk)
    assert "my-withdraw" in client.get(f"/cong-dan/ho-so/{dossier.code}").text
    assert client.post(f"/cong-dan/ho-so/{dossier.code}/rut-ho-so", data={"withdraw-reason": ""}).status_code == 302
    assert _reload(dossier).status.value == "processing"  # a reason is required
    client.post(f"/cong-dan/ho-so/{dossier.code}/rut-ho-so", data={"withdraw-reason": "Doanh nghiệp đổi kế hoạch."})
    dossier = _reload(dossier)
    assert dossier.status.value == "stopped" and desk.open_tasks(dossier) == []
    event = list_events(dossier.id)[-1]
    assert (event.kind, event.data["channel"]) == ("stopped", "online")
