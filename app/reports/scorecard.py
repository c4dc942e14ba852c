"""The scorecard a province ranks its agencies on (domain.md §5–§6), per handling agency over a period.

- **Circular 01/2018 art. 13**: nine indexes scored 0–2. Per dossier (averaged over the unit's dossiers):
  1 total time vs the limit, 2 each agency's slice vs its budget (the steps it did), 3 contacts to complete the
  dossier (supplement requests), 4 agencies the applicant had to visit, 6 publicity of the procedure, 7 staff
  attitude (rating). Per unit: 5 share of procedures handled fully at the center, 8 complaints handled on time,
  9 online share. The unit's score is the weighted mean as a percentage of the maximum (2 points each).
- **Decision 766/QĐ-TTg**: five groups of indicators worth 100 points; each indicator is a share over the period
  times its points. An indicator without data (no denominator, or nothing in the system records it) is left out
  and its group's points are shared among the others; a group without any data is left out of the total, which
  is scaled to 100 over the groups that have data.

Every point, weight, threshold and band is configuration (`scorecard_configs`, effective-dated; DEFAULTS here are
used for keys without a row). Figures come from the daily summary rows (supplement contacts, digitised documents
and payments per dossier too: migration 0019_score1m), the open dossiers from their index, the catalogue as is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import Agency, User
from app.catalog.models import OnlineLevel, Procedure, RequiredDocument
from app.core.db import utcnow
from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import services
from app.reports.models import LiveDaily, LiveStepDaily, ScorecardConfig
from app.reports.services import Counts, StatsFilter

S, T = LiveDaily, LiveStepDaily  # folded rows plus the deltas not folded yet

#: key -> (params, unsure, note). Points per index are 0–2 (Circular 01/2018 art. 13).
DEFAULTS: dict[str, tuple[dict, bool, str]] = {
    "c01.1": ({"weight": 1, "points": {"early": 2, "on_time": 1, "late": 0}}, False,
              "Tổng thời gian giải quyết so với quy định"),
    "c01.2": ({"weight": 1, "points": {"early": 2, "on_time": 1, "late": 0}}, False,
              "Thời gian thực hiện của từng cơ quan tham gia"),
    "c01.3": ({"weight": 1, "points": {"0": 2, "1": 1, "more": 0}}, False,
              "Số lần phải liên hệ để hoàn thiện hồ sơ"),
    "c01.4": ({"weight": 1, "points": 2}, True,
              "Số cơ quan phải liên hệ: một cửa hoặc cổng dịch vụ công, một cơ quan"),
    "c01.5": ({"weight": 1, "thresholds": [[0.5, 2], [0.2, 1]], "else": 0}, True,
              "Tỷ lệ thủ tục giải quyết trọn vẹn tại bộ phận một cửa"),
    "c01.6": ({"weight": 1, "points": {"published": 2, "unpublished": 0}}, True,
              "Công khai thủ tục hành chính (thành phần hồ sơ được niêm yết)"),
    "c01.7": ({"weight": 1, "points": {"satisfied": 2, "unsatisfied": 0}}, True,
              "Thái độ của cán bộ (đánh giá của người dân)"),
    "c01.8": ({"weight": 1, "no_complaints": 2}, True,
              "Tiếp thu, xử lý phản ánh kiến nghị đúng hạn (chưa có sổ phản ánh: không có phản ánh)"),
    "c01.9": ({"weight": 1, "thresholds": [[0.5, 2], [0.2, 1]], "else": 0}, True,
              "Tỷ lệ hồ sơ trực tuyến"),
    "d766.publicity": ({"points": 18, "indicators": {"published": 18, "portal_synced": 0}}, True,
                       "Công khai, minh bạch"),
    "d766.progress": ({"points": 20, "indicators": {"on_time_rate": 10, "open_not_overdue": 10}}, True,
                      "Tiến độ, kết quả giải quyết"),
    "d766.digitisation": ({"points": 22, "indicators": {"e_results": 8, "digitised": 8, "reused": 6}}, True,
                          "Số hoá hồ sơ, tái sử dụng"),
    "d766.online": ({"points": 22, "indicators": {"procedures_online": 7, "online_dossiers": 8, "paid_online": 7},
                     "partial_online": 0.5}, True, "Cung cấp dịch vụ trực tuyến"),
    "d766.satisfaction": ({"points": 18, "indicators": {"satisfied": 18, "feedback_on_time": 0}}, True,
                          "Mức độ hài lòng"),
    "d766.bands": ({"bands": [[90, "excellent"], [70, "good"], [50, "average"], [0, "weak"]]}, True,
                   "Xếp loại: 90–100 xuất sắc, dưới 50 yếu (70–90 tốt, 50–70 trung bình chưa chắc chắn)"),
}
C01_INDEXES = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
GROUPS = ("publicity", "progress", "digitisation", "online", "satisfaction")
BANDS = {"excellent": "Xuất sắc", "good": "Tốt", "average": "Trung bình", "weak": "Yếu"}


def config(on: date) -> dict[str, dict]:
    """The parameters in force on `on`: per key the latest row effective by then, else the default."""
    out = {key: params for key, (params, _unsure, _note) in DEFAULTS.items()}
    rows = db.session.scalars(select(ScorecardConfig).where(ScorecardConfig.effective_from <= on)
                              .order_by(ScorecardConfig.key, ScorecardConfig.effective_from))
    for row in rows:  # later rows overwrite earlier ones
        out[row.key] = row.params
    return out


@dataclass
class Inputs:
    """What one agency's scorecard is computed from (all figures over the period)."""

    counts: Counts = field(default_factory=Counts)
    contacts_one: int = 0  # received dossiers with exactly one supplement request (stat_daily.one_supplement)
    contacts_more: int = 0  # with more than one (with_supplement - one_supplement)
    published_dossiers: int = 0  # received dossiers whose procedure lists its required documents
    procedures: set[int] = field(default_factory=set)  # procedures it handled dossiers of
    at_center: int = 0  # of those, handled fully at the one-stop (five on site)
    published: int = 0  # of those, published with their required documents
    online_full: int = 0  # of those, offered fully online
    online_partial: int = 0
    digitised: int = 0  # received at a counter with a digitised paper document at intake (stat_daily.digitised)
    fee_bearing: int = 0  # received dossiers with a payment order (stat_daily.fee_bearing)
    paid_online: int = 0  # of those, paid (stat_daily.paid)


