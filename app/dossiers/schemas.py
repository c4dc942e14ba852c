"""Input shapes for dossier use cases, shared by the counter UI, the API and the demo loader."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import ValidationError

ID_NUMBER_RE = re.compile(r"^\d{12}$")
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
        if self.kind == "person" and self.id_number and not ID_NUMBER_RE.match(self.id_number):
            errors["id_number"] = ["Số định danh cá nhân phải gồm 12 chữ số / personal ID must be 12 digits"]
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
