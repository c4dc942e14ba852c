"""The case panel: the whole dossier an official decides on, readable at a glance (and printable).

The declaration typed at intake (labelled by the intake form), every earlier step's decision and data
(labelled by that step's form), supplement requests and what came back, internal comments and deadlines,
all read from the dossier row and its history events. Personal data is masked for a supervisor exactly as on
the rest of the page (`privacy.mask_form_data`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from app.core.errors import NotFoundError
from app.core.timefmt import format_date, format_datetime
from app.dossiers.privacy import mask_form_data
from app.dossiers.task_forms import INPUT_TYPES, load_form

#: keys shown in the dossier header (applicant), not repeated in the declaration
APPLICANT_KEYS = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                  "applicant_address")
#: a step's own judgement: shown in the panel, never prefilled into the next step's form
JUDGEMENT_KEYS = frozenset({"decision", "opinion", "approval_comment", "supplement_items", "refusal_reason",
                            "return_reason", "return_note", "inspection_notes", "agency_opinion", "council_opinion"})
HEADING_RE = re.compile(r"^\s*(#{1,6})\s*(.+?)\s*$")


@dataclass
class Entry:
    key: str
    label: str
    value: str


@dataclass
class Section:
    title: str | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class StepRecord:
    """One completed step: who, when, the decision and the data entered."""

    name: str
    step_kind: str | None
    official: str | None
    at: datetime
    decision: str | None
    decision_code: str | None
    entries: list[Entry]
    comment: str | None


@dataclass
class SupplementRecord:
    requested_at: datetime
    requested_by: str | None
    items: str | None
    received_at: datetime | None = None
    received_by: str | None = None
    documents: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class CasePanel:
    declaration: list[Section]
    steps: list[StepRecord]
    supplements: list[SupplementRecord]
    comments: list[Any]

    @property
    def open_supplement(self) -> SupplementRecord | None:
        last = self.supplements[-1] if self.supplements else None
        return last if last and last.received_at is None else None

    @property
    def last_step(self) -> StepRecord | None:
        """The latest decision before the current one (what the next official must read first)."""
        decided = [s for s in self.steps if s.step_kind != "intake"]
        return decided[-1] if decided else None


# --- formatting one value the way its form shows it ------------------------------------------

def _option_label(component: dict[str, Any], value: Any) -> str:
    for option in component.get("values") or []:
        if str(option.get("value")) == str(value):
            return str(option.get("label"))
    return str(value)


def display_value(component: dict[str, Any], value: Any) -> str:
    """A submitted value as the official reads it: option labels, Có/Không, dd/mm/yyyy."""
    kind = component.get("type")
    if kind == "checkbox":
        return _("Có") if value in (True, "true", "on", "1", 1) else _("Không")
    if isinstance(value, list):
        return ", ".join(_option_label(component, v) for v in value)
    if kind in ("select", "radio"):
        return _option_label(component, value)
    if kind == "datetime" and isinstance(value, str):
        try:
            if component.get("subtype") == "datetime":
                return format_datetime(datetime.fromisoformat(value))
            return format_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _schema(form_key: str | None) -> dict[str, Any]:
    if not form_key:
        return {"components": []}
    try:
        return load_form(form_key)
    except NotFoundError:  # a model naming a form that was since removed: show raw keys
        return {"components": []}


def sections(form_key: str | None, data: dict[str, Any], skip: tuple[str, ...] = ()) -> list[Section]:
    """The filled fields of `data` grouped under the form's headings (`####` texts), labelled by the form."""
    result, known = [Section(None)], set(skip)

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c.get("components"):
                walk(c["components"])
            elif c.get("type") == "text":
                match = HEADING_RE.match(c.get("text") or "")
                if match and len(match.group(1)) >= 4:
                    result.append(Section(match.group(2)))
            elif c.get("type") in INPUT_TYPES and c.get("key"):
                known.add(c["key"])
                value = data.get(c["key"])
                if c["key"] not in skip and value not in (None, "", []):
                    result[-1].entries.append(Entry(c["key"], c.get("label") or c["key"], display_value(c, value)))

    walk(_schema(form_key).get("components", []))
    extra = [Entry(k, k, str(v)) for k, v in data.items() if k not in known and v not in (None, "", [])]
    if extra:
        result.append(Section(_("Dữ liệu khác"), extra))
    return [s for s in result if s.entries]


