"""Lifecycle of a received dossier: task completion and the legal actions around it (domain.md §1).

Every function changes the dossier, the engine state, the task rows, the clock ledger and the event log
together; the caller's unit of work commits them at once or not at all.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from app.audit.services import record_event
from app.auth.models import User
from app.calendar import services as calendar
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.core.permissions import ensure_role
from app.dossiers.models import ClockEntry, Dossier, DossierStatus
from app.dossiers.rules import get_ruleset
from app.dossiers.services import get_dossier, placement_for
from app.dossiers.task_forms import validate_submission
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.models import HumanTask, ProcessInstance

logger = logging.getLogger(__name__)

SUPPLEMENT_MESSAGE = "supplement_received"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"


def _actor_name(actor: User | None) -> str | None:
    return actor.full_name if actor else None


def after_engine_step(dossier: Dossier, instance: ProcessInstance, result: Any, *, actor: User | None,
                      completed: HumanTask | None = None, full_timer_check: bool = False) -> list[HumanTask]:
    """Project the engine's ready tasks and derive the dossier's step, agency and status from them."""
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    open_tasks, _closed = workflow.sync_tasks(
        dossier.id, result.ready_tasks, lambda view: placement_for(dossier, view),
        completed_task_id=completed.engine_task_id if completed else None, actor_id=getattr(actor, "id", None),
        classify=lambda task: cal.classify(utcnow(), task.due_at) if task.due_at else None)
    workflow.sync_timers(dossier.id, result.timers, None if full_timer_check else instance.process_version_id)
    if open_tasks:
        dossier.current_step = ", ".join(dict.fromkeys(t.name for t in open_tasks))
        dossier.current_step_kind = open_tasks[0].step_kind
        dossier.current_agency_id = open_tasks[0].agency_id
    if result.is_completed:
        _finish(dossier)
    return open_tasks


def _finish(dossier: Dossier) -> None:
    now = utcnow()
    dossier.current_step, dossier.current_step_kind = None, None
    dossier.finished_at = dossier.finished_at or now
    if dossier.status not in (DossierStatus.STOPPED,):
        dossier.returned_at = dossier.returned_at or now
        dossier.status = DossierStatus.REFUSED if dossier.outcome == "refused" else DossierStatus.RETURNED
        dossier.outcome = dossier.outcome or "approved"
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    dossier.timing = cal.classify(dossier.result_ready_at or now, dossier.legal_due_at)


# --- tasks ----------------------------------------------------------------------------------

def get_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFoundError("Không tìm thấy công việc.", "Task not found.")
    return task


def ensure_can_work(actor: User, task: HumanTask) -> None:
    """Only holders of the task's role in the task's agency may act on it."""
    from app.auth.models import Agency

    agency = db.session.get(Agency, task.agency_id) if task.agency_id else None
    ensure_role(actor, [task.role] if task.role else ["receiver", "specialist", "leader", "clerk", "returner"],
                agency)


def complete_task(actor: User | None, task_id: int, data: dict[str, Any], *, comment: str | None = None,
                  check_form: bool = True) -> Dossier:
    """Complete a human task with its form data and move the dossier on through the model."""
    task = get_task(task_id)
    if not task.is_open:
        raise InvalidTransitionError("Công việc này đã được xử lý.", "This task has already been completed.")
    if actor is not None:
        ensure_can_work(actor, task)
        if task.status == "claimed" and task.assignee_id != actor.id:
            raise ConflictError("Công việc đang do cán bộ khác xử lý.", "Another official has claimed this task.")
    cleaned = validate_submission(task.form_key, data) if check_form else dict(data)
    dossier = db.session.get(Dossier, task.dossier_id)
    _check_step_rules(dossier, task, cleaned, comment)
    instance = workflow.get_instance(dossier.id)
    now = utcnow()
    result = workflow.advance(instance, "complete_task", task.engine_task_id, cleaned, now=now)
    _apply_step_outcome(actor, dossier, task, cleaned, comment, now)
    after_engine_step(dossier, instance, result, actor=actor, completed=task)
    task.completed_by_id = getattr(actor, "id", None)
    record_event(dossier, "task_completed", actor=actor, role=task.role, agency_id=task.agency_id, at=now,
                 from_step=task.name, to_step=dossier.current_step, comment=comment,
                 data={"task": task.bpmn_id, "input": cleaned, "timing": task.timing},
                 model_hash=_model_hash(instance), state_fingerprint=workflow.fingerprint(result.state))
    workflow.flush_instance()
    return dossier


def _model_hash(instance: ProcessInstance) -> str:
    return workflow.version_hash(instance.process_version_id)


def _check_step_rules(dossier: Dossier, task: HumanTask, data: dict[str, Any], comment: str | None) -> None:
    """Legal preconditions of the chosen decision (reasons, supplement window)."""
    decision = data.get("decision")
    if decision in ("refuse", "reject") and not (comment or data.get("refusal_reason") or data.get("opinion")):
        raise ValidationError("Cần nêu rõ lý do.", "A reason is required.")
    if decision == "supplement":
        _check_supplement_window(dossier)
        if not (data.get("supplement_items") or comment):
            raise ValidationError("Cần liệt kê đầy đủ giấy tờ cần bổ sung.", "List every document to supplement.")


def _check_supplement_window(dossier: Dossier) -> None:
    ruleset = get_ruleset(dossier.ruleset)
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    used = cal.working_hours_between(dossier.clock_started_at, utcnow())
    if used > ruleset.supplement_request_days * 8 and ruleset.supplement_deadline_enforced:
        raise InvalidTransitionError(
            f"Đã quá {ruleset.supplement_request_days:g} ngày làm việc kể từ khi tiếp nhận: "
            "không được yêu cầu bổ sung.",
            f"More than {ruleset.supplement_request_days:g} working days since receipt: supplements can no longer "
            "be requested.")


def _apply_step_outcome(actor: User | None, dossier: Dossier, task: HumanTask, data: dict[str, Any],
                        comment: str | None, now: datetime) -> None:
    """Translate the step's decision into the dossier's legal status and clock, as of the action's instant."""
    decision = data.get("decision")
    if dossier.status is DossierStatus.RECEIVED:
        dossier.status = DossierStatus.PROCESSING
    if decision == "supplement":
        dossier.status = DossierStatus.WAITING_SUPPLEMENT
        dossier.supplement_count += 1
        db.session.add(ClockEntry(dossier_id=dossier.id, kind="pause", at=now, due_at=None,
                                  reason=data.get("supplement_items") or comment, actor_name=_actor_name(actor)))
        record_event(dossier, "supplement_requested", actor=actor, role=task.role, agency_id=task.agency_id,
                     comment=comment, data={"items": data.get("supplement_items")})
    elif decision == "refuse":
        dossier.outcome = "refused"
        record_event(dossier, "refused", actor=actor, role=task.role, agency_id=task.agency_id,
                     comment=comment, data={"reason": data.get("refusal_reason") or comment})
    if task.step_kind == "stamping":
        dossier.result_ready_at = now
        dossier.result_number = str(data.get("result_number") or "") or None
        dossier.status = DossierStatus.RESULT_READY
    if task.step_kind == "return":
        dossier.returned_at = now
        dossier.result_ready_at = dossier.result_ready_at or now


