"""Online submission by a signed-in citizen: procedures offered online, prefill from the registries, submit."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.auth.models import Agency, AgencyLevel
from app.auth.services import list_agencies
from app.catalog.models import OnlineLevel, Procedure
from app.catalog.services import list_procedures
from app.citizen.models import Citizen
from app.connectors import ServiceUnavailableError, registry
from app.core.errors import ValidationError
from app.documents import reuse
from app.documents.attachments import Upload, attach, check_all
from app.dossiers.intake import Receipt, receive_dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput

logger = logging.getLogger(__name__)
APPLICANT_KEYS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address")


def online_procedures(search: str | None = None) -> list[Procedure]:
    """Procedures in force that may be submitted online (full or partial level)."""
    return [p for p in list_procedures(search) if p.online_level is not OnlineLevel.NONE]


def receiving_agencies(procedure: Procedure) -> list[Agency]:
    """Where an online dossier of `procedure` can be filed: the centers, or the communes for commune procedures."""
    level = AgencyLevel.COMMUNE if procedure.level == "commune" else AgencyLevel.CENTER
    return [a for a in list_agencies() if a.level is level and a.is_active]


@dataclass
class Prefill:
    """Values to put in the form, and why some could not be looked up (the fields stay editable)."""

    applicant: dict[str, str | None]
    form_data: dict[str, Any] = field(default_factory=dict)
    commune_code: str | None = None
    notice: str | None = None


def prefill(citizen: Citizen) -> Prefill:
    """The applicant's data from the population database, else from the identity provider's claims."""
    base = {"name": citizen.full_name, "id_number": citizen.id_number, "phone": citizen.phone,
            "email": citizen.email, "address": citizen.address}
    try:
        person = registry().find_person(citizen.id_number)
    except ServiceUnavailableError as error:
        logger.warning("Registry prefill of %s failed: %s", citizen.id, error.details.get("detail"))
        return Prefill(base, _form_values(base), notice=error.message_vi)
    if person is None:
        return Prefill(base, _form_values(base))
    found = {"name": person.full_name, "id_number": person.id_number, "phone": person.phone or citizen.phone,
             "email": person.email or citizen.email, "address": person.address or citizen.address}
    return Prefill(found, _form_values(found), commune_code=person.commune_code)


def _form_values(applicant: dict[str, str | None]) -> dict[str, Any]:
    return {f"applicant_{k}": v for k, v in applicant.items() if v}


def business_prefill(tax_code: str) -> tuple[dict[str, Any], str | None]:
    """Employer fields from the business registry by tax code: (values, message when none could be found)."""
    try:
        business = registry().find_business(tax_code.strip())
    except ServiceUnavailableError as error:
        return {}, error.message_vi
    if business is None:
        return {}, f"Không tìm thấy doanh nghiệp có mã số thuế {tax_code}."
    return {"employer_name": business.name, "employer_tax_code": business.tax_code,
            "employer_address": business.address}, None


@dataclass
class OnlineSubmission:
    procedure: Procedure
    agency: Agency
    applicant: ApplicantInput
    form_data: dict[str, Any]
    return_method: str
    uploads: list[Upload]
    commune_code: str | None = None
    reuse: list[str] = field(default_factory=list)  # once-only: offer keys of the citizen's earlier documents


def submit(citizen: Citizen, submission: OnlineSubmission) -> Receipt:
    """File the dossier online: every mandatory document uploaded, the intake form valid; the dossier then waits in
    the receiving agency's intake queue (the receiver accepts or refuses the receipt)."""
    if submission.agency not in receiving_agencies(submission.procedure):
        raise ValidationError("Nơi tiếp nhận không hợp lệ.", "Invalid receiving agency.")
    check_all(submission.uploads)  # every file checked before the dossier is created
    reused = reuse.chosen(citizen.id_number, submission.reuse)
    items = reuse.checklist(submission.procedure)
    documents = sorted({u.required_document_id for u in submission.uploads if u.required_document_id is not None}
                       | {items[o.item] for o in reused if o.item in items})  # an earlier scan counts for its item
    intake = IntakeInput(procedure_code=submission.procedure.code, applicant=submission.applicant,
                         received_documents=documents, channel="online", return_method=submission.return_method,
                         form_data=submission.form_data, commune_code=submission.commune_code,
                         submitter_id_number=citizen.id_number)
    receipt = receive_dossier(None, submission.agency, intake)
    attach(None, receipt.dossier, submission.uploads, stage="online", reuse=reused)
    return receipt


def supplement(dossier, uploads: list[Upload], note: str | None) -> None:
    """The citizen's online answer to a supplement request: the files and the note are the supplement, and the
    time limit restarts from zero (Decree 107/2021) as when the receiver records one at the counter."""
    from app.dossiers import lifecycle

    if not uploads and not (note or "").strip():
        raise ValidationError("Cần đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung.",
                              "Attach the documents or write what is supplemented.")
    check_all(uploads)
    names = [f"{u.item}: {u.name}" if u.item else u.name for u in uploads]
    lifecycle.receive_supplement(None, dossier.code, documents=names, comment=(note or "").strip() or None,
                                 channel="online")
    attach(None, dossier, uploads, stage="supplement")