def _component(form_key: str | None, key: str) -> dict[str, Any]:
    stack = list(_schema(form_key).get("components", []))
    while stack:
        c = stack.pop(0)
        if c.get("key") == key:
            return c
        stack.extend(c.get("components") or [])
    return {}


# --- building the panel from the dossier and its events --------------------------------------

def _step_record(event: Any, form_key: str | None, step_kind: str | None, masked: bool) -> StepRecord:
    data = dict((event.data or {}).get("input") or {})
    if masked:
        data = mask_form_data(data)
    decision = data.get("decision")
    entries = [e for s in sections(form_key, data, skip=("decision",) + APPLICANT_KEYS) for e in s.entries]
    label = display_value(_component(form_key, "decision"), decision) if decision else None
    return StepRecord(event.from_step or "", step_kind, event.actor_name, event.at, label, decision, entries,
                      event.comment)


def _supplements(events: list[Any]) -> list[SupplementRecord]:
    records: list[SupplementRecord] = []
    for e in events:
        if e.kind == "supplement_requested":
            records.append(SupplementRecord(e.at, e.actor_name, (e.data or {}).get("items") or e.comment))
        elif e.kind == "supplement_received" and records and records[-1].received_at is None:
            last = records[-1]
            last.received_at, last.received_by, last.note = e.at, e.actor_name, e.comment
            last.documents = list((e.data or {}).get("documents") or [])
    return records


def build_case_panel(dossier: Any, tasks: list[Any], events: list[Any], *, masked: bool) -> CasePanel:
    """The case panel of `dossier` (`events` in any order), personal data masked when `masked`."""
    events = sorted(events, key=lambda e: e.seq)
    by_bpmn = {t.bpmn_id: t for t in tasks}
    intake = next((t for t in tasks if t.step_kind == "intake"), None)
    form_data = dict(dossier.form_data or {})
    declaration = sections(intake.form_key if intake else None, mask_form_data(form_data) if masked else form_data,
                           skip=APPLICANT_KEYS)
    steps = []
    for e in events:
        if e.kind == "task_completed":
            task = by_bpmn.get((e.data or {}).get("task"))
            steps.append(_step_record(e, getattr(task, "form_key", None), getattr(task, "step_kind", None), masked))
    comments = [e for e in events if e.kind == "comment"]
    return CasePanel(declaration, steps, _supplements(events), comments)


def prefill(form_key: str | None, panel_sources: list[dict[str, Any]], context: dict[str, Any]) -> dict[str, Any]:
    """Defaults for a step form: the latest earlier value of the same key (not another step's judgement), or the
    source a field names in `properties.prefill` (an earlier key or a context value such as `actor_name`)."""
    values: dict[str, Any] = {}
    for source in panel_sources:  # oldest first: later steps win
        values.update({k: v for k, v in source.items() if v not in (None, "", [])})
    values.update({k: v for k, v in context.items() if v not in (None, "")})
    result = {}
    stack = list(_schema(form_key).get("components", []))
    while stack:
        c = stack.pop(0)
        stack.extend(c.get("components") or [])
        key = c.get("key")
        if not key or c.get("type") not in INPUT_TYPES:
            continue
        wanted = (c.get("properties") or {}).get("prefill")
        if wanted and values.get(wanted) not in (None, ""):
            result[key] = values[wanted]
        elif key not in JUDGEMENT_KEYS and key in values:
            result[key] = values[key]
    return result
