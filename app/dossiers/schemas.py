"""Input shapes for dossier use cases, shared by the counter UI, the API and the demo loader."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import ValidationError

ID_NUMBER_RE = re.compile(r"^\d{12}$")
TAX_CODE_PATTERN = r"^\d{10}(\d{3}|-\d{3})?$"  # enterprise code: 10 digits, a branch 13 (written 10-3)
TAX_CODE_RE = re.compile(TAX_CODE_PATTERN)


def identity_error(kind: str, number: str | None) -> tuple[str, str] | None:
    """(Vietnamese, English) when `number` is not a personal ID (person) or a tax code (organisation)."""
    if not number:
        return None
    if kind == "organisation":
        if not TAX_CODE_RE.match(number):
            return ("Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số.", "An organisation's tax code has 10 or 13 digits.")
    elif not ID_NUMBER_RE.match(number):
        return ("Số định danh cá nhân phải gồm đúng 12 chữ số.", "A personal ID number has exactly 12 digits.")
    return None
PHONE_RE = re.compile(r"^\+?[0-9 .-]{8,15}$")


@dataclass
class ApplicantInput:
    name: str
    id_number: str | None = None
    kind: str = "person"  # person / organisation
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    representative: str | None = None

    def validate(self) -> None:
        """Check the formats a receiver would check at the counter."""
        errors: dict[str, list[str]] = {}
        if not (self.name or "").strip():
            errors["name"] = ["Họ tên người nộp là bắt buộc / applicant name is required"]
        wrong = identity_error(self.kind, self.id_number)
        if wrong:
            errors["id_number"] = [" / ".join(wrong)]
        if self.phone and not PHONE_RE.match(self.phone):
            errors["phone"] = ["Số điện thoại không hợp lệ / invalid phone number"]
        if errors:
            raise ValidationError("Thông tin người nộp hồ sơ chưa hợp lệ.", "Applicant data is invalid.",
                                  details={"errors": errors})


@dataclass
class IntakeInput:
    procedure_code: str
    applicant: ApplicantInput
    received_documents: list[int] = field(default_factory=list)  # RequiredDocument ids the receiver ticked
    channel: str = "counter"
    return_method: str = "counter"
    form_data: dict[str, Any] = field(default_factory=dict)
    document_notes: dict[int, str] = field(default_factory=dict)
    commune_code: str | None = None  # the applicant's commune of residence or the site's (competence)
    submitter_id_number: str | None = None  # online: the signed-in citizen's verified personal ID
