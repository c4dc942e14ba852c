"""Standard slips as PDF: issued in the transaction of the event, rendered from its snapshot, with the form of the
circular in force at receipt, the dossier code as text and a QR code to the public verification page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.documents import services
from app.documents.models import Document
from app.dossiers import lifecycle
from app.extensions import db
from app.history.models import DossierEvent
from tests.integration.documents.conftest import pdf_text, qr_payloads
from tests.integration.dossiers.conftest import local, official

PERMIT, OLD_PERMIT = "1.014199", "1.000105"
CIRCULAR = {"TT01-2018": "Thông tư 01/2018/TT-VPCP", "TT03-2025": "Thông tư 03/2025/TT-VPCP"}


def documents_of(dossier) -> list[Document]:
    return services.list_documents(dossier.id)


def only(dossier, kind: str) -> Document:
    found = [d for d in documents_of(dossier) if d.kind == kind]
    assert len(found) == 1, [d.kind for d in documents_of(dossier)]
    return found[0]


class TestIssuedWithTheEvent:
    def test_the_receipt_is_recorded_with_the_received_event_and_rendered_later(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        receipt = only(dossier, "receipt")
        event = db.session.get(DossierEvent, receipt.event_id)
        assert event.kind == "received" and event.dossier_id == dossier.id
        assert receipt.status == "pending" and receipt.content_hash is None
        rendered()
        db.session.refresh(receipt)
        assert receipt.last_error is None
        assert receipt.is_ready and receipt.size > 1000
        data = services.document_bytes(receipt)
        text = pdf_text(data)
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and dossier.code in text
        assert "Mẫu số 01 – Thông tư 03/2025/TT-VPCP" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Nguyễn Văn An" in text and "ngày 02 tháng 03 năm 2026" in text
        assert qr_payloads(data) == [f"http://127.0.0.1:5000/xac-thuc/{receipt.verify_token}"]

    def test_a_rolled_back_receipt_leaves_no_slip(self, desk, clock):
        from app.auth.services import get_agency_by_code
        from app.catalog.services import get_procedure
        from app.core.db import unit_of_work
        from app.dossiers.intake import receive_dossier
        from app.dossiers.schemas import ApplicantInput, IntakeInput

        clock("2026-03-02 09:00")
        agency = get_agency_by_code("H38.TTPVHCC")
        intake = IntakeInput(procedure_code=PERMIT, applicant=ApplicantInput(name="Lê Văn C", id_number="038090001235"),
                             received_documents=[d.id for d in get_procedure(PERMIT).documents],
                             form_data=desk.intake_data(PERMIT))
        before = db.session.scalar(select(db.func.count()).select_from(Document))
        with pytest.raises(RuntimeError), unit_of_work():
            receive_dossier(official("receiver", agency.id), agency, intake)
            assert db.session.scalar(select(db.func.count()).select_from(Document)) == before + 1
            raise RuntimeError("crash after the event")
        assert db.session.scalar(select(db.func.count()).select_from(Document)) == before

    def test_the_slip_says_what_was_true_at_the_event(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        appointment = dossier.due_at
        leader = official("leader", desk.task(dossier).agency_id)
        clock("2026-03-05 09:00")
        lifecycle.apologize(leader, dossier.code, reason="Chờ ý kiến cơ quan công an",
                            new_due_at=local("2026-03-20 17:00"))
        db.session.commit()
        rendered()
        receipt = services.document_bytes(only(dossier, "receipt"))
        assert f"{appointment.astimezone(local('2026-03-02 09:00').tzinfo):%d/%m/%Y}" in pdf_text(receipt)
        assert "20/03/2026" not in pdf_text(receipt)
        apology = pdf_text(services.document_bytes(only(dossier, "apology")))
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology and "Chờ ý kiến cơ quan công an" in apology
        assert "17 giờ 00 phút, ngày 20/03/2026" in apology and "Mẫu số 04" in apology


class TestEachEventIssuesItsSlip:
    def test_supplement_request_lists_the_items(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        clock("2026-03-03 09:00")
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu công chứng")
        rendered()
        text = pdf_text(services.document_bytes(only(dossier, "supplement")))
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Bản sao hộ chiếu công chứng" in text
        assert "Mẫu số 02 – Thông tư 03/2025/TT-VPCP" in text

    def test_refusal_gives_the_reason_and_the_control_slip_closes_the_dossier(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        desk.complete(dossier, "appraisal", decision="refuse", comment="Không đủ điều kiện sức khỏe",
                      refusal_reason="Không đủ điều kiện sức khỏe")
        desk.run_to_end(dossier)
        rendered()
        refusal = pdf_text(services.document_bytes(only(dossier, "refusal")))
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in refusal and "Không đủ điều kiện sức khỏe" in refusal
        assert "Mẫu số 03" in refusal
        control = pdf_text(services.document_bytes(only(dossier, "control")))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control and "Mẫu số 06" in control
        assert "Thẩm định" in control or "thẩm định" in control.lower()
        assert not [d for d in documents_of(dossier) if d.kind == "result"]

    def test_withdrawal_issues_the_stop_notice(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        lifecycle.withdraw(official("receiver", dossier.receiving_agency_id), dossier.code,
                           reason="Người nộp xin rút hồ sơ")
        db.session.commit()
        rendered()
        text = pdf_text(services.document_bytes(only(dossier, "stop")))
        assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Người nộp xin rút hồ sơ" in text
        assert "Mẫu số 05 – Thông tư 03/2025/TT-VPCP" in text
        assert only(dossier, "control").kind == "control"

    def test_stamping_issues_the_result_and_the_return_the_control_slip(self, desk, clock, rendered):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(dossier, kind)
        result = only(dossier, "result")
        assert not [d for d in documents_of(dossier) if d.kind == "control"]
        desk.run_to_end(dossier)
        rendered()
        text = pdf_text(services.document_bytes(result))
        assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text and dossier.code in text
        assert [d.kind for d in documents_of(dossier)] == ["receipt", "result", "control"]


    def test_one_control_slip_even_when_later_events_share_the_finishing_instant(self, desk, clock, rendered):
        """The clock stands still: the citizen's rating lands at the very instant the dossier finished."""
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(dossier, kind)
        desk.run_to_end(dossier)
        lifecycle.rate(dossier.code, None, "satisfied", verified=True)
        db.session.commit()
        assert [d.kind for d in documents_of(dossier)] == ["receipt", "result", "control"]


