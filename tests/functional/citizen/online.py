"""Helpers of the online-submission tests: the posted form of a work permit, with its uploaded documents."""
from __future__ import annotations

import io

from app.catalog.services import get_procedure
from app.citizen.online import APPLICANT_KEYS
from tests.integration.documents.test_uploads import pdf

PDF = pdf(1)  # a real one-page PDF: app.documents parses it for its pages and preview
WORK_PERMIT = "1.014199"


def posted_form(desk, procedure_code: str = WORK_PERMIT, *, skip_documents: int = 0, return_method: str = "online",
                content: bytes = PDF) -> dict:
    """What the citizen's browser posts: applicant fields, the intake form's fields, one file per document."""
    procedure = get_procedure(procedure_code)
    fields = {f"f.{k}": v for k, v in desk.intake_data(procedure_code).items()
              if k not in APPLICANT_KEYS and k != "applicant_kind" and v is not None}
    mandatory = [d for d in procedure.documents if d.is_mandatory][skip_documents:]
    files = {f"doc-{d.id}": (io.BytesIO(content), f"giay-to-{d.id}.pdf") for d in mandatory}
    return {"agency": "H38.TTPVHCC", "name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn",
            "address": "Số 12 Lê Lợi, phường Hạc Thành", "return_method": return_method, **fields, **files}


def submit(client, desk, procedure_code: str = WORK_PERMIT, **options):
    return client.post(f"/cong-dan/nop-ho-so/{procedure_code}", data=posted_form(desk, procedure_code, **options),
                       content_type="multipart/form-data")
