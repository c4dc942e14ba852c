"""Citizen notifications: queued with each status change in the same transaction, delivered by the scheduler."""
from __future__ import annotations

import json
import smtplib
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from app.auth.services import get_agency_by_code
from app.catalog.services import get_procedure
from app.core.db import utcnow
from app.dossiers.intake import receive_dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.extensions import db
from app.notify.services import MAX_ATTEMPTS, deliver_pending, list_notifications
from app.scheduler.jobs import deliver_notifications
from tests.factories.organisation import PASSWORD
from tests.integration.dossiers.conftest import Desk, official

pytest_plugins = ["tests.integration.dossiers.conftest"]
REAL_SMTP = smtplib.SMTP  # captured before the suite's disallow_outbound fixture replaces it


def receive_with_contacts(email: str | None = "an@example.vn", phone: str | None = "0912345678"):
    procedure = get_procedure("1.014199")
    agency = get_agency_by_code("H38.TTPVHCC")
    intake = IntakeInput(procedure_code=procedure.code, received_documents=[d.id for d in procedure.documents],
                         applicant=ApplicantInput(name="Nguyễn Văn An", id_number="038090001234", phone=phone,
                                                  email=email),
                         form_data=Desk().intake_data(procedure.code))
    dossier = receive_dossier(official("receiver", agency.id), agency, intake).dossier
    db.session.commit()
    return dossier


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app, monkeypatch):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    yield recorder
    app.config.update(SMTP_HOST=None, SMTP_PORT=25)
    controller.stop()


@pytest.fixture
def sms_gateway(app):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server hook name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["SMS_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/sms"
    yield received
    app.config["SMS_WEBHOOK_URL"] = None
    server.shutdown()


class TestQueue:
    def test_receipt_queues_one_message_per_contact_with_the_appointment(self, app, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts()
        rows = list_notifications(dossier.id)
        assert sorted((r.channel, r.event_kind) for r in rows) == [("email", "received"), ("sms", "received")]
        assert {r.status for r in rows} == {"pending"} and {r.body for r in rows} == {""}  # worded when sent
        assert rows[0].context["code"] == dossier.code and rows[0].context["due"] == "16/03/2026 09:00"
        deliver_notifications(app)  # no gateway configured: skipped, but worded as it would have been sent
        for row in list_notifications(dossier.id):
            db.session.refresh(row)
            assert dossier.code in row.body and "16/03/2026 09:00" in row.body and row.language == "vi"

    def test_no_contact_means_no_message(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(email=None, phone=None)
        assert list_notifications(dossier.id) == []

    def test_a_rolled_back_action_leaves_no_message(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(phone=None)
        task = desk.task(dossier, "appraisal")
        from app.dossiers import lifecycle

        lifecycle.complete_task(official(task.role, task.agency_id), task.id,
                                {"decision": "supplement", "opinion": "Thiếu", "supplement_items": "Hộ chiếu"})
        assert [r.event_kind for r in list_notifications(dossier.id)][-1] == "supplement_requested"
        db.session.rollback()
        assert [r.event_kind for r in list_notifications(dossier.id)] == ["received"]

    def test_the_citizen_hears_of_the_supplement_the_result_and_the_return(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(phone=None)
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu công chứng")
        clock("2026-03-03 09:00")
        from app.dossiers import lifecycle

        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Bản sao hộ chiếu công chứng"])
        db.session.commit()
        desk.run_to_end(dossier)
        kinds = [r.event_kind for r in list_notifications(dossier.id)]
        assert kinds == ["received", "supplement_requested", "supplement_received", "result_ready", "returned",
                         "rating_invitation"]
        assert list_notifications(dossier.id)[1].context["items"] == "Bản sao hộ chiếu công chứng"


class TestDelivery:
    def test_email_is_delivered_through_smtp(self, app, desk, clock, smtp_server):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(phone=None)
        assert deliver_notifications(app) == {"sent": 1}
        assert smtp_server.messages[0].rcpt_tos == ["an@example.vn"]
        assert dossier.code.encode() in smtp_server.messages[0].content
        row = list_notifications(dossier.id)[0]
        db.session.refresh(row)
        assert row.status == "sent" and row.sent_at is not None

    def test_sms_goes_to_the_gateway_webhook(self, app, desk, clock, sms_gateway):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(email=None)
        assert deliver_notifications(app) == {"sent": 1}
        assert sms_gateway[0]["to"] == "0912345678" and dossier.code in sms_gateway[0]["text"]

    def test_unreachable_gateway_is_retried_with_backoff_then_given_up(self, app, desk, clock):
        app.config["SMS_WEBHOOK_URL"] = f"http://127.0.0.1:{free_port()}/sms"  # nothing listens there
        try:
            clock("2026-03-02 09:00")
            dossier = receive_with_contacts(email=None)
            now = utcnow()
            for attempt in range(1, MAX_ATTEMPTS + 1):
                deliver_pending(now)
                row = list_notifications(dossier.id)[0]
                assert row.attempts == attempt and row.last_error
                now = row.next_attempt_at + timedelta(seconds=1)
            assert row.status == "failed"
        finally:
            app.config["SMS_WEBHOOK_URL"] = None

    @pytest.mark.parametrize(("status", "outcome"), [(400, "failed"), (422, "failed"), (429, "pending"),
                                                     (503, "pending")])
    def test_a_gateway_refusing_the_message_is_not_retried(self, app, desk, clock, status, outcome):
        class Refusing(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server hook name
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Refusing)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        app.config["SMS_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/sms"
        try:
            clock("2026-03-02 09:00")
            dossier = receive_with_contacts(email=None)
            deliver_pending(utcnow())
            row = list_notifications(dossier.id)[0]
            assert (row.status, row.attempts) == (outcome, 1)  # 4xx: a dead letter at once; 429/5xx: retried
            assert row.last_error.startswith("permanent: ") is (outcome == "failed")
        finally:
            app.config["SMS_WEBHOOK_URL"] = None
            server.shutdown()

    def test_channel_without_gateway_is_skipped_not_retried(self, app, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts()
        assert deliver_notifications(app) == {"skipped": 2}
        assert deliver_notifications(app) == {}
        assert {r.last_error for r in list_notifications(dossier.id)} == {"MOTCUA_SMTP_HOST is not set",
                                                                          "MOTCUA_SMS_WEBHOOK_URL is not set"}


class TestDossierPage:
    def test_officials_see_what_the_applicant_was_told(self, app, client, auth, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(phone=None)
        auth.login("tiepnhan", PASSWORD)
        page = client.get(f"/dossiers/{dossier.code}")
        assert page.status_code == 200
        assert "Thông báo cho người nộp" in page.text and "Tiếp nhận hồ sơ · " in page.text
        assert "đang chờ gửi" in page.text
        deliver_notifications(app)
        page = client.get(f"/dossiers/{dossier.code}")
        assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page.text and "chưa cấu hình kênh" in page.text