class TestFormSets:
    @pytest.mark.parametrize(("day", "code", "form_set"), [
        ("2025-06-30 09:00", OLD_PERMIT, "TT01-2018"),
        ("2026-03-02 09:00", PERMIT, "TT03-2025"),
    ])
    def test_every_slip_renders_in_the_form_set_of_the_receipt_day(self, desk, clock, day, code, form_set):
        from types import SimpleNamespace

        from app.documents import render, slips
        from app.dossiers.rules import get_form_set

        clock(day)
        dossier = desk.receive(code).dossier
        assert dossier.form_set == form_set
        numbers = get_form_set(form_set).forms
        for kind in slips.SLIP_KINDS:
            event = SimpleNamespace(kind=kind, at=dossier.received_at, actor_name="Trần Thị Bình", comment="Lý do X",
                                    agency_id=dossier.receiving_agency_id,
                                    data={"items": ["Giấy Y"], "reason": "Lý do X",
                                          "previous_due_at": dossier.due_at.isoformat(),
                                          "new_due_at": dossier.due_at.isoformat()})
            context = slips.event_context(dossier, kind, event)
            data = render.html_to_pdf(render.slip_html(kind, context, token="tok-" + kind))
            text = pdf_text(data)
            assert slips.title(kind, form_set) in text and dossier.code in text, kind
            number = numbers.get(slips.FORM_KINDS.get(kind, ""))
            if number:
                assert f"Mẫu số {number} – {CIRCULAR[form_set]}" in text, kind
            else:
                assert "Mẫu số" not in text, kind  # no such form in that circular (stop notice before 03/2025)
            assert qr_payloads(data) == [f"http://127.0.0.1:5000/xac-thuc/tok-{kind}"], kind
