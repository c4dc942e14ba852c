"""Issue 13.4 and 13.5: officials see their own agency only; auditors and supervisors read but never write;
supervisors see personal data masked unless they give a reason, which is logged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import AuthEvent
from app.auth.services import RoleGrant, create_user, get_agency_by_code
from app.extensions import db
from app.history.models import DossierEvent
from tests.functional.ui_world import DEMO_PASSWORD

BIRTH = "1.001193"  # a commune procedure, received at phường Hạc Thành (14797)
ID_NUMBER, PHONE = "038090001234", "0912345678"


@pytest.fixture
def commune_dossier(desk, at_office):
    return desk.receive(BIRTH, "14797").dossier


@pytest.fixture
def supervisor(world):
    return "giamsat.tinh"  # the supervisor of the whole province (supervisor@38)


@pytest.fixture
def commune_auditor(world):
    create_user(None, username="thanhtra.xa", full_name="Thanh tra phường", password=DEMO_PASSWORD,
                grants=[RoleGrant("auditor", "14797")])
    db.session.commit()
    return "thanhtra.xa"


def _comments(dossier) -> int:
    return len(db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                             DossierEvent.kind == "comment")).all())


class TestOfficialsOwnAgencyOnly:
    def test_province_leader_cannot_open_a_commune_dossier(self, officials, commune_dossier):
        client = officials.login("lanhdao.tinh")
        assert client.get(f"/dossiers/{commune_dossier.code}").status_code == 404

    def test_province_leader_cannot_comment_on_a_commune_dossier(self, officials, commune_dossier):
        client = officials.login("lanhdao.tinh")
        response = client.post(f"/dossiers/{commune_dossier.code}/comments", data={"comment-text": "xem"})
        assert response.status_code == 404 and _comments(commune_dossier) == 0

    def test_province_leader_does_not_list_commune_dossiers_over_the_api(self, officials, commune_dossier,
                                                                         client):
        from tests.functional.api.conftest import token_for

        headers = {"Authorization": f"Bearer {token_for('lanhdao.tinh')}"}
        listed = client.get("/api/v1/dossiers", headers=headers).get_json()
        assert commune_dossier.code not in [d["code"] for d in listed["items"]]
        assert client.get(f"/api/v1/dossiers/{commune_dossier.code}", headers=headers).status_code == 404

    def test_commune_official_still_sees_and_comments(self, officials, commune_dossier):
        client = officials.login("hacthanh")
        page = client.get(f"/dossiers/{commune_dossier.code}")
        assert page.status_code == 200 and ID_NUMBER in page.text
        assert client.post(f"/dossiers/{commune_dossier.code}/comments",
                           data={"comment-text": "ok"}).status_code == 302


class TestAuditorsAreReadOnly:
    def test_auditor_reads_but_cannot_comment(self, officials, commune_dossier):
        client = officials.login("auditor")
        page = client.get(f"/dossiers/{commune_dossier.code}")
        assert page.status_code == 200 and "Gửi trao đổi" not in page.text
        response = client.post(f"/dossiers/{commune_dossier.code}/comments", data={"comment-text": "sửa"})
        assert response.status_code == 403 and _comments(commune_dossier) == 0

    def test_auditor_cannot_act_over_the_api(self, desk, commune_dossier, client):
        from tests.functional.api.conftest import token_for

        headers = {"Authorization": f"Bearer {token_for('auditor')}"}
        task = desk.task(commune_dossier)
        assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=headers, json={}).status_code == 403
        response = client.post(f"/api/v1/dossiers/{commune_dossier.code}/withdraw", headers=headers,
                               json={"reason": "thử", "channel": "counter"})
        assert response.status_code == 403

    def test_commune_auditor_does_not_reach_other_communes(self, officials, desk, at_office, commune_auditor):
        other = desk.receive(BIRTH, "15880").dossier
        client = officials.login(commune_auditor)
        assert client.get(f"/audit/dossiers/{other.code}").status_code == 403
        assert client.get(f"/dossiers/{other.code}").status_code == 404


class TestSupervisor:
    def test_supervisor_sees_the_subtree_with_personal_data_masked(self, officials, commune_dossier, supervisor):
        client = officials.login(supervisor)
        page = client.get(f"/dossiers/{commune_dossier.code}")
        assert page.status_code == 200
        assert ID_NUMBER not in page.text and PHONE not in page.text and "•••34" in page.text
        assert "Gửi trao đổi" not in page.text and "Xem thông tin cá nhân" in page.text

    def test_supervision_list_shows_subtree_dossiers_without_personal_data(self, officials, commune_dossier,
                                                                             supervisor):
        page = officials.login(supervisor).get("/supervision")
        assert page.status_code == 200 and commune_dossier.code in page.text
        assert ID_NUMBER not in page.text and PHONE not in page.text

    def test_supervision_list_is_for_supervisors(self, officials, commune_dossier):
        assert officials.login("hacthanh").get("/supervision").status_code == 403

    def test_supervisor_cannot_comment(self, officials, commune_dossier, supervisor):
        client = officials.login(supervisor)
        response = client.post(f"/dossiers/{commune_dossier.code}/comments", data={"comment-text": "x"})
        assert response.status_code == 403 and _comments(commune_dossier) == 0

    def test_opening_with_a_reason_unmasks_for_this_session_and_is_logged(self, officials, commune_dossier,
                                                                          supervisor):
        client = officials.login(supervisor)
        short = client.post(f"/dossiers/{commune_dossier.code}/disclose", data={"disclose-reason": "xem"})
        assert short.status_code in (302, 422)
        assert ID_NUMBER not in client.get(f"/dossiers/{commune_dossier.code}").text
        reason = "Xác minh khiếu nại số 12/2026 của công dân"
        response = client.post(f"/dossiers/{commune_dossier.code}/disclose", data={"disclose-reason": reason})
        assert response.status_code == 302
        assert ID_NUMBER in client.get(f"/dossiers/{commune_dossier.code}").text
        logged = db.session.scalar(select(AuthEvent).where(AuthEvent.kind == "personal_data_opened"))
        assert logged.detail == f"{commune_dossier.code}: {reason}"
        assert logged.agency_id == commune_dossier.receiving_agency_id
        client = officials.login(supervisor)  # a new session: masked again
        assert ID_NUMBER not in client.get(f"/dossiers/{commune_dossier.code}").text

    def test_supervisor_outside_the_subtree_is_refused(self, officials, commune_dossier, world):
        create_user(None, username="giamsat.xa", full_name="Giám sát xã", password=DEMO_PASSWORD,
                    grants=[RoleGrant("supervisor", "15880")])
        db.session.commit()
        client = officials.login("giamsat.xa")
        assert client.get(f"/dossiers/{commune_dossier.code}").status_code == 404
        assert client.post(f"/dossiers/{commune_dossier.code}/disclose",
                           data={"disclose-reason": "lý do đủ dài để ghi"}).status_code == 404

    def test_supervisor_api_detail_and_list_are_masked(self, commune_dossier, supervisor, client):
        from tests.functional.api.conftest import token_for

        headers = {"Authorization": f"Bearer {token_for(supervisor)}"}
        detail = client.get(f"/api/v1/dossiers/{commune_dossier.code}", headers=headers).get_json()
        assert detail["applicant"]["id_number"] != ID_NUMBER and detail["applicant"]["phone"] != PHONE
        listed = client.get("/api/v1/dossiers", headers=headers).get_json()["items"]
        assert [d["applicant"]["id_number"] for d in listed if d["code"] == commune_dossier.code] == ["•••34"]

    def test_supervisor_sees_statistics_of_the_subtree(self, commune_dossier, supervisor, client):
        from tests.functional.api.conftest import token_for

        headers = {"Authorization": f"Bearer {token_for(supervisor)}"}
        stats = client.get("/api/v1/stats?start=2026-03-01&end=2026-03-31", headers=headers)
        assert stats.status_code == 200, stats.text
        body = stats.get_json()
        assert body["overall"]["total"] >= 1
        assert get_agency_by_code("14797").code in [row["agency_code"] for row in body["by_agency"]]
