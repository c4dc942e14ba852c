"""Signals that let features react to each other without importing each other (indico pattern)."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent by app.history.services.append_event inside the caller's transaction: (dossier, event=DossierEvent,
#: changes=the step's TaskChanges (opened, closed, reopened tasks) or None when the event changed no task)
dossier_event_recorded = _signals.signal("dossier-event-recorded")

#: sent by the dossier views inside their unit of work: (dossier, actor=User, uploads=[Upload-like], stage=str,
#: reuse=[offer keys of the applicant's earlier documents ticked at the counter]);
#: app.documents stores and records the files (raising ValidationError for a file it refuses)
files_submitted = _signals.signal("files-submitted")

#: sent by the counter's intake form: (procedure, id_number=the applicant's number typed so far or None) → each
#: receiver returns a dict of extra template sections (app.documents: the earlier documents offered for reuse)
intake_form_sections = _signals.signal("intake-form-sections")

#: sent by the officials' dossier page: (dossier) → each receiver returns a dict of extra template sections
dossier_page_sections = _signals.signal("dossier-page-sections")

#: asked by app.dossiers when a dossier of a procedure whose handling waits for the fee is received or accepted:
#: (dossier) → each receiver returns what is still to pay in VND (app.payments: fees less the payments made)
fee_outstanding = _signals.signal("fee-outstanding")


def outstanding_fee(dossier: object) -> int:
    """What the applicant still owes on `dossier` (0 when no feature keeps payments)."""
    return sum(int(result or 0) for _receiver, result in fee_outstanding.send(dossier))


def page_sections(dossier: object) -> dict:
    """Collect the sections features above `dossiers` add to the dossier page (e.g. notifications)."""
    sections: dict = {}
    for _receiver, result in dossier_page_sections.send(dossier):
        sections.update(result or {})
    return sections


def intake_sections(procedure: object, id_number: str | None) -> dict:
    """Collect the sections features above `dossiers` add to the counter's intake form."""
    sections: dict = {}
    for _receiver, result in intake_form_sections.send(procedure, id_number=id_number):
        sections.update(result or {})
    return sections
