"""The leaders' dashboard: the figures of app.reports.services laid out as tables (each one a chart, a CSV and
an XLSX), agencies rolled up through the agency tree, a monthly trend. No figure is computed here."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from app.auth.models import Agency, User
from app.calendar.rules import LOCAL_TZ
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.dossiers.labels import STEP_KIND
from app.dossiers.listing import visible_agency_ids
from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import services, warning
from app.reports.services import Counts, StatsFilter, StepCounts

#: (measure, label) of every table's columns, in order.
COLUMNS = (
    ("total", _l("Tiếp nhận")), ("online", _l("Trực tuyến")), ("counter_received", _l("Tại quầy của đơn vị")),
    ("open_now", _l("Đang giải quyết")), ("in_time", _l("Trong hạn")), ("overdue_open", _l("Quá hạn")),
    ("paused", _l("Tạm dừng (chờ bổ sung, chờ nộp phí)")), ("finished", _l("Đã giải quyết")),
    ("early", _l("Trước hạn")),
    ("on_time", _l("Đúng hạn")), ("late", _l("Trễ hạn")), ("on_time_rate", _l("Tỷ lệ đúng hạn (%)")),
    ("with_supplement", _l("Yêu cầu bổ sung")), ("refused", _l("Từ chối")), ("stopped", _l("Rút hồ sơ")),
    ("apologies", _l("Xin lỗi")), ("late_apologies", _l("Xin lỗi không đúng quy định")),
)
#: The step table's columns: completed steps (of the five on-site kinds), early / on time / late.
STEP_COLUMNS = (("finished", _l("Bước đã hoàn thành")), *((m, label) for m, label in COLUMNS
                                                          if m in ("early", "on_time", "late", "on_time_rate")))
#: What each table's chart draws (per row).
SERIES = ("total", "early", "on_time", "late", "overdue_open")
STEP_SERIES = ("early", "on_time", "late")
TABLES = ("agency", "procedure", "channel", "month", "step")
CHANNELS = {"counter": _l("Tại quầy"), "online": _l("Trực tuyến"), "post": _l("Bưu chính"),
            "mobile": _l("Lưu động")}


def value(counts: Counts, measure: str):
    if measure == "in_time":
        return counts.open_now - counts.overdue_open - counts.paused
    if measure == "stopped":
        return counts.by_status.get("stopped", 0)
    if measure == "on_time_rate":
        return None if counts.on_time_rate is None else round(counts.on_time_rate * 100, 2)
    return getattr(counts, measure)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


@dataclass
class Table:
    key: str
    title: str
    first: str  # the heading of the row labels
    rows: list[tuple[str, Counts]]
    columns: tuple = COLUMNS  # (measure, label)
    series: tuple[str, ...] = SERIES  # the measures the chart draws

    def matrix(self) -> list[list]:
        head = [self.first, *(str(label) for _m, label in self.columns)]
        return [head, *([label, *(value(c, m) for m, _l in self.columns)] for label, c in self.rows)]


@dataclass
class Dashboard:
    flt: StatsFilter
    overall: Counts
    tables: dict[str, Table]
    computed_at: datetime
    at_risk: list = field(default_factory=list)  # (dossier, task, risk): open, not overdue, likely late

    @property
    def shares(self) -> dict[str, float | None]:
        o = self.overall
        return {"online": share(o.online, o.total), "online_full": share(o.online_full, o.total),
                "satisfied": share(o.satisfied, o.rated), "on_time": value(o, "on_time_rate"),
                "paid_online": share(o.paid, o.fee_bearing),  # of the dossiers with a payment order
                "digitised": share(o.digitised, o.total - o.online)}  # of those received on paper


def period(args) -> tuple[date, date]:
    """The period from the URL (from / to, dd/mm/yyyy or ISO); default: the current year up to today."""
    today = utcnow().astimezone(LOCAL_TZ).date()
    start, end = _date(args.get("from")), _date(args.get("to"))
    end = end or today
    start = start or end.replace(month=1, day=1)
    return (start, end) if start <= end else (end, start)


def period_errors(args) -> dict[str, str]:
    """The from / to texts that are no date (the period then takes its default for that end; the form says so)."""
    return {name: str(_l("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.")) for name in ("from", "to")
            if (args.get(name) or "").strip() and _date(args.get(name)) is None}


def _date(text: str | None) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def agency_rollup(by_agency: dict[int, Counts], visible: set[int] | None) -> list[tuple[Agency, Counts]]:
    """Each agency with the figures of its whole subtree (an agency's own figures plus its subordinates')."""
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.path)))
    rolled: dict[int, Counts] = {}
    by_path = {a.id: a.path for a in agencies}
    for agency in agencies:
        for owner, counts in by_agency.items():
            if owner in by_path and by_path[owner].startswith(agency.path):
                services.merge(rolled.setdefault(agency.id, Counts()), counts)
    return [(a, rolled[a.id]) for a in agencies if a.id in rolled and (visible is None or a.id in visible)]


def build(actor: User, flt: StatsFilter, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    stats = services.dossier_stats(actor, flt, now)
    visible = visible_agency_ids(actor)
    procedures = {p.id: p for p in db.session.scalars(select(Procedure).where(Procedure.id.in_(stats.by_procedure)))}
    tables = {
        "agency": Table("agency", str(_l("Theo đơn vị (gồm đơn vị trực thuộc)")), str(_l("Đơn vị")),
                        [(("  " * (a.path.count("/") - 2)) + a.name, c)
                         for a, c in agency_rollup(stats.by_agency, visible)]),
        "procedure": Table("procedure", str(_l("Theo thủ tục")), str(_l("Thủ tục")),
                           sorted(((f"{procedures[k].code} {procedures[k].name_vi}", c)
                                   for k, c in stats.by_procedure.items() if k in procedures))),
        "channel": Table("channel", str(_l("Theo kênh tiếp nhận")), str(_l("Kênh")),
                         [(str(CHANNELS.get(k, k)), c) for k, c in sorted(stats.by_channel.items())]),
        "month": Table("month", str(_l("Theo tháng")), str(_l("Tháng")), _trend(actor, flt, now)),
        "step": Table("step", str(_l("Theo bước xử lý (bước đã hoàn thành trong kỳ)")), str(_l("Bước")),
                      _steps(actor, flt), STEP_COLUMNS, STEP_SERIES),
    }
    scope = services.scope_of(actor, flt)
    owned = [Dossier.stat_agency_id.in_(services._subtree(flt.agency))] if flt.agency is not None else []
    return Dashboard(flt, stats.overall, tables, now, warning.at_risk([*scope.dossiers(), *owned], now))


def _trend(actor: User, flt: StatsFilter, now: datetime) -> list[tuple[str, Counts]]:
    return [(first.strftime("%m/%Y"), counts) for first, counts in services.monthly_stats(actor, flt, now)]


def _steps(actor: User, flt: StatsFilter) -> list[tuple[str, Counts]]:
    """The five on-site steps in their legal order (each, with or without completed steps), then the steps of no
    kind if any; a step's figures in the Counts fields the step columns read (finished, early / on time / late)."""
    by_kind = services.step_stats(actor, flt)
    kinds = [*STEP_KIND, *([""] if by_kind.get("", StepCounts()).finished else [])]
    return [(str(STEP_KIND.get(kind, _l("Bước khác"))), _step_counts(by_kind.get(kind, StepCounts())))
            for kind in kinds]


def _step_counts(steps: StepCounts) -> Counts:
    return Counts(finished=steps.finished, early=steps.early, on_time=steps.on_time, late=steps.late)


def chart_payload(board: Dashboard) -> dict:
    """What stats.js draws: per table the labels and its series (dossiers: received, finished early / on time /
    late, overdue; steps: early / on time / late)."""
    return {key: {"labels": [label.strip() for label, _c in t.rows],
                  "series": [{"name": str(dict(t.columns + COLUMNS)[m]), "data": [value(c, m) for _l, c in t.rows]}
                             for m in t.series]} for key, t in board.tables.items()}


def to_csv(table: Table) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with Vietnamese diacritics only with a BOM
    csv.writer(out).writerows(table.matrix())
    return out.getvalue()


def to_xlsx(table: Table, caption: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.key
    sheet.append([caption])
    for row in table.matrix():
        sheet.append(row)
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
