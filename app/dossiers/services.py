"""Reading dossiers back, and who may see them (receipt is in intake.py, the actions in lifecycle.py)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import aliased, defer, joinedload, lazyload, load_only

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.core.errors import NotFoundError
from app.core.permissions import OFFICIAL_ROLES
from app.dossiers.involvement import involved_agency_ids  # noqa: F401  (re-exported for features above)
from app.dossiers.models import Dossier
from app.extensions import db
from app.workflow.models import OPEN_TASK_STATUSES, HumanTask, ProcessInstance

# --- queries --------------------------------------------------------------------------------

def get_dossier(code: str) -> Dossier:
    dossier = find_dossier(code)
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier


def find_dossier(code: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.code == code.strip()))


def can_view(actor: User, dossier: Dossier) -> bool:
    """Officials see dossiers their agency received or holds a task of; admins, auditors, supervisors their subtree."""
    from app.dossiers.listing import visible_agency_ids

    visible = visible_agency_ids(actor)
    return visible is None or bool(visible & involved_agency_ids(dossier))


def can_act(actor: User, dossier: Dossier) -> bool:
    """Only officials of an involved agency write on a dossier (auditors and supervisors are read-only)."""
    involved = involved_agency_ids(dossier)
    return any(a.role in OFFICIAL_ROLES and a.agency_id in involved for a in actor.roles)


def get_dossier_for(actor: User, code: str) -> Dossier:
    """Return the dossier if `actor` may see it; others get the 404 of an unknown code (no existence oracle)."""
    dossier = find_dossier(code)
    if dossier is None or not can_view(actor, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier


# --- what an action on a task needs, in one statement ---------------------------------------

@dataclass
class TaskContext:
    """A task with its dossier (procedure and agencies), the engine instance and the dossier's open tasks with
    their agencies. Holding it keeps the rows in the session, so nothing below asks for them again."""

    task: HumanTask
    dossier: Dossier
    instance: ProcessInstance | None
    open_tasks: list[HumanTask]
    agencies: list[Agency]


def load_task_context(task_id: int, *, instance: bool = True) -> TaskContext:
    """Load everything a task action reads in one joined SELECT (the instance's state only when `instance`)."""
    rows = db.session.execute(_task_context_query(instance), {"task_id": task_id}).all()
    if not rows:
        raise NotFoundError("Không tìm thấy công việc.", "Task not found.")
    task, dossier = rows[0][0], rows[0][1]
    open_tasks = sorted({row[2].id: row[2] for row in rows if row[2] is not None}.values(), key=lambda t: t.id)
    agencies = list({row[3].id: row[3] for row in rows if row[3] is not None}.values())
    return TaskContext(task, dossier, rows[0][4] if instance else None, open_tasks, agencies)


# The columns a task action does not read (looked up by tracing the attribute reads of the lifecycle's completions):
# left unloaded, they come in one SELECT if something reads them after all. The rest — the chain's legal fields,
# the statistics classification (app.reports.semantics), what the notices, slips and routing read — stays.
_DOSSIER_UNREAD = ("documents", "form_data", "search_text", "rating_comment", "representative_name",
                   "submitter_id_number", "logbook_number", "apology_alerted_at", "return_method", "created_at",
                   "updated_at", "current_step_kind", "comment_count")
_PROCEDURE_READ = ("code", "version", "name_vi", "name_en", "level", "handling_agency_id", "legal_days",
                   "refusal_days", "supplement_days", "verification_days", "competence", "deadline_policy", "cutoff",
                   "fee_before_handling", "process_key")
_AGENCY_READ = ("code", "name", "name_en", "level", "parent_id", "path")


@lru_cache(maxsize=2)
def _task_context_query(instance: bool) -> Select:
    """Built once per process: constructing the aliases and joins costs more CPU than running the query.

    Only the columns an action reads (about 130 of the ~200 the full rows have: psycopg and the ORM pay per
    column on every execution); the dossier's current agency and the procedure's agency come from the identity
    map when an open task or the dossier already names them, else by primary key when read.
    """
    other, agency = aliased(HumanTask), aliased(Agency)
    entities = [HumanTask, Dossier, other, agency] + ([ProcessInstance] if instance else [])

    def columns(entity, names):
        return [getattr(entity, name) for name in names]

    query = (select(*entities).join(Dossier, Dossier.id == HumanTask.dossier_id)
             .outerjoin(other, and_(other.dossier_id == Dossier.id, other.status.in_(OPEN_TASK_STATUSES)))
             .outerjoin(agency, agency.id == other.agency_id)
             .where(HumanTask.id == bindparam("task_id"))
             .options(*(defer(column) for column in columns(Dossier, _DOSSIER_UNREAD)),
                      joinedload(Dossier.procedure).load_only(*columns(Procedure, _PROCEDURE_READ))
                      .lazyload(Procedure.handling_agency),
                      joinedload(Dossier.receiving_agency).load_only(*columns(Agency, _AGENCY_READ)),
                      joinedload(Dossier.handling_agency).load_only(*columns(Agency, _AGENCY_READ)),
                      lazyload(Dossier.current_agency), load_only(*columns(agency, _AGENCY_READ))))
    if instance:
        query = query.outerjoin(ProcessInstance, ProcessInstance.dossier_id == Dossier.id)
    return query