# --- legal actions around the model ---------------------------------------------------------

def receive_supplement(actor: User | None, code: str, *, documents: list[str], comment: str | None = None) -> Dossier:
    """Record the complete supplement: the time limit restarts from zero (Decree 107/2021)."""
    dossier = get_dossier(code)
    if actor is not None:
        ensure_role(actor, ["receiver"], dossier.receiving_agency)
    if dossier.status is not DossierStatus.WAITING_SUPPLEMENT:
        raise InvalidTransitionError("Hồ sơ không ở trạng thái chờ bổ sung.",
                                     "The dossier is not waiting for a supplement.")
    instance = workflow.get_instance(dossier.id)
    now = utcnow()
    result = workflow.advance(instance, "send_message", SUPPLEMENT_MESSAGE, {"supplement_documents": documents},
                              now=now)
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    dossier.clock_started_at = cal.start_of_work(now)
    dossier.legal_due_at = cal.due(now, dossier.legal_days, policy=dossier.procedure.deadline_policy.value)
    dossier.due_at = dossier.legal_due_at
    dossier.status = DossierStatus.PROCESSING
    db.session.add(ClockEntry(dossier_id=dossier.id, kind="restart", at=now, due_at=dossier.legal_due_at,
                              reason=comment, actor_name=_actor_name(actor)))
    after_engine_step(dossier, instance, result, actor=actor)
    record_event(dossier, "supplement_received", actor=actor, role="receiver", agency_id=dossier.receiving_agency_id,
                 at=now,
                 comment=comment, data={"documents": documents, "due_at": dossier.due_at.isoformat()},
                 model_hash=_model_hash(instance), state_fingerprint=workflow.fingerprint(result.state))
    workflow.flush_instance()
    return dossier


