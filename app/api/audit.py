"""GET /api/v1/audit/{code}/verify: check a dossier's event hash chain (auditors)."""
from __future__ import annotations

from flask_login import current_user

from app.api.errors import api_blueprint
from app.api.schemas.audit import VerifyReportSchema
from app.audit import verify
from app.core.permissions import roles_required
from app.dossiers.services import get_dossier_for

blp = api_blueprint("audit_api", "/api/v1/audit", "Kiểm toán / audit")


@blp.route("/<code>/verify")
@blp.response(200, VerifyReportSchema)
@roles_required("auditor")
def verify_chain(code: str):
    """Verify the dossier's event chain and report the first broken event, if any."""
    dossier = get_dossier_for(current_user, code)
    report = verify.verify_dossier_chain(dossier)
    return {"code": dossier.code, "ok": report.ok, "checked": report.checked,
            "first_broken_seq": report.first_broken_seq, "problem": report.problem}
