"""The periodic report of dossier handling results for a month, quarter or year (HTML, XLSX, PDF).

Form: "Tình hình, kết quả giải quyết thủ tục hành chính" per handling agency and procedure — Biểu mẫu II.06a
of Circular 01/2020/TT-VPCP [unsure: check the form number against the circular's appendix]. Columns: received
(total; online; at the counter; carried over), resolved (total; early; on time; late), in progress at the end
of the period (total; on time; overdue). The figures come from app.reports.services.handling_report.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import select

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.extensions import db
from app.reports import services
from app.reports.services import StatsFilter

FORM = "Biểu mẫu II.06a/VPCP/KSTT [unsure]"
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
HEAD = ("STT", "Đơn vị giải quyết", "Thủ tục", "Tổng tiếp nhận", "Trực tuyến", "Trực tiếp, bưu chính",
        "Kỳ trước chuyển qua", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn", "Đang giải quyết",
        "Trong hạn", "Quá hạn (đang giải quyết)")


@dataclass
class Period:
    kind: str  # month / quarter / year
    year: int
    number: int  # the month or quarter (1 for a year)

    @property
    def start(self) -> date:
        month = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.start
        last_month = first.month + months - 1
        nxt = date(first.year + (last_month // 12), last_month % 12 + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"Tháng {self.number:02d}/{self.year}"
        if self.kind == "quarter":
            return f"Quý {['I', 'II', 'III', 'IV'][self.number - 1]}/{self.year}"
        return f"Năm {self.year}"


def parse_period(args, today: date) -> Period:
    kind = args.get("kind", "month")
    kind = kind if kind in ("month", "quarter", "year") else "month"
    try:
        year = int(args.get("year", today.year))
        number = int(args.get("n", today.month if kind == "month" else (today.month - 1) // 3 + 1))
    except ValueError:
        year, number = today.year, 1
    limit = {"month": 12, "quarter": 4, "year": 1}[kind]
    return Period(kind, min(max(year, 2000), 2100), min(max(number, 1), limit) if kind != "year" else 1)


@dataclass
class Report:
    period: Period
    agency: Agency | None
    lines: list[list]  # HEAD columns
    total: list


def build(actor: User, period: Period, agency: Agency | None) -> Report:
    rows = services.handling_report(actor, StatsFilter(start=period.start, end=period.end, agency=agency))
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_({k[0] for k in rows})))}
    procedures = {p.id: p for p in db.session.scalars(select(Procedure).where(Procedure.id.in_({k[1] for k in rows})))}
    lines = []
    for (agency_id, procedure_id), row in sorted(rows.items(), key=lambda item: (
            agencies[item[0][0]].path if item[0][0] in agencies else "", procedures[item[0][1]].code)):
        c = row.received
        figures = [c.total + row.carried_over, c.online, c.total - c.online, row.carried_over, c.finished,
                   c.early, c.on_time, c.late, row.open_end, row.open_end - row.overdue_end, row.overdue_end]
        if not any(figures):
            continue
        agency_name = agencies[agency_id].name if agency_id in agencies else ""
        procedure = procedures[procedure_id]
        lines.append([len(lines) + 1, agency_name, f"{procedure.code} {procedure.name_vi}", *figures])
    total = ["", "Tổng cộng", "", *(sum(line[i] for line in lines) for i in range(3, len(HEAD)))]
    return Report(period, agency, lines, total)


def to_xlsx(report: Report, unit: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Bao cao"
    sheet.append([unit, "", "", "", "", "", "", "", "", "", "", "", "", FORM])
    sheet.append([TITLE])
    sheet.append([f"Kỳ báo cáo: {report.period.label} (từ {report.period.start:%d/%m/%Y} "
                  f"đến {report.period.end:%d/%m/%Y})"])
    sheet.append(list(HEAD))
    for line in (*report.lines, report.total):
        sheet.append(line)
    sheet.append([])
    sheet.append(["", "NGƯỜI LẬP BIỂU", "", "", "", "", "", "", "", "", "THỦ TRƯỞNG ĐƠN VỊ"])
    sheet.append(["", "(Ký, ghi rõ họ tên)", "", "", "", "", "", "", "", "", "(Ký, đóng dấu, ghi rõ họ tên)"])
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["C"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return HTML(string=html, base_url=base_url).write_pdf()
