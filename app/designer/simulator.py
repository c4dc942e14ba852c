"""Deadline simulator: for a receipt instant and agency, each step's start and due along every path of a model.

Uses the real working-time calendar through app/dossiers/deadlines.py (the same functions intake and the
pipeline use), so what the designer sees here is what a dossier received at that instant would get.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from app.catalog.models import Procedure
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
    """Every loop-free path from the start event to an end, as element lists (at most MAX_PATHS)."""
    nodes = {n.get("id"): n for n in container if isinstance(n.tag, str) and n.get("id")}
    outgoing: dict[str, list[str]] = {}
    for flow in container.iterfind("bpmn:sequenceFlow", lint.NS):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [n for n in nodes.values() if lint.local(n) == "startEvent"]
    if not starts:
        return [], False
    found: list[list[etree._Element]] = []
    stack = [(starts[0].get("id"), [starts[0].get("id")])]
    while stack and len(found) < MAX_PATHS:
        node, path = stack.pop()
        targets = [t for t in outgoing.get(node, []) if t in nodes and t not in path]
        if not targets:
            found.append([nodes[i] for i in path])
        for target in reversed(targets):
            stack.append((target, [*path, target]))
    return found, bool(stack)


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
        for element in elements:
            days = lint.node_days(root, element)
            if lint.local(element) not in lint.HUMAN and not days:
                continue
            due = legal_due(procedure, agency_id, at, days, at_receipt=False, ruleset=ruleset)
            path.steps.append(SimStep(element.get("id"), element.get("name") or element.get("id"), days, at, due))
            path.days += days
            at = due
        path.due = at
        path.over_limit = at > appointment
        paths.append(path)
    return Simulation(procedure, received, started, appointment, paths, truncated)
