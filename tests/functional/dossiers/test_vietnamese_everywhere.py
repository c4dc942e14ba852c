"""English leaks (issue 14.4): WTForms messages, statuses, role and level codes, event kinds, the language switch
keeps the page, and the legal slips are always Vietnamese."""
from __future__ import annotations

from app.catalog.services import get_procedure
from tests.functional.dossiers.test_intake_views import intake_post
from tests.functional.ui_world import WORK_PERMIT


def _english(client):
    client.post("/lang/en", data={"next": "/"})
    return client


class TestMessages:
    def test_wtforms_messages_are_vietnamese(self, officials, at_office):
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = officials.login("tiepnhan").post(f"/counter/intake/{WORK_PERMIT}",
                                                    data=intake_post(docs, name=""))
        assert response.status_code == 422
        assert "Trường này là bắt buộc." in response.text and "This field is required" not in response.text

    def test_wtforms_messages_follow_an_english_ui(self, officials, at_office):
        client = _english(officials.login("tiepnhan"))
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = client.post(f"/counter/intake/{WORK_PERMIT}", data=intake_post(docs, name=""))
        assert "This field is required." in response.text


class TestCodes:
    def test_admin_lists_show_role_and_level_names_not_codes(self, officials):
        client = officials.login("admin")
        users = client.get("/admin/users").text
        assert "Chuyên viên" in users and ">specialist@" not in users
        agencies = client.get("/admin/agencies").text
        assert "Sở, ngành" in agencies and "<td>department</td>" not in agencies

    def test_audit_list_shows_status_names(self, officials, desk, at_office):
        desk.receive(WORK_PERMIT)
        page = officials.login("auditor").get("/audit/").text
        assert "Đang giải quyết" in page and "<td>processing</td>" not in page


class TestLanguageAndSlips:
    def test_language_switch_keeps_the_query_string(self, officials):
        client = officials.login("chuyenvien.snv")
        page = client.get("/inbox/?tab=queue&q=abc").text
        assert 'name="next" value="/inbox/?tab=queue&amp;q=abc"' in page
        response = client.post("/lang/en", data={"next": "/inbox/?tab=queue&q=abc"})
        assert response.headers["Location"].endswith("/inbox/?tab=queue&q=abc")

    def test_receipt_prints_in_vietnamese_when_the_ui_is_english(self, officials, desk, at_office):
        code = desk.receive(WORK_PERMIT).dossier.code
        client = _english(officials.login("tiepnhan"))
        assert "Inbox" in client.get("/inbox/").text or "Tasks" in client.get("/inbox/").text
        receipt = client.get(f"/dossiers/{code}/receipt").text
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt and 'lang="vi"' in receipt
