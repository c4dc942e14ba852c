"""Auditor screens through HTTP: scope, read-only replay, verify / re-execute buttons, export, access log."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditAccess
from app.auth.services import get_agency_by_code
from app.extensions import db
from app.history.models import DossierEvent
from tests.dbutil import run_as_dba
from tests.factories.auth import UserFactory


@pytest.fixture
def dossier(desk, clock):
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.014199").dossier
    desk.complete(dossier, "appraisal")
    return dossier


@pytest.fixture
def auditor(world):
    user = UserFactory(username="thanhtra", with_roles=[("auditor", None)])
    db.session.commit()
    return user


def _login(auth, username):
    assert auth.login(username).status_code == 302


class TestReplayPage:
    def test_auditor_sees_every_event_with_the_diagram_data_and_the_chain_status(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        page = client.get(f"/audit/dossiers/{dossier.code}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert html.count('class="replay-frame"') == dossier.event_seq
        assert 'id="replay-data"' in html and "bpmn:definitions" in html
        assert "Chuỗi băm toàn vẹn" in html and "Chạy lại khớp" in html
        assert 'id="replay-slider"' in html and f'max="{dossier.event_seq}"' in html

    def test_every_auditor_view_is_logged(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        client.get("/audit/?q=H38")
        client.get(f"/audit/dossiers/{dossier.code}")
        client.post(f"/audit/dossiers/{dossier.code}/verify")
        rows = list(db.session.scalars(select(AuditAccess).order_by(AuditAccess.id)))
        assert [r.action for r in rows] == ["search", "replay", "verify"]
        assert rows[1].dossier_id == dossier.id and rows[1].user_id == auditor.id
        assert rows[0].detail == "H38" and rows[2].detail == "ok"

    def test_an_official_is_refused(self, client, auth, dossier):
        UserFactory(username="cv", with_roles=[("specialist", get_agency_by_code("H38.SNV"))])
        db.session.commit()
        _login(auth, "cv")
        assert client.get(f"/audit/dossiers/{dossier.code}").status_code == 403

    def test_an_auditor_scoped_to_another_agency_is_refused(self, client, auth, dossier):
        UserFactory(username="thanhtra.xa", with_roles=[("auditor", get_agency_by_code("14797"))])
        db.session.commit()
        _login(auth, "thanhtra.xa")
        assert client.get(f"/audit/dossiers/{dossier.code}").status_code == 403
        assert dossier.code not in client.get("/audit/").get_data(as_text=True)

    def test_an_auditor_scoped_to_the_province_sees_it(self, client, auth, dossier):
        province = get_agency_by_code("H38.TTPVHCC").parent
        UserFactory(username="thanhtra.tinh", with_roles=[("auditor", province)])
        db.session.commit()
        _login(auth, "thanhtra.tinh")
        assert dossier.code in client.get("/audit/").get_data(as_text=True)
        assert client.get(f"/audit/dossiers/{dossier.code}").status_code == 200


class TestButtons:
    def test_verify_reports_an_intact_chain_then_the_deleted_event(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        ok = client.post(f"/audit/dossiers/{dossier.code}/verify", follow_redirects=True)
        assert "Chuỗi sự kiện toàn vẹn" in ok.get_data(as_text=True)
        event_id = db.session.scalar(select(DossierEvent.id).where(DossierEvent.dossier_id == dossier.id,
                                                                   DossierEvent.seq == 2))
        run_as_dba("DELETE FROM dossier_events WHERE id = :id", id=event_id)
        broken = client.post(f"/audit/dossiers/{dossier.code}/verify", follow_redirects=True)
        assert "Sự kiện #2 đã bị xóa" in broken.get_data(as_text=True)

    def test_reexecute_button_reports_verified(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        page = client.post(f"/audit/dossiers/{dossier.code}/reexecute", follow_redirects=True)
        assert "Đã xác minh" in page.get_data(as_text=True)

    def test_export_downloads_a_bundle(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        response = client.get(f"/audit/dossiers/{dossier.code}/bundle.zip")
        assert response.status_code == 200 and response.mimetype == "application/zip"
        assert "case.json" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()

    def test_buttons_refuse_get(self, client, auth, auditor, dossier):
        _login(auth, "thanhtra")
        assert client.get(f"/audit/dossiers/{dossier.code}/verify").status_code == 405


class TestAdminPages:
    def test_admin_sees_retention_list_and_access_log_auditors_do_not(self, client, auth, auditor, dossier):
        UserFactory(username="quantri", with_roles=[("admin", None)])
        db.session.commit()
        _login(auth, "thanhtra")
        assert client.get("/audit/retention").status_code == 403
        client.get(f"/audit/dossiers/{dossier.code}")
        auth.logout()
        _login(auth, "quantri")
        assert "Hồ sơ đến hạn lưu trữ" in client.get("/audit/retention").get_data(as_text=True)
        log = client.get("/audit/access-log").get_data(as_text=True)
        assert "thanhtra" in log and "replay" in log