def withdraw(actor: User | None, code: str, *, reason: str, channel: str = "counter") -> Dossier:
    """Stop handling at the applicant's request (stop notice); refused once a result is issued."""
    dossier = get_dossier(code)
    if actor is not None:
        ensure_role(actor, ["receiver"], dossier.receiving_agency)
    if not get_ruleset(dossier.ruleset).allows_withdrawal:
        raise InvalidTransitionError("Quy định áp dụng cho hồ sơ này không cho phép rút hồ sơ.",
                                     "The rules applying to this dossier do not allow withdrawal.")
    if not dossier.is_open or dossier.result_ready_at is not None:
        raise InvalidTransitionError("Hồ sơ đã có kết quả hoặc đã kết thúc: không thể dừng xử lý.",
                                     "A result was already issued or the dossier is closed: it cannot be stopped.")
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do rút hồ sơ.", "A withdrawal reason is required.")
    instance = workflow.get_instance(dossier.id)
    now = utcnow()
    result = workflow.advance(instance, "cancel", now=now)
    dossier.status, dossier.outcome, dossier.finished_at = DossierStatus.STOPPED, "stopped", now
    db.session.add(ClockEntry(dossier_id=dossier.id, kind="stop", at=now, due_at=None, reason=reason,
                              actor_name=_actor_name(actor)))
    workflow.sync_tasks(dossier.id, [], lambda view: None)
    dossier.current_step, dossier.current_step_kind = None, None
    record_event(dossier, "stopped", actor=actor, role="receiver", agency_id=dossier.receiving_agency_id,
                 comment=reason, at=now, data={"channel": channel, "stop_notice": True},
                 model_hash=_model_hash(instance), state_fingerprint=workflow.fingerprint(result.state))
    workflow.flush_instance()
    return dossier


def apologize(actor: User, code: str, *, reason: str, new_due_at: datetime) -> Dossier:
    """Send the apology letter with a new appointment (once); statistics keep the original due date."""
    dossier = get_dossier(code)
    if not (actor.has_role("leader", dossier.current_agency) or actor.has_role("receiver", dossier.receiving_agency)):
        raise PermissionDeniedError("Chỉ lãnh đạo đơn vị đang giải quyết hoặc bộ phận tiếp nhận được gửi thư xin lỗi.",
                                    "Only the handling agency's leader or the receiving desk may send the apology.")
    ruleset = get_ruleset(dossier.ruleset)
    if not dossier.is_open:
        raise InvalidTransitionError("Hồ sơ đã kết thúc.", "The dossier is closed.")
    if dossier.apology_count >= ruleset.max_appointment_resets:
        raise InvalidTransitionError("Chỉ được hẹn lại ngày trả kết quả một lần.",
                                     "The appointment can be reset only once.")
    if not (reason or "").strip():
        raise ValidationError("Cần nêu lý do chậm trễ.", "A reason for the delay is required.")
    if new_due_at <= dossier.due_at:
        raise ValidationError("Ngày hẹn mới phải sau ngày hẹn hiện tại.", "The new date must be after the current one.")
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    compliant = cal.working_hours_between(utcnow(), dossier.due_at) >= ruleset.apology_lead_days * 8
    previous, dossier.due_at = dossier.due_at, new_due_at
    dossier.apology_count += 1
    db.session.add(ClockEntry(dossier_id=dossier.id, kind="extend", at=utcnow(), due_at=new_due_at, reason=reason,
                              actor_name=actor.full_name))
    record_event(dossier, "apology_sent", actor=actor, agency_id=dossier.current_agency_id, comment=reason,
                 data={"previous_due_at": previous.isoformat(), "new_due_at": new_due_at.isoformat(),
                       "compliant": compliant})
    return dossier


