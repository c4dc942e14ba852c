"""On the lookup page the applicant chooses the channels and language of the dossier's messages and sees what was
sent; the link in each e-mail stops the e-mails of that dossier."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.services import get_agency_by_code
from app.catalog.services import get_procedure
from app.core.db import utcnow
from app.dossiers.intake import receive_dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.extensions import db
from app.notify import preferences
from app.notify.models import OPTED_OUT, Notification
from app.notify.services import deliver_pending
from tests.functional.ui_world import WORK_PERMIT, official


def receive_with_email(desk):
    procedure = get_procedure(WORK_PERMIT)
    agency = get_agency_by_code("H38.TTPVHCC")
    intake = IntakeInput(procedure_code=WORK_PERMIT, received_documents=[d.id for d in procedure.documents],
                         applicant=ApplicantInput(name="Nguyễn Văn An", id_number="038090001234",
                                                  phone="0912345678", email="an@example.vn"),
                         form_data=desk.intake_data(WORK_PERMIT))
    receipt = receive_dossier(official("receiver", agency.id), agency, intake)
    db.session.commit()
    return receipt


def opened(client, desk):
    receipt = receive_with_email(desk)
    page = client.post("/tra-cuu", data={"code": receipt.dossier.code, "pin": receipt.pin}, follow_redirects=True)
    assert page.status_code == 200
    return receipt.dossier, page


class TestNotificationChoice:
    def test_the_page_shows_the_masked_contacts_and_the_delivery_status(self, client, desk, at_office):
        dossier, page = opened(client, desk)
        assert 'id="notify-preference"' in page.text and "a***@example.vn" in page.text and "09******78" in page.text
        assert "an@example.vn" not in page.text and "0912345678" not in page.text
        assert page.text.count('data-status="pending"') == 2  # the receipt messages, waiting for the scheduler
        deliver_pending(utcnow())
        db.session.commit()
        page = client.get(f"/tra-cuu/ho-so/{dossier.code}")
        assert page.text.count('data-status="skipped"') == 2  # no gateway in this test

    def test_choosing_sms_only_in_english_holds_back_the_email(self, client, desk, at_office):
        dossier, _page = opened(client, desk)
        response = client.post(f"/tra-cuu/ho-so/{dossier.code}/thong-bao", data={"sms": "y", "language": "en"})
        assert response.status_code == 302
        deliver_pending(utcnow())
        rows = {r.channel: r for r in db.session.scalars(select(Notification).where(
            Notification.dossier_id == dossier.id))}
        assert rows["email"].last_error == OPTED_OUT and rows["sms"].language == "en"
        assert rows["sms"].body.startswith(f"Dossier {dossier.code}")

    def test_the_choice_needs_the_pin_first(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        response = client.post(f"/tra-cuu/ho-so/{receipt.dossier.code}/thong-bao", data={"language": "vi"})
        assert response.status_code == 404 and preferences.find_preference(receipt.dossier.id) is None

    def test_the_unsubscribe_link_asks_then_stops_the_emails(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        token = preferences.unsubscribe_token(receipt.dossier.id)
        page = client.get(f"/thong-bao/huy/{token}")
        assert page.status_code == 200 and receipt.dossier.code in page.text
        assert preferences.find_preference(receipt.dossier.id) is None  # a GET (a mail scanner) changes nothing
        page = client.post(f"/thong-bao/huy/{token}")
        assert page.status_code == 200 and 'id="unsubscribed"' in page.text
        preference = preferences.find_preference(receipt.dossier.id)
        assert (preference.email_enabled, preference.sms_enabled, preference.updated_via) == (False, True,
                                                                                                "unsubscribe")
        assert client.get(f"/thong-bao/huy/{token[:-3]}xyz").status_code == 404
