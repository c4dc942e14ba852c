"""A portal and the officials drive a dossier from online submission to rating, through HTTP only."""
from __future__ import annotations

import re

from app.extensions import db
from tests.factories.auth import UserFactory
from tests.factories.organisation import PASSWORD
from tests.functional.api.flows import WORK_PERMIT_OFFICIALS, submission, work_step

ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")


def token_from_profile_page(client, username: str, password: str) -> str:
    """Sign in, create a token on /profile/tokens, read it from the page, sign out."""
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    page = client.post("/profile/tokens/", data={"name": "scenario"})
    client.post("/logout")
    match = re.search(r'data-testid="new-token">(mc_[A-Za-z0-9_-]+)<', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)


class TestOnlineDossierThroughTheApi:
    def test_portal_submission_is_handled_in_five_steps_then_looked_up_and_rated(self, client, api, world):
        UserFactory(username="cong.dvc", full_name="Cổng dịch vụ công tỉnh")
        db.session.commit()
        api._tokens["cong.dvc"] = token_from_profile_page(client, "cong.dvc", "password-123")
        for username in set(WORK_PERMIT_OFFICIALS.values()):
            api._tokens[username] = token_from_profile_page(client, username, PASSWORD)

        response = api.post("/dossiers", submission(api), user="cong.dvc", headers={"Idempotency-Key": "portal-1"})
        assert response.status_code == 201, response.get_data(as_text=True)
        receipt = response.get_json()
        assert ISO_LOCAL.match(receipt["appointment_at"]) and re.fullmatch(r"\d{6}", receipt["pin"])
        code, pin = receipt["code"], receipt["pin"]

        steps = []
        for kind, username in WORK_PERMIT_OFFICIALS.items():
            result = work_step(api, username, code)
            steps.append(kind)
        assert result["dossier_status"] == "returned" and result["next_tasks"] == []

        lookup = api.post("/lookup", {"code": code, "pin": pin}).get_json()
        assert lookup["status"] == "returned" and lookup["status_vi"] == "Đã trả kết quả"
        assert lookup["applicant_initials"] == "N. V. A." and "Nguyễn" not in str(lookup)
        assert lookup["can_rate"] is True

        rating = api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "very_satisfied", "comment": "Nhanh"})
        assert rating.status_code == 201 and rating.get_json() == {"code": code, "rating": "very_satisfied"}
        assert api.post("/lookup", {"code": code, "pin": pin}).get_json()["rating"] == "very_satisfied"

        events = api.get(f"/dossiers/{code}/events", user="tiepnhan").get_json()["items"]
        kinds = [e["kind"] for e in events]
        assert kinds.count("task_completed") == 5 and kinds[0] == "received" and kinds[-1] == "rated"