@dataclass
class Indicator:
    key: str
    value: float | None  # the share (0–1) or the index points (0–2); None: no data
    points: float | None = None  # what it earns in its group (Decision 766)
    max_points: float = 0


@dataclass
class Group:
    key: str
    max_points: float
    points: float | None
    indicators: list[Indicator]


@dataclass
class Card:
    agency: Agency
    inputs: Inputs
    c01: dict[str, float | None]  # index number -> points 0–2
    c01_score: float | None  # weighted mean as % of the maximum
    groups: list[Group]
    total: float | None  # Decision 766, out of 100
    band: str | None
    rank: int = 0


@dataclass
class Scorecard:
    start: date
    end: date
    effective: date
    cards: list[Card]
    computed_at: datetime


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _avg(weights: dict[str, float], points: dict[str, float]) -> float | None:
    """Mean points of the outcomes counted in `weights` (outcome -> number of dossiers)."""
    total = sum(weights.values())
    return sum(n * points[k] for k, n in weights.items()) / total if total else None


def _threshold(share: float | None, params: dict) -> float | None:
    if share is None:
        return None
    for bound, points in params["thresholds"]:
        if share >= bound:
            return points
    return params["else"]


def c01_indexes(i: Inputs, cfg: dict[str, dict]) -> dict[str, float | None]:
    c, steps = i.counts, i.counts.steps
    timing = {"early": c.early, "on_time": c.on_time, "late": c.late}
    contacts = {"0": c.total - i.contacts_one - i.contacts_more, "1": i.contacts_one, "more": i.contacts_more}
    return {
        "1": _avg(timing, cfg["c01.1"]["points"]),
        "2": _avg({"early": steps.early, "on_time": steps.on_time, "late": steps.late}, cfg["c01.2"]["points"]),
        "3": _avg(contacts, cfg["c01.3"]["points"]),
        "4": cfg["c01.4"]["points"] if c.total else None,
        "5": _threshold(_ratio(i.at_center, len(i.procedures)), cfg["c01.5"]),
        "6": _avg({"published": i.published_dossiers, "unpublished": c.total - i.published_dossiers},
                  cfg["c01.6"]["points"]),
        "7": _avg({"satisfied": c.satisfied, "unsatisfied": c.rated - c.satisfied}, cfg["c01.7"]["points"]),
        "8": cfg["c01.8"]["no_complaints"] if c.total or c.finished else None,
        "9": _threshold(_ratio(c.online, c.total), cfg["c01.9"]),
    }


