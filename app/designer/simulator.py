"""Deadline simulator: for a receipt instant and agency, each step's start and due along every path of a model.

Uses the real working-time calendar through app/dossiers/deadlines.py (the same functions intake and the
pipeline use), so what the designer sees here is what a dossier received at that instant would get.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from app.auth.models import Agency, AgencyLevel
from app.auth.services import find_agency_by_code
from app.catalog.models import Competence, Procedure
from app.core.errors import ValidationError
from app.core.timefmt import to_local
from app.designer import lint
from app.dossiers.deadlines import clock_start, legal_due
from app.dossiers.rules import ruleset_for
from app.extensions import db

MAX_PATHS = 50


@dataclass(frozen=True)
class SimStep:
    element_id: str
    name: str
    days: float
    start: datetime
    due: datetime


@dataclass
class SimPath:
    steps: list[SimStep] = field(default_factory=list)
    end_id: str = ""
    days: float = 0.0
    due: datetime | None = None
    over_limit: bool = False
    repeated: list[str] = field(default_factory=list)  # names of steps taken twice (one pass round a loop)
    late_if_repeated: bool = False


@dataclass
class Simulation:
    procedure: Procedure
    received: datetime
    clock_start: datetime
    appointment: datetime
    paths: list[SimPath]
    truncated: bool = False

    @property
    def over_limit(self) -> list[SimPath]:
        return [p for p in self.paths if p.over_limit]


def procedure_for(process_key: str, received: datetime) -> Procedure:
    """The procedure running this model that is in force on the receipt day."""
    day = to_local(received).date()
    procedures = db.session.scalars(select(Procedure).where(Procedure.process_key == process_key)).all()
    in_force = [p for p in procedures if p.in_force_on(day)]
    if not in_force:
        raise ValidationError(f"Không có thủ tục dùng mô hình {process_key} có hiệu lực ngày {day:%d/%m/%Y}.",
                              f"No procedure using model {process_key} is in force on {day:%d/%m/%Y}.")
    return max(in_force, key=lambda p: (p.effective_from or day.min, p.id))


def _paths(container: etree._Element) -> tuple[list[list[etree._Element]], bool]:
    """Every path from the start event to an end, as element lists (at most MAX_PATHS).

    A loop (back to appraisal, round a supplement) is taken once (each element at most twice), so the
    designer sees what one return costs against the legal limit.
    """
    nodes = {n.get("id"): n for n in container if isinstance(n.tag, str) and n.get("id")}
    outgoing: dict[str, list[str]] = {}
    for flow in container.iterfind("bpmn:sequenceFlow", lint.NS):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [n for n in nodes.values() if lint.local(n) == "startEvent"]
    if not starts:
        return [], False
    found: list[list[etree._Element]] = []
    first = starts[0].get("id")
    stack = [(first, [first])]
    while stack and len(found) < MAX_PATHS:
        node, path = stack.pop()
        targets = [t for t in outgoing.get(node, []) if t in nodes and path.count(t) < 2]
        if not outgoing.get(node):
            found.append([nodes[i] for i in path])  # an end (or a dead end the linter reports)
        for target in reversed(targets):
            stack.append((target, [*path, target]))
    return found, bool(stack)


def candidate_agencies(process_key: str) -> list[Agency]:
    """The agencies whose calendar a dossier of this model can run on: competent handlers and liên thông partners.

    A procedure handled where the applicant lives (or by the receiving commune) can run at any commune.
    """
    procedures = db.session.scalars(select(Procedure).where(Procedure.process_key == process_key)).all()
    found: dict[int, Agency] = {}
    for procedure in procedures:
        by_commune = procedure.competence in (Competence.RESIDENCE, Competence.SITE) or (
            procedure.competence is Competence.LEVEL and procedure.level == "commune")
        if by_commune:
            for agency in db.session.scalars(select(Agency).where(Agency.level == AgencyLevel.COMMUNE)):
                found[agency.id] = agency
        else:
            found[procedure.handling_agency.id] = procedure.handling_agency
        for code in (procedure.agency_map or {}).values():
            partner = find_agency_by_code(code) if "{commune}" not in code else None
            if partner is not None:
                found[partner.id] = partner
    return sorted(found.values(), key=lambda a: a.name)


def simulate(xml: str, process_key: str, received: datetime, agency_id: int | None) -> Simulation:
    """Walk every path of the main process through the calendar, step by step, from the receipt."""
    procedure = procedure_for(process_key, received)
    ruleset = ruleset_for(to_local(received).date())
    started = clock_start(procedure, agency_id, received)
    appointment = legal_due(procedure, agency_id, received, ruleset=ruleset)
    root = lint.parse(xml)
    process = root.find(f"bpmn:process[@id='{process_key}']", lint.NS)
    if process is None:
        raise ValidationError(f"Mô hình không có quy trình {process_key}.", f"The model has no process {process_key}.")
    raw_paths, truncated = _paths(process)
    paths = []
    for elements in raw_paths:
        path = SimPath(end_id=elements[-1].get("id"))
        at = started
        for index, element in enumerate(elements):
            if element in elements[:index] and lint.local(element) in lint.HUMAN:
                path.repeated.append(element.get("name") or element.get("id"))
            days = lint.node_days(root, element)
            if lint.local(element) not in lint.HUMAN and not days:
                continue
            due = legal_due(procedure, agency_id, at, days, at_receipt=False, ruleset=ruleset)
            path.steps.append(SimStep(element.get("id"), element.get("name") or element.get("id"), days, at, due))
            path.days += days
            at = due
        path.due = at
        # A pass round a loop is shown with what it costs; only loop-free paths block as "over the limit".
        path.over_limit = at > appointment and not path.repeated
        path.late_if_repeated = at > appointment and bool(path.repeated)
        paths.append(path)
    return Simulation(procedure, received, started, appointment, paths, truncated)
