"""Catalogue administration through the Flask app: list, edit, CSV/XLSX import."""
from __future__ import annotations

import io

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
