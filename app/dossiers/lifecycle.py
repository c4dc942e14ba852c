"""Lifecycle of a received dossier: each service builds one pipeline Step for its declared action (actions.py).

Every function changes the dossier, the engine state, the task rows, the clock ledger and the event log
together through `pipeline.perform`; the caller's unit of work commits them at once or not at all.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.dossiers.actions import InvalidTransitionError, ensure_allowed, refusal
from app.dossiers.deadlines import clock_start, legal_due, refusal_due, supplement_window_end, working_days_between
from app.dossiers.models import Decision, Dossier, DossierStatus
from app.dossiers.pipeline import Outcome, Step, perform
from app.dossiers.routing import arrival_at, ensure_competent
from app.dossiers.rules import get_ruleset
from app.dossiers.services import get_dossier, get_dossier_for
from app.dossiers.task_forms import validate_submission
from app.extensions import db
from app.history.services import HistoryEvent
from app.workflow import services as workflow
from app.workflow.models import HumanTask, TaskStatus

logger = logging.getLogger(__name__)

SUPPLEMENT_MESSAGE = "supplement_received"

__all__ = ["InvalidTransitionError", "SUPPLEMENT_MESSAGE", "complete_task", "receive_supplement", "withdraw",
           "refuse_receipt", "choose_return",
           "apologize", "extend_for_verification", "transfer", "add_comment", "rate", "fire_due_timers", "get_task",
           "ensure_can_work"]


# --- tasks ----------------------------------------------------------------------------------

def get_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFoundError("Không tìm thấy công việc.", "Task not found.")
    return task


def ensure_can_work(actor: User, task: HumanTask) -> None:
    """Only holders of the task's role in the task's agency may act on it (the `complete_step` declaration)."""
    ensure_allowed(actor, "complete_step", db.session.get(Dossier, task.dossier_id), [task])


def complete_task(actor: User | None, task_id: int, data: dict[str, Any], *, comment: str | None = None) -> Outcome:
    """Complete a human task with its validated form data and move the dossier on through the model; the
    outcome carries the dossier and the tasks open now (callers need not query them again)."""
    task = get_task(task_id)
    if not task.is_open:
        raise InvalidTransitionError("Công việc này đã được xử lý.", "This task has already been completed.")
    if actor is not None and task.status == TaskStatus.CLAIMED and task.assignee_id != actor.id:
        raise ConflictError("Công việc đang do cán bộ khác xử lý.", "Another official has claimed this task.")
    dossier = db.session.get(Dossier, task.dossier_id)
    ensure_allowed(actor, "complete_step", dossier, [task])
    cleaned = validate_submission(task.form_key, data)
    return complete_checked(actor, dossier, task, cleaned, comment)


def complete_checked(actor: User | None, dossier: Dossier, task: HumanTask, cleaned: dict[str, Any],
                     comment: str | None, tasks: list[HumanTask] | None = None) -> Outcome:
    """Complete `task` with already validated data (counter intake validates before the dossier exists)."""
    facts = _check_decision(dossier, task, cleaned, comment)
    if task.step_kind == "intake" and refusal(actor, "accept_receipt", dossier, [task]) is None:
        facts = {**facts, "accept": dossier.received_at.isoformat()}  # an online dossier accepted now
    if cleaned.get("decision") == Decision.REFUSE:
        facts = {**facts, "part": refused_part(dossier, task)}
    step = Step("complete_step", dossier, actor, task=task, engine_input=cleaned, tasks=tasks,
                event=HistoryEvent("", role=task.role, agency_id=task.agency_id, from_step=task.name,
                                   comment=comment),
                riders=_riders(task, cleaned, comment, facts))
    step.apply = lambda _result: _apply_decision(dossier, task, cleaned, step.at, facts)
    outcome = perform(step)
    task.completed_by_id = getattr(actor, "id", None)
    return outcome


def _riders(task: HumanTask, data: dict[str, Any], comment: str | None,
            facts: dict[str, Any]) -> list[tuple[str, HistoryEvent]]:
    decision = data.get("decision")
    if facts.get("accept"):
        return [("accept_receipt", HistoryEvent("", role=task.role, agency_id=task.agency_id,
                                                data={"submitted_at": facts["accept"]})),
                *_riders(task, data, comment, {k: v for k, v in facts.items() if k != "accept"})]
    if decision == Decision.SUPPLEMENT:
        return [("request_supplement", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment,
                                                    data={"items": data.get("supplement_items"), **facts}))]
    if decision == Decision.REFUSE:
        reason = {"reason": data.get("refusal_reason") or comment}
        if facts.get("part"):  # one procedure of a liên thông chain: the others go on and are returned
            return [("refuse_part", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment,
                                                 data={**reason, "part": facts["part"], "part_name": task.name}))]
        return [("refuse", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment, data=reason))]
    return []


def refused_part(dossier: Dossier, task: HumanTask) -> str | None:
    """The called process whose procedure alone a refusal at `task` refuses, or None (the whole dossier).

    A model marks the parallel parts of a liên thông chain with the process property refusal_scope=part
    (children under 6: residence and health insurance, Decree 63/2024 [unsure: the decree's wording on a
    partial refusal]); the chain's precondition (the birth registration) refuses the whole dossier.
    """
    from app.workflow.models import ProcessVersion

    model = workflow.model_for(db.session.get(ProcessVersion, dossier.process_version_id))
    info = model.task_info(task.bpmn_id)
    if info is None or model.properties(info.process_id).get("refusal_scope") != "part":
        return None
    return info.process_id


def _check_decision(dossier: Dossier, task: HumanTask, data: dict[str, Any], comment: str | None) -> dict[str, Any]:
    """Legal preconditions of the chosen decision (reasons, supplement window); returns what the event records."""
    decision = data.get("decision")
    if decision in (Decision.REFUSE, Decision.REJECT) and not (
            comment or data.get("refusal_reason") or data.get("opinion")):
        raise ValidationError("Cần nêu rõ lý do.", "A reason is required.")
    if decision == Decision.SUPPLEMENT:
        if not (data.get("supplement_items") or comment):
            raise ValidationError("Cần liệt kê đầy đủ giấy tờ cần bổ sung.", "List every document to supplement.")
        return check_supplement_window(dossier, utcnow(), reason=comment)
    return {}


def check_supplement_window(dossier: Dossier, at: datetime, *, reason: str | None) -> dict[str, Any]:
    """Within N working days of receipt (rule set, or the procedure's sector law) the request is compliant;
    later it needs a reason and is flagged non-compliant, unless the rule set refuses it outright."""
    ruleset = get_ruleset(dossier.ruleset)
    window_end = supplement_window_end(dossier.procedure, dossier.receiving_agency_id, dossier.received_at, ruleset)
    facts = {"compliant": at <= window_end, "window_end": window_end.isoformat()}
    if facts["compliant"]:
        return facts
    days = dossier.procedure.supplement_days
    days = float(days) if days is not None else ruleset.supplement_request_days
    if ruleset.supplement_deadline_enforced:
        raise InvalidTransitionError(
            f"Đã quá {days:g} ngày làm việc kể từ ngày tiếp nhận: không được yêu cầu bổ sung.",
            f"More than {days:g} working days since the receipt day: supplements can no longer be requested.")
    if not (reason or "").strip():
        raise ValidationError(
            f"Đã quá {days:g} ngày làm việc kể từ ngày tiếp nhận: cần ghi lý do yêu cầu bổ sung muộn "
            "(yêu cầu sẽ được đánh dấu không đúng quy định).",
            f"More than {days:g} working days since the receipt day: give the reason for the late request "
            "(it will be flagged non-compliant).")
    return {**facts, "late_reason": reason.strip()}


def _apply_decision(dossier: Dossier, task: HumanTask, data: dict[str, Any], now: datetime,
                    facts: dict[str, Any]) -> None:
    """Translate the step's decision into the dossier's legal status, as of the action's instant."""
    decision = data.get("decision")
    if facts.get("accept"):  # online: the time limit runs from the receiver's acceptance, not the submission
        agency_id, rules = dossier.receiving_agency_id, get_ruleset(dossier.ruleset)
        dossier.restart_clock(clock_start(dossier.procedure, agency_id, now),
                              legal_due(dossier.procedure, agency_id, now, dossier.legal_days, ruleset=rules))
    dossier.start_processing()
    if decision == Decision.SUPPLEMENT:
        dossier.wait_for_supplement(compliant=facts.get("compliant", True))
    elif decision == Decision.REFUSE and not facts.get("part"):
        dossier.decide_refusal(now, refusal_due(dossier.procedure, dossier.receiving_agency_id,
                                                dossier.clock_started_at, dossier.legal_due_at,
                                                get_ruleset(dossier.ruleset)))
    if task.step_kind == "stamping":
        dossier.issue_result(now, str(data.get("result_number") or "") or None)
    if task.step_kind == "return":
        dossier.hand_over(now)


# --- legal actions around the model ---------------------------------------------------------

def receive_supplement(actor: User | None, code: str, *, documents: list[str], comment: str | None = None,
                       channel: str = "counter") -> Dossier:
    """Record the complete supplement: the time limit restarts from zero (Decree 107/2021). Online, the citizen's
    upload is the supplement (`actor` None, channel online)."""
    dossier = get_dossier(code)
    data = {"documents": documents, **({"channel": channel} if channel != "counter" else {})}
    step = Step("receive_supplement", dossier, actor, engine_input={"supplement_documents": documents},
                message=SUPPLEMENT_MESSAGE, clock_reason=comment,
                event=HistoryEvent("", role="receiver" if channel == "counter" else None,
                                   agency_id=dossier.receiving_agency_id, comment=comment, data=data))

    def restart(_result: Any) -> None:
        agency_id = dossier.receiving_agency_id
        dossier.restart_clock(clock_start(dossier.procedure, agency_id, step.at),
                              legal_due(dossier.procedure, agency_id, step.at, dossier.legal_days,
                                        ruleset=get_ruleset(dossier.ruleset)))
        step.event.data["due_at"] = dossier.due_at.isoformat()

    step.apply = restart
    perform(step)
    return dossier


def withdraw(actor: User | None, code: str, *, reason: str, channel: str = "counter") -> Dossier:
    """Stop handling at the applicant's request (stop notice); refused once a result is issued."""
    dossier = get_dossier(code)
    ensure_allowed(actor, "withdraw", dossier)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do rút hồ sơ.", "A withdrawal reason is required.")
    step = Step("withdraw", dossier, actor, clock_reason=reason,
                event=HistoryEvent("", role="receiver", agency_id=dossier.receiving_agency_id, comment=reason,
                                   data={"channel": channel, "stop_notice": True}))
    step.apply = lambda _result: dossier.stop(step.at)
    perform(step)
    return dossier


def refuse_receipt(actor: User | None, code: str, *, reason: str) -> Dossier:
    """Refuse to receive an online dossier, with the written reason the applicant is sent (no processing starts)."""
    dossier = get_dossier(code)
    ensure_allowed(actor, "refuse_receipt", dossier)
    if not (reason or "").strip():
        raise ValidationError("Cần nêu rõ lý do từ chối tiếp nhận.", "A reason for the refusal is required.")
    step = Step("refuse_receipt", dossier, actor, clock_reason=reason.strip(),
                event=HistoryEvent("", role="receiver", agency_id=dossier.receiving_agency_id, comment=reason.strip(),
                                   data={"channel": dossier.channel.value}))
    step.apply = lambda _result: dossier.refuse_receipt(step.at)
    perform(step)
    return dossier


def choose_return(actor: User | None, code: str, *, method: str, address: str | None = None) -> Dossier:
    """The applicant changes how they receive the result (e.g. by post, to this address) before it is returned."""
    dossier = get_dossier(code)
    ensure_allowed(actor, "choose_return", dossier)
    if method not in (dossier.procedure.return_methods or ["counter"]):
        raise ValidationError("Thủ tục không cho phép hình thức nhận kết quả này.",
                              "The procedure does not offer this way of returning the result.")
    if method == "post" and not (address or dossier.applicant_address or "").strip():
        raise ValidationError("Cần địa chỉ nhận kết quả qua bưu điện.", "An address is needed for return by post.")
    step = Step("choose_return", dossier, actor, event=HistoryEvent("", data={"method": method}))

    def change(_result: Any) -> None:
        step.event.data["previous"] = dossier.return_method
        dossier.return_method = method
        if method == "post" and (address or "").strip():
            dossier.applicant_address = address.strip()[:500]

    step.apply = change
    perform(step)
    return dossier


def apologize(actor: User, code: str, *, reason: str, new_due_at: datetime) -> Dossier:
    """Send the apology letter with a new appointment; statistics keep the original due date."""
    dossier = get_dossier(code)
    ensure_allowed(actor, "apologize", dossier)
    if not (reason or "").strip():
        raise ValidationError("Cần nêu lý do chậm trễ.", "A reason for the delay is required.")
    if new_due_at <= dossier.due_at:
        raise ValidationError("Ngày hẹn mới phải sau ngày hẹn hiện tại.", "The new date must be after the current one.",
                              details={"errors": {"new_date": ["Ngày hẹn mới phải sau ngày hẹn hiện tại."]}})
    _check_appointment_day(dossier, new_due_at)
    lead_days = get_ruleset(dossier.ruleset).apology_lead_days
    compliant = working_days_between(dossier.receiving_agency_id, utcnow(), dossier.due_at) >= lead_days
    step = Step("apologize", dossier, actor, clock_reason=reason,
                event=HistoryEvent("", agency_id=dossier.current_agency_id, comment=reason))

    def reschedule(_result: Any) -> None:
        previous = dossier.reschedule(new_due_at, compliant=compliant)
        step.event.data = {"previous_due_at": previous.isoformat(), "new_due_at": new_due_at.isoformat(),
                           "compliant": compliant}

    step.apply = reschedule
    perform(step)
    return dossier


def extend_for_verification(actor: User, code: str, *, reason: str) -> Dossier:
    """Extend the legal limit by the procedure's verification days (sector law), once, with the reason recorded."""
    dossier = get_dossier(code)
    ensure_allowed(actor, "extend_for_verification", dossier)
    if not (reason or "").strip():
        raise ValidationError("Cần nêu nội dung cần xác minh.", "Say what has to be verified.",
                              details={"errors": {"reason": ["required"]}})
    step = Step("extend_for_verification", dossier, actor, clock_reason=reason.strip(),
                event=HistoryEvent("", agency_id=dossier.current_agency_id, comment=reason.strip()))

    def extend(_result: Any) -> None:
        days = dossier.procedure.verification_days
        new_due = legal_due(dossier.procedure, dossier.current_agency_id or dossier.receiving_agency_id,
                            dossier.legal_due_at, days, at_receipt=False, ruleset=get_ruleset(dossier.ruleset))
        previous = dossier.extend_for_verification(step.at, new_due)
        step.event.data = {"previous_legal_due_at": previous.isoformat(), "legal_due_at": new_due.isoformat(),
                           "days": float(days)}

    step.apply = extend
    perform(step)
    return dossier


def _check_appointment_day(dossier: Dossier, new_due_at: datetime) -> None:
    """The applicant is told to come back on a working day of the receiving agency's calendar."""
    from app.calendar.services import get_calendar
    from app.core.timefmt import format_date, to_local

    day = to_local(new_due_at).date()
    if not get_calendar(dossier.receiving_agency_id).is_working_day(day):
        raise ValidationError(f"Ngày hẹn mới ({format_date(day)}) không phải ngày làm việc.",
                              f"The new appointment ({format_date(day)}) is not a working day.",
                              details={"errors": {"new_date": ["Ngày hẹn mới không phải ngày làm việc."]}})
def apology_alert_due(dossier: Dossier, now: datetime) -> bool:
    """One working day (the rule set's apology lead) plus the configured margin or less remains, the dossier is
    not waiting for the applicant, no alert was raised yet and an apology may still be sent."""
    from app.dossiers.actions import refusal

    rules = get_ruleset(dossier.ruleset)
    if dossier.apology_alerted_at is not None or dossier.status is DossierStatus.WAITING_SUPPLEMENT:
        return False
    if dossier.due_at <= now or refusal(None, "alert_apology", dossier) is not None:
        return False
    left = working_days_between(dossier.receiving_agency_id, now, dossier.due_at)
    return left <= rules.apology_lead_days + rules.apology_alert_margin_days


def alert_apology(dossier: Dossier, now: datetime) -> Dossier:
    """Record the alert on the dossier (its page and the inbox show it to the handling leader)."""
    left = working_days_between(dossier.receiving_agency_id, now, dossier.due_at)
    step = Step("alert_apology", dossier, None, at=now,
                event=HistoryEvent("", agency_id=dossier.current_agency_id,
                                   data={"due_at": dossier.due_at.isoformat(), "working_days_left": round(left, 2)}))
    step.apply = lambda _result: setattr(dossier, "apology_alerted_at", now)
    perform(step)
    return dossier


def transfer(actor: User, code: str, *, to_agency_code: str, reason: str) -> Dossier:
    """Move the open tasks of a dossier to another competent agency (liên thông), with a reason."""
    from app.auth.services import get_agency_by_code

    dossier = get_dossier(code)
    target = get_agency_by_code(to_agency_code)
    tasks = workflow.open_tasks(dossier.id)
    if not tasks:
        raise InvalidTransitionError("Hồ sơ không có bước đang xử lý để chuyển.", "No open step to transfer.")
    ensure_allowed(actor, "transfer", dossier, tasks)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do chuyển.", "A transfer reason is required.")
    ensure_competent(dossier, target)
    source = tasks[0].agency_id
    step = Step("transfer", dossier, actor, tasks=tasks,
                event=HistoryEvent("", agency_id=source, comment=reason,
                                   data={"from_agency": source, "to_agency": target.id}))

    def move(_result: Any) -> None:
        arrives = arrival_at(dossier, target.id, step.at)
        step.event.data["arrives_at"] = arrives.isoformat()
        for task in tasks:
            task.agency_id, task.assignee_id, task.status = target.id, None, TaskStatus.OPEN
        dossier.transfer_to(target.id)

    step.apply = move
    perform(step)
    return dossier


def add_comment(actor: User, code: str, text: str) -> Dossier:
    """Internal note between officials: shown in the timeline, never to the citizen."""
    dossier = get_dossier_for(actor, code)
    if not (text or "").strip():
        raise ValidationError("Nội dung trao đổi không được để trống.", "The comment is empty.")
    step = Step("comment", dossier, actor, event=HistoryEvent("", comment=text.strip(), is_internal=True))
    step.apply = lambda _result: setattr(dossier, "comment_count", dossier.comment_count + 1)
    perform(step)
    return dossier


def rate(code: str, pin: str | None, rating: str, comment: str | None = None, *, verified: bool = False) -> Dossier:
    """Citizen rating after return: one per dossier."""
    from app.core.errors import PermissionDeniedError
    from app.dossiers.codes import pin_matches

    dossier = get_dossier(code)
    if not verified and not (pin and pin_matches(dossier.code, pin, dossier.pin_hash)):
        raise PermissionDeniedError("Mã tra cứu không đúng.", "Wrong lookup PIN.")
    if rating not in ("very_satisfied", "satisfied", "unsatisfied"):
        raise ValidationError("Mức đánh giá không hợp lệ.", "Invalid rating.")
    text = (comment or "").strip() or None
    step = Step("rate", dossier, None, event=HistoryEvent("", data={"rating": rating}, comment=text))

    def store(_result: Any) -> None:
        dossier.rating, dossier.rating_comment = rating, text

    step.apply = store
    perform(step)
    return dossier


def fire_due_timers(now: datetime | None = None, limit: int = 200) -> int:
    """Fire a batch of BPMN timers due at `now`, one dossier per savepoint so one failure does not block others."""
    now = now or utcnow()
    fired = 0
    for dossier_id in workflow.dossiers_with_due_timers(now, limit):
        try:
            with db.session.begin_nested():
                dossier = db.session.get(Dossier, dossier_id)
                step = Step("fire_timers", dossier, None, at=now, event=HistoryEvent("", data={"at": now.isoformat()}))
                perform(step)
            fired += 1
        except (ConflictError, ValidationError) as error:
            logger.warning("Timer of dossier %s not fired: %s", dossier_id, error)
    return fired