def c01_score(indexes: dict[str, float | None], cfg: dict[str, dict]) -> float | None:
    scored = [(cfg[f"c01.{n}"]["weight"], p) for n, p in indexes.items() if p is not None]
    weight = sum(w for w, _p in scored)
    return round(100 * sum(w * p for w, p in scored) / (2 * weight), 2) if weight else None


def d766_shares(i: Inputs, cfg: dict[str, dict]) -> dict[str, float | None]:
    c, n = i.counts, len(i.procedures)
    partial = cfg["d766.online"].get("partial_online", 0.5)
    return {
        "published": _ratio(i.published, n), "portal_synced": None,
        "on_time_rate": c.on_time_rate, "open_not_overdue": _ratio(c.open_now - c.overdue_open - c.paused,
                                                                   c.open_now - c.paused),
        "e_results": _ratio(c.e_results, c.finished), "digitised": _ratio(i.digitised, c.total - c.online),
        "reused": None,
        "procedures_online": _ratio(i.online_full + partial * i.online_partial, n),
        "online_dossiers": _ratio(c.online, c.total), "paid_online": _ratio(i.paid_online, i.fee_bearing),
        "satisfied": _ratio(c.satisfied, c.rated), "feedback_on_time": None,
    }


def d766_groups(i: Inputs, cfg: dict[str, dict]) -> list[Group]:
    shares, out = d766_shares(i, cfg), []
    for key in GROUPS:
        params = cfg[f"d766.{key}"]
        indicators = [Indicator(k, shares[k], max_points=p) for k, p in params["indicators"].items()]
        scored = [x for x in indicators if x.value is not None and x.max_points]
        weight = sum(x.max_points for x in scored)
        for x in scored:  # an indicator's points, rescaled over the indicators of the group that have data
            x.points = round(params["points"] * x.max_points * x.value / weight, 2)
        points = round(sum(x.points for x in scored), 2) if weight else None
        out.append(Group(key, params["points"], points, indicators))
    return out


def d766_total(groups: list[Group]) -> float | None:
    scored = [g for g in groups if g.points is not None]
    available = sum(g.max_points for g in scored)
    return round(100 * sum(g.points for g in scored) / available, 2) if available else None


def band(total: float | None, cfg: dict[str, dict]) -> str | None:
    if total is None:
        return None
    return next(name for bound, name in cfg["d766.bands"]["bands"] if total >= bound)