def transfer(actor: User, code: str, *, to_agency_code: str, reason: str) -> Dossier:
    """Move the open tasks of a dossier to another competent agency (liên thông), with a reason."""
    from app.auth.services import get_agency_by_code

    dossier = get_dossier(code)
    target = get_agency_by_code(to_agency_code)
    tasks = workflow.open_tasks(dossier.id)
    if not tasks:
        raise InvalidTransitionError("Hồ sơ không có bước đang xử lý để chuyển.", "No open step to transfer.")
    for task in tasks:
        ensure_can_work(actor, task)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do chuyển.", "A transfer reason is required.")
    source = tasks[0].agency_id
    for task in tasks:
        task.agency_id, task.assignee_id, task.status = target.id, None, "open"
    dossier.current_agency_id = target.id
    record_event(dossier, "transferred", actor=actor, agency_id=source, comment=reason,
                 data={"from_agency": source, "to_agency": target.id})
    return dossier


def add_comment(actor: User, code: str, text: str) -> Dossier:
    """Internal note between officials: shown in the timeline, never to the citizen."""
    from app.dossiers.services import get_dossier_to_act

    dossier = get_dossier_to_act(actor, code)
    if not (text or "").strip():
        raise ValidationError("Nội dung trao đổi không được để trống.", "The comment is empty.")
    dossier.comment_count += 1
    record_event(dossier, "comment", actor=actor, comment=text.strip(), is_internal=True)
    return dossier


def rate(code: str, pin: str | None, rating: str, comment: str | None = None, *, verified: bool = False) -> Dossier:
    """Citizen rating after return: one per dossier."""
    from app.dossiers.codes import pin_matches

    dossier = get_dossier(code)
    if not verified and not (pin and pin_matches(dossier.code, pin, dossier.pin_hash)):
        raise PermissionDeniedError("Mã tra cứu không đúng.", "Wrong lookup PIN.")
    if rating not in ("very_satisfied", "satisfied", "unsatisfied"):
        raise ValidationError("Mức đánh giá không hợp lệ.", "Invalid rating.")
    if dossier.status not in (DossierStatus.RETURNED, DossierStatus.REFUSED):
        raise InvalidTransitionError("Chỉ đánh giá sau khi đã nhận kết quả.", "Rate only after the result is returned.")
    if dossier.rating:
        raise ConflictError("Hồ sơ này đã được đánh giá.", "This dossier has already been rated.")
    dossier.rating, dossier.rating_comment = rating, (comment or "").strip() or None
    record_event(dossier, "rated", data={"rating": rating}, comment=dossier.rating_comment)
    return dossier


def fire_due_timers(now: datetime | None = None) -> int:
    """Fire every BPMN timer due at `now`, one dossier per savepoint so one failure does not block others."""
    now = now or utcnow()
    fired = 0
    for dossier_id in workflow.dossiers_with_due_timers(now):
        try:
            with db.session.begin_nested():
                dossier = db.session.get(Dossier, dossier_id)
                instance = workflow.get_instance(dossier_id)
                result = workflow.advance(instance, "fire_timers", now)
                after_engine_step(dossier, instance, result, actor=None, full_timer_check=True)  # also orphans
                record_event(dossier, "timer_fired", at=now, data={"at": now.isoformat()}, to_step=dossier.current_step,
                             model_hash=_model_hash(instance), state_fingerprint=workflow.fingerprint(result.state))
                workflow.flush_instance()
            fired += 1
        except (ConflictError, ValidationError) as error:
            logger.warning("Timer of dossier %s not fired: %s", dossier_id, error)
    return fired
