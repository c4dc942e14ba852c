"""Catalogue administration through the Flask app: list, edit, CSV/XLSX import."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook

from app.catalog.services import find_procedure, get_procedure
from app.extensions import db
from tests.factories.auth import AgencyFactory, UserFactory
from tests.world import load_world

CSV_HEADER = "code,name_vi,agency_code,legal_days,process_key,online_level,return_methods,documents,fee_vnd\n"


@pytest.fixture
def admin(auth):
    load_world()
    UserFactory(username="boss", with_roles=[("admin", None)])
    db.session.commit()
    auth.login("boss")


def upload(client, name: str, content: bytes):
    return client.post("/catalog/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


class TestCatalogPages:
    def test_list_shows_procedures_and_accent_insensitive_search(self, client, admin):
        page = client.get("/catalog/?q=giay phep lao dong")
        assert page.status_code == 200
        assert "1.014199" in page.text and "1.001193" not in page.text

    def test_admin_edits_time_limit_and_cutoff(self, client, admin):
        response = client.post("/catalog/1.014199", data={
            "name_vi": "Cấp giấy phép lao động", "legal_days": "7", "deadline_policy": "civil", "cutoff": "15:00",
            "online_level": "full", "return_methods": ["counter", "post"], "process_key": "work_permit",
            "is_active": "y"})
        assert response.status_code == 302
        procedure = get_procedure("1.014199")
        assert float(procedure.legal_days) == 7 and procedure.cutoff == "15:00"
        assert procedure.deadline_policy.value == "civil" and procedure.return_methods == ["counter", "post"]

    def test_invalid_cutoff_is_shown_in_place(self, client, admin):
        response = client.post("/catalog/1.014199", data={
            "name_vi": "X", "legal_days": "5", "deadline_policy": "hours", "cutoff": "25:99",
            "online_level": "full", "return_methods": ["counter"], "process_key": "work_permit"})
        assert response.status_code == 200 and "is-invalid" in response.text
        assert get_procedure("1.014199").cutoff is None

    def test_officials_cannot_open_the_catalogue(self, client, auth):
        UserFactory(username="cv", with_roles=[("specialist", AgencyFactory())])
        db.session.commit()
        auth.login("cv")
        assert client.get("/catalog/").status_code == 403


class TestImport:
    def test_csv_import_creates_procedures_with_documents_and_fee(self, client, admin):
        content = (CSV_HEADER + '9.000001,Cấp phép thử nghiệm,H38.SXD,10,work_permit,partial,"counter,post",'
                   '"Đơn đề nghị; Bản vẽ thiết kế",150000\n').encode()
        page = upload(client, "catalog.csv", content)
        assert "Đã nhập 1 thủ tục" in page.text
        procedure = get_procedure("9.000001")
        assert [d.name_vi for d in procedure.documents] == ["Đơn đề nghị", "Bản vẽ thiết kế"]
        assert procedure.total_fee == 150000 and procedure.return_methods == ["counter", "post"]

    def test_xlsx_import_is_accepted(self, client, admin):
        book = Workbook()
        sheet = book.active
        sheet.append(["code", "name_vi", "agency_code", "legal_days", "process_key"])
        sheet.append(["9.000002", "Thủ tục từ Excel", "H38.STP", 3, "birth_registration"])
        buffer = io.BytesIO()
        book.save(buffer)
        upload(client, "catalog.xlsx", buffer.getvalue())
        assert float(get_procedure("9.000002").legal_days) == 3

    def test_bad_row_aborts_the_whole_import_with_its_line_number(self, client, admin):
        content = (CSV_HEADER + "9.000003,Tốt,H38.SXD,5,work_permit,partial,counter,,0\n"
                   "9.000004,Xấu,KHONG-CO,5,work_permit,partial,counter,,0\n").encode()
        page = upload(client, "catalog.csv", content)
        assert "Dòng 3" in page.text
        assert find_procedure("9.000003") is None and find_procedure("9.000004") is None


PERMIT_FORM = {"name_vi": "Cấp giấy phép lao động", "legal_days": "10", "deadline_policy": "hours",
               "online_level": "full", "return_methods": ["counter"], "process_key": "work_permit",
               "competence": "fixed", "is_active": "y"}


class TestLegalSettingsOfAVersion:  # issue 20c: competence, limits and effective dates are editable
    def test_admin_sets_same_day_two_outcome_limits_competence_and_dates(self, client, admin):
        response = client.post("/catalog/1.014199", data={
            **PERMIT_FORM, "legal_days": "0", "refusal_days": "0", "supplement_days": "1.5", "verification_days": "5",
            "competence": "fixed", "legal_basis": "Nghị định 219/2025/NĐ-CP",
            "effective_from": "2025-08-07", "effective_to": "2030-12-31"})
        assert response.status_code == 302, response.text
        p = get_procedure("1.014199")
        assert (float(p.legal_days), float(p.refusal_days), float(p.supplement_days)) == (0, 0, 1.5)
        assert float(p.verification_days) == 5
        assert p.competence.value == "fixed" and p.legal_basis == "Nghị định 219/2025/NĐ-CP"
        assert (p.effective_from.isoformat(), p.effective_to.isoformat()) == ("2025-08-07", "2030-12-31")

    def test_fractions_are_kept(self, client, admin):
        assert client.post("/catalog/1.014199", data={**PERMIT_FORM, "legal_days": "0.5",
                                                      "refusal_days": "0.25"}).status_code == 302
        assert float(get_procedure("1.014199").legal_days) == 0.5

    @pytest.mark.parametrize(("extra", "field"), [
        ({"refusal_days": "12"}, "refusal_days"),  # refusing may not take longer than granting
        ({"effective_from": "2026-05-01", "effective_to": "2026-04-30"}, "effective_to"),
        ({"legal_days": "-1"}, "legal_days"),
        ({"competence": "anywhere"}, "competence"),
    ])
    def test_inconsistent_values_are_refused_in_place(self, client, admin, extra, field):
        before = get_procedure("1.014199")
        limits = (before.legal_days, before.refusal_days, before.effective_to)
        response = client.post("/catalog/1.014199", data={**PERMIT_FORM, **extra})
        assert response.status_code == 200
        assert re.search(rf'id="{field}"[^>]*is-invalid|is-invalid[^>]*id="{field}"', response.text), field
        db.session.expire_all()
        after = get_procedure("1.014199")
        assert (after.legal_days, after.refusal_days, after.effective_to) == limits

    def test_an_old_version_is_edited_by_its_number_and_versions_may_not_overlap(self, client, admin):
        from app.catalog.services import upsert_procedure, versions_of

        current = get_procedure("1.001193")
        current.effective_to = date(2026, 3, 31)
        upsert_procedure(None, {"code": "1.001193", "version": 2, "name_vi": "Đăng ký khai sinh (2026)",
                                "agency_code": "14797", "legal_days": 0, "process_id": "birth_registration",
                                "level": "commune", "competence": "residence", "effective_from": "2026-04-01"}, {})
        db.session.commit()
        page = client.get("/catalog/1.001193?version=1")
        assert 'value="2026-03-31"' in page.text
        form = {"name_vi": current.name_vi, "legal_days": "0", "deadline_policy": "hours", "online_level": "partial",
                "return_methods": ["counter"], "process_key": "birth_registration", "competence": "residence",
                "is_active": "y"}
        overlap = client.post("/catalog/1.001193?version=1", data={**form, "effective_to": "2026-04-15"})
        assert overlap.status_code == 200 and "phiên bản 2" in overlap.text
        ok = client.post("/catalog/1.001193?version=1", data={**form, "effective_to": "2026-03-20"})
        assert ok.status_code == 302
        db.session.expire_all()
        assert [p.effective_to for p in versions_of("1.001193")] == [date(2026, 3, 20), None]


class TestTimeLimitWording:
    """A time limit reads as people say it: 0 is "trong ngày" (same day), a half day "0,5 ngày làm việc"."""

    @pytest.mark.parametrize(("days", "shown"), [("0", "trong ngày"), ("0.5", "0,5 ngày làm việc"),
                                                 ("7", "7 ngày làm việc")])
    def test_catalogue_and_citizen_list(self, client, admin, days, shown):
        procedure = get_procedure("1.014199")
        procedure.legal_days = days
        db.session.commit()
        row = re.search(r"1\.014199.*?</tr>", client.get("/catalog/").text, re.S).group(0)
        assert shown in row and "0 ngày làm việc" not in row.replace("0,5 ngày", "")

    def test_english(self, client, admin):
        get_procedure("1.014199").legal_days = "0"
        db.session.commit()
        with client.session_transaction() as session:
            session["lang"] = "en"
        assert "within the day" in client.get("/catalog/").text