def _inputs(actor: User, flt: StatsFilter, now: datetime) -> dict[int, Inputs]:
    scope = services.scope_of(actor, flt)
    owned = [S.agency_id.in_(services._subtree(flt.agency))] if flt.agency is not None else []
    out: dict[int, Inputs] = {}

    def of(agency_id: int) -> Inputs:
        return out.setdefault(agency_id, Inputs())

    procedures = {p.id: p for p in db.session.scalars(select(Procedure))}
    documented = set(db.session.scalars(select(RequiredDocument.procedure_id).distinct()))
    for (agency_id, procedure_id), counts in services.summary_figures(
            [*scope.summary(), *owned], (S.agency_id, S.procedure_id), flt.start, flt.end).items():
        inputs = of(agency_id)
        services.merge(inputs.counts, counts)
        if not (counts.total or counts.finished) or procedure_id not in procedures:
            continue
        inputs.procedures.add(procedure_id)
        inputs.published_dossiers += counts.total if procedure_id in documented else 0
    for inputs in out.values():
        c = inputs.counts  # Circular 01 index 3: contacts to complete the dossier (its supplement requests)
        inputs.contacts_one, inputs.contacts_more = c.one_supplement, c.with_supplement - c.one_supplement
        inputs.digitised, inputs.fee_bearing, inputs.paid_online = c.digitised, c.fee_bearing, c.paid
        for procedure_id in inputs.procedures:
            p = procedures[procedure_id]
            inputs.at_center += 1 if p.five_on_site else 0
            inputs.published += 1 if procedure_id in documented else 0
            inputs.online_full += 1 if p.online_level == OnlineLevel.FULL else 0
            inputs.online_partial += 1 if p.online_level == OnlineLevel.PARTIAL else 0
    steps_where = [T.agency_id.in_(list(scope.agency_ids) or [-1])] if scope.agency_ids is not None else []
    for (agency_id,), steps in services.step_figures(steps_where, (T.agency_id,), flt.start, flt.end).items():
        if agency_id in out:
            services.merge(out[agency_id].counts, Counts(steps=steps))
    for (agency_id,), counts in services.open_figures(scope.dossiers(), (Dossier.stat_agency_id,), None,
                                                      now).items():
        if agency_id in out:
            services.merge(out[agency_id].counts, counts)
    return out


def build(actor: User, flt: StatsFilter, now: datetime | None = None) -> Scorecard:
    """The ranking of the handling agencies the viewer may see, best Decision 766 total first."""
    now = now or utcnow()
    effective = flt.end or now.date()
    cfg = config(effective)
    inputs = _inputs(actor, flt, now)
    visible = services.scope_of(actor, flt).agency_ids
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(list(inputs) or [-1])))}
    cards = []
    for agency_id, i in inputs.items():
        if agency_id not in agencies or (visible is not None and agency_id not in visible):
            continue
        if not (i.counts.total or i.counts.finished or i.counts.open_now):
            continue
        indexes = c01_indexes(i, cfg)
        groups = d766_groups(i, cfg)
        total = d766_total(groups)
        cards.append(Card(agencies[agency_id], i, indexes, c01_score(indexes, cfg), groups, total, band(total, cfg)))
    cards.sort(key=lambda c: (-(c.total if c.total is not None else -1),
                              -(c.c01_score if c.c01_score is not None else -1), c.agency.code))
    for position, card in enumerate(cards, start=1):
        card.rank = position
    return Scorecard(flt.start, flt.end, effective, cards, now)


def head() -> list[str]:
    return ["Hạng", "Mã đơn vị", "Đơn vị", "Tiếp nhận", "Đã giải quyết",
            *(f"Chỉ số {n} (TT01)" for n in C01_INDEXES), "Điểm TT01 (%)",
            *(f"{DEFAULTS['d766.' + g][2]} (QĐ766)" for g in GROUPS), "Tổng điểm QĐ766", "Xếp loại"]


def matrix(card: Scorecard) -> list[list]:
    rows = [head()]
    for c in card.cards:
        rows.append([c.rank, c.agency.code, c.agency.name, c.inputs.counts.total, c.inputs.counts.finished,
                     *(None if c.c01[n] is None else round(c.c01[n], 2) for n in C01_INDEXES), c.c01_score,
                     *(g.points for g in c.groups), c.total, BANDS.get(c.band or "", None)])
    return rows


@dataclass
class RankingTable:
    """The ranking as a table for dashboard.to_csv / to_xlsx."""

    card: Scorecard
    key: str = "xep-hang"

    def matrix(self) -> list[list]:
        return matrix(self.card)
