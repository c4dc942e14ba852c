"""Issue 16: the statistics dashboard — scoped to the viewer's agencies, filters in the URL, CSV and XLSX."""
from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from tests.functional.ui_world import clock, desk, officials, world  # noqa: F401

PERMIT, BIRTH = "1.014199", "1.001193"


def _history(desk, clock):  # noqa: F811
    """Two work permits (one returned early) at the department, one birth registration at a commune."""
    clock("2026-03-02 09:00")
    finished = desk.receive(PERMIT).dossier
    desk.receive(PERMIT)
    desk.receive(BIRTH, "14797")
    desk.run_to_end(finished)
    clock("2026-03-20 09:00")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


class TestDashboard:
    def test_leader_sees_the_department_figures_and_no_one_elses(self, desk, officials, clock):  # noqa: F811
        _history(desk, clock)
        client = officials.login("lanhdao.snv")
        page = client.get("/thong-ke/?from=2026-03-01&to=2026-03-31")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Thống kê giải quyết hồ sơ" in html and 'value="01/03/2026"' in html
        assert '<div class="fs-5" data-measure="total">2</div>' in html
        assert '<div class="fs-5" data-measure="early">1</div>' in html
        assert '<div class="fs-5" data-measure="overdue_open">1</div>' in html
        agency = _rows(client.get("/thong-ke/agency.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))
        assert agency[0][:2] == ["Đơn vị", "Tiếp nhận"]
        names = [row[0].strip() for row in agency[1:]]
        assert "Sở Nội vụ" in " ".join(names) and not any("Hạc Thành" in n for n in names)
        department = next(row for row in agency[1:] if "Sở Nội vụ" in row[0])
        columns = dict(zip(agency[0], department, strict=True))
        assert (columns["Tiếp nhận"], columns["Trước hạn"], columns["Quá hạn"], columns["Tỷ lệ đúng hạn (%)"]) == (
            "2", "1", "1", "100.0")

    def test_online_payment_and_digitised_shares(self, desk, officials, clock):  # noqa: F811
        """Of the 2 permits (both at the counter): one paid through the gateway, the other's fee taken in cash
        (not online): 50 % paid online of the 2 with a payment order; one has a scanned intake document: 50 %."""
        from datetime import UTC, datetime

        from sqlalchemy import select

        from app.documents.models import Attachment
        from app.dossiers.models import Dossier
        from app.extensions import db
        from app.payments.models import Payment, PaymentStatus

        _history(desk, clock)
        permits = db.session.scalars(select(Dossier).join(Dossier.procedure).where(
            Dossier.procedure.has(code=PERMIT)).order_by(Dossier.id)).all()
        due = datetime(2026, 3, 9, tzinfo=UTC)
        for n, (dossier, by) in enumerate(zip(permits, ("notify", "counter"), strict=True)):
            db.session.add(Payment(dossier_id=dossier.id, reference=f"P{n}", amount_vnd=1000,
                                   status=PaymentStatus.PAID, confirmed_by=by, expires_at=due))
        db.session.add(Attachment(dossier_id=permits[0].id, stage="intake", original_name="a.pdf", content_hash="a",
                                  media_type="application/pdf", size=1, is_digitised=True))
        db.session.commit()
        html = officials.login("lanhdao.snv").get("/thong-ke/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
        assert '<td data-share="paid_online">50.0 %</td>' in html
        assert '<td data-share="digitised">50.0 %</td>' in html
        assert "Chưa ghi nhận" not in html

    def test_tables_by_procedure_channel_and_month_as_xlsx(self, desk, officials, clock):  # noqa: F811
        _history(desk, clock)
        client = officials.login("giamsat.tinh")
        response = client.get("/thong-ke/month.xlsx?from=2026-02-01&to=2026-03-31")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0].startswith("Theo tháng") and "01/02/2026" in rows[0][0]
        assert [r[0] for r in rows[2:]] == ["02/2026", "03/2026"] and [r[1] for r in rows[2:]] == [0, 3]
        procedure = _rows(client.get("/thong-ke/procedure.csv?from=2026-03-01&to=2026-03-31&procedure=1.014199")
                          .get_data(as_text=True))
        assert [row[0].split()[0] for row in procedure[1:]] == [PERMIT] and procedure[1][1] == "2"
        channel = _rows(client.get("/thong-ke/channel.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))
        assert [(row[0], row[1]) for row in channel[1:]] == [("Tại quầy", "3")]

    def test_table_by_step_as_csv_and_xlsx(self, desk, officials, clock):  # noqa: F811
        """The three intakes (done at once, due the same day: on time) at the center and the commune; the permit
        run to the end: appraisal and approval done days before their due day (early), stamping on its due day
        (2 hours: on time), return at the center early. The department's leader sees its own middle steps only."""
        _history(desk, clock)
        client = officials.login("giamsat.tinh")
        steps = _rows(client.get("/thong-ke/step.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))
        assert steps[0] == ["Bước", "Bước đã hoàn thành", "Trước hạn", "Đúng hạn", "Trễ hạn", "Tỷ lệ đúng hạn (%)"]
        assert steps[1:] == [["Tiếp nhận", "3", "0", "3", "0", "100.0"], ["Thẩm định", "1", "1", "0", "0", "100.0"],
                             ["Phê duyệt", "1", "1", "0", "0", "100.0"],
                             ["Đóng dấu, phát hành", "1", "0", "1", "0", "100.0"],
                             ["Trả kết quả", "1", "1", "0", "0", "100.0"]]
        sheet = load_workbook(io.BytesIO(client.get("/thong-ke/step.xlsx?from=2026-03-01&to=2026-03-31").data)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0].startswith("Theo bước xử lý") and rows[2] == ("Tiếp nhận", 3, 0, 3, 0, 100.0)
        html = client.get("/thong-ke/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
        assert 'id="stats-step"' in html and "Đóng dấu, phát hành" in html
        charts = json.loads(html.split('id="stats-charts">')[1].split("</script>")[0])
        assert charts["step"]["labels"][0] == "Tiếp nhận"
        assert [(s["name"], s["data"]) for s in charts["step"]["series"]] == [
            ("Trước hạn", [0, 1, 1, 0, 1]), ("Đúng hạn", [3, 0, 0, 1, 0]), ("Trễ hạn", [0, 0, 0, 0, 0])]
        april = _rows(client.get("/thong-ke/step.csv?from=2026-04-01&to=2026-04-30").get_data(as_text=True))
        assert {row[1] for row in april[1:]} == {"0"}
        leader = _rows(officials.login("lanhdao.snv").get("/thong-ke/step.csv?from=2026-03-01&to=2026-03-31")
                       .get_data(as_text=True))
        assert [row[:2] for row in leader[1:]] == [["Tiếp nhận", "0"], ["Thẩm định", "1"], ["Phê duyệt", "1"],
                                                   ["Đóng dấu, phát hành", "1"], ["Trả kết quả", "0"]]
        assert leader[1][-1] == ""  # no step done: no rate

    def test_receivers_have_no_dashboard_and_unknown_tables_are_404(self, officials, world):  # noqa: F811
        assert officials.login("tiepnhan").get("/thong-ke/").status_code == 403
        assert officials.login("giamsat.tinh").get("/thong-ke/nope.csv").status_code == 404


class TestPeriodicReport:
    """The report of handling results for the department: March receives two permits, April carries one over."""

    def test_month_report_as_html_xlsx_and_pdf(self, desk, officials, clock):  # noqa: F811
        _history(desk, clock)
        client = officials.login("lanhdao.snv")
        html = client.get("/thong-ke/bao-cao?kind=month&n=3&year=2026&agency=H38.SNV").get_data(as_text=True)
        assert "Tháng 03/2026 (từ 01/03/2026 đến 31/03/2026)" in html and "[unsure]" in html
        assert "THỦ TRƯỞNG ĐƠN VỊ" in html and "NGƯỜI LẬP BIỂU" in html
        book = load_workbook(io.BytesIO(client.get(
            "/thong-ke/bao-cao.xlsx?kind=month&n=3&year=2026&agency=H38.SNV").data)).active
        rows = list(book.iter_rows(values_only=True))
        line = next(r for r in rows if r[0] == 1)
        # total, online, counter, carried over | finished, early, on time, late | open, in time, overdue
        assert line[2].startswith(PERMIT) and list(line[3:]) == [2, 0, 2, 0, 1, 1, 0, 0, 1, 0, 1]
        assert any(r[1] == "NGƯỜI LẬP BIỂU" for r in rows)
        pdf = client.get("/thong-ke/bao-cao.pdf?kind=month&n=3&year=2026&agency=H38.SNV")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    def test_next_month_carries_the_open_dossier_over(self, desk, officials, clock):  # noqa: F811
        _history(desk, clock)
        clock("2026-05-04 09:00")
        client = officials.login("lanhdao.snv")
        rows = list(load_workbook(io.BytesIO(client.get(
            "/thong-ke/bao-cao.xlsx?kind=month&n=4&year=2026&agency=H38.SNV").data)).active.iter_rows(values_only=True))
        line = next(r for r in rows if r[0] == 1)
        assert list(line[3:]) == [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1]

    def test_quarter_and_year_periods(self, officials, world):  # noqa: F811
        client = officials.login("giamsat.tinh")
        assert "Quý I/2026 (từ 01/01/2026 đến 31/03/2026)" in client.get(
            "/thong-ke/bao-cao?kind=quarter&n=1&year=2026").get_data(as_text=True)
        assert "Năm 2025 (từ 01/01/2025 đến 31/12/2025)" in client.get(
            "/thong-ke/bao-cao?kind=year&year=2025").get_data(as_text=True)
