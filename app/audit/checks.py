"""Everything `flask audit verify` checks, as one call (also run by `flask restore` on the restored database)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.audit import anchors, verify
from app.audit.witness import AnchorWitness
from app.dossiers.models import Dossier
from app.dossiers.services import get_dossier
from app.extensions import db


@dataclass
class Verification:
    checked: int = 0
    broken: list[verify.ChainReport] = field(default_factory=list)
    anchor_problems: list[anchors.AnchorProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken and not self.anchor_problems

    def lines(self) -> list[str]:
        """What the command prints: one line per broken chain or anchor problem, then the verdict (vi | en)."""
        out = [f"{r.code}: {r.problem.message('vi')} | {r.problem.message('en')}" for r in self.broken]
        out += [f"{p.message('vi')} | {p.message('en')}" for p in self.anchor_problems]
        broken, problems = len(self.broken), len(self.anchor_problems)
        if self.ok:
            return [*out, f"OK: {self.checked} chuỗi toàn vẹn. | OK: {self.checked} chains intact."]
        return [*out, f"HỎNG: {broken}/{self.checked} chuỗi lỗi, {problems} lỗi mốc neo. | "
                      f"BROKEN: {broken}/{self.checked} chains broken, {problems} anchor problems."]


def verify_all(code: str | None = None, witness: AnchorWitness | None = None) -> Verification:
    """Verify every dossier's chain (or one dossier's) and the anchors, against the configured witness or `witness`."""
    scope = get_dossier(code) if code else None
    dossiers = [scope] if scope else db.session.scalars(select(Dossier).order_by(Dossier.id))
    result = Verification()
    for report in verify.verify_dossiers(dossiers):
        result.checked += 1
        if not report.ok:
            result.broken.append(report)
    result.anchor_problems = anchors.verify_anchors({scope.id} if scope else None, witness)
    return result
