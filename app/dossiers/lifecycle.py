"""Lifecycle of a received dossier: each service builds one pipeline Step for its declared action (actions.py).

Every function changes the dossier, the engine state, the task rows, the clock ledger and the event log
together through `pipeline.perform`; the caller's unit of work commits them at once or not at all.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.core.db import begin_savepoint, flush, utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.core.signals import outstanding_fee
from app.dossiers.actions import (
    Allowed,
    InvalidTransitionError,
    decision_action,
    ensure_allowed,
    reason_for,
    refusal,
    require_reason,
)
from app.dossiers.deadlines import clock_start, legal_due, refusal_due, supplement_window_end, working_days_between
from app.dossiers.models import Decision, Dossier, DossierStatus
from app.dossiers.pipeline import Outcome, Step, end_pause, perform
from app.dossiers.routing import arrival_at, ensure_competent
from app.dossiers.rules import get_ruleset
from app.dossiers.services import get_dossier, get_dossier_for, load_task_context
from app.dossiers.task_forms import decision_values, reason_field, validate_submission
from app.extensions import db
from app.history.services import HistoryEvent
from app.workflow import services as workflow
from app.workflow.models import HumanTask, ProcessInstance, TaskStatus

logger = logging.getLogger(__name__)

SUPPLEMENT_MESSAGE = "supplement_received"

__all__ = ["InvalidTransitionError", "SUPPLEMENT_MESSAGE", "complete_task", "receive_supplement", "withdraw",
           "refuse_receipt", "choose_return",
           "apologize", "extend_for_verification", "transfer", "add_comment", "rate", "fire_due_timers",
           "fire_claimed_timers", "get_task", "ensure_can_work"]


# --- tasks ----------------------------------------------------------------------------------

def get_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFoundError("Không tìm thấy công việc.", "Task not found.")
    return task


def ensure_can_work(actor: User, task: HumanTask, dossier: Dossier | None = None,
                    tasks: list[HumanTask] | None = None) -> Allowed:
    """Only holders of the task's role in the task's agency may act on it (the `complete_step` declaration)."""
    return ensure_allowed(actor, "complete_step", dossier or db.session.get(Dossier, task.dossier_id), [task])


def complete_task(actor: User | None, task_id: int, data: dict[str, Any], *, comment: str | None = None) -> Outcome:
    """Complete a human task with its validated form data and move the dossier on through the model; the
    outcome carries the dossier and the tasks open now (callers need not query them again)."""
    ctx = load_task_context(task_id)
    task = ctx.task
    if not task.is_open:
        raise InvalidTransitionError("Công việc này đã được xử lý.", "This task has already been completed.")
    if actor is not None and task.status == TaskStatus.CLAIMED and task.assignee_id != actor.id:
        raise ConflictError("Công việc đang do cán bộ khác xử lý.", "Another official has claimed this task.")
    allowed = ensure_allowed(actor, "complete_step", ctx.dossier, [task])
    cleaned = validate_submission(task.form_key, data)
    return complete_checked(actor, ctx.dossier, task, cleaned, comment, tasks=ctx.open_tasks, instance=ctx.instance,
                            allowed=allowed)


def complete_checked(actor: User | None, dossier: Dossier, task: HumanTask, cleaned: dict[str, Any],
                     comment: str | None, tasks: list[HumanTask] | None = None, *,
                     instance: ProcessInstance | None = None, allowed: Allowed | None = None) -> Outcome:
    """Complete `task` with already validated data (counter intake validates before the dossier exists)."""
    facts = _check_decision(dossier, task, cleaned, comment)
    if task.step_kind == "intake" and refusal(actor, "accept_receipt", dossier, [task]) is None:
        facts = {**facts, "accept": dossier.received_at.isoformat()}  # an online dossier accepted now
    if task.step_kind == "intake" and decision_action(cleaned.get("decision")) is None:
        facts = {**facts, "fee_owed": fee_owed(dossier)}
    if cleaned.get("decision") == Decision.REFUSE:
        facts = {**facts, "part": refused_part(dossier, task)}
    step = Step("complete_step", dossier, actor, task=task, engine_input=cleaned, tasks=tasks, instance=instance,
                allowed=allowed, event=HistoryEvent("", role=task.role, agency_id=task.agency_id, from_step=task.name,
                                                    comment=comment or (facts.get("reason") if facts.get("returned")
                                                                        else None)),
                riders=_riders(task, cleaned, comment, facts))
    step.apply = lambda _result: _apply_decision(dossier, task, cleaned, step.at, facts)
    outcome = perform(step)
    if task.completed_by_id != getattr(actor, "id", None):  # the projection closed it already: setting the same
        task.completed_by_id = getattr(actor, "id", None)  # value again would make the commit flush once more
    return outcome


def fee_owed(dossier: Dossier) -> int:
    """The fee still to pay when the procedure's handling waits for it (0: the clock runs)."""
    if not dossier.procedure.fee_before_handling:
        return 0
    return outstanding_fee(dossier)


def _riders(task: HumanTask, data: dict[str, Any], comment: str | None,
            facts: dict[str, Any]) -> list[tuple[str, HistoryEvent]]:
    """The decision actions a step completion carries. Receipt (counter) or acceptance (online) of a dossier whose
    fee is owed pauses its clock until the payment (await_fee; handling goes on, only the limit stands still)."""
    decision = data.get("decision")
    if facts.get("fee_owed"):
        return [*_riders(task, data, comment, {k: v for k, v in facts.items() if k != "fee_owed"}),
                ("await_fee", HistoryEvent("", role=task.role, agency_id=task.agency_id,
                                           data={"amount_vnd": facts["fee_owed"]}))]
    if facts.get("accept"):
        return [("accept_receipt", HistoryEvent("", role=task.role, agency_id=task.agency_id,
                                                data={"submitted_at": facts["accept"]})),
                *_riders(task, data, comment, {k: v for k, v in facts.items() if k != "accept"})]
    if decision == Decision.SUPPLEMENT:
        return [("request_supplement", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment,
                                                    data={"items": data.get("supplement_items"), **facts}))]
    if decision == Decision.REFUSE:
        reason = {"reason": facts.get("reason")}
        if facts.get("part"):  # one procedure of a liên thông chain: the others go on and are returned
            return [("refuse_part", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment,
                                                 data={**reason, "part": facts["part"], "part_name": task.name}))]
        return [("refuse", HistoryEvent("", role=task.role, agency_id=task.agency_id, comment=comment, data=reason))]
    if decision == Decision.REJECT:  # the pipeline hands the reopened step back (routing.hand_back)
        return [("return_step", HistoryEvent("", role=task.role, agency_id=task.agency_id, from_step=task.name,
                                             is_internal=True, data={"reason": facts.get("reason")}))]
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


def missing_reason(form_key: str | None, data: dict[str, Any],
                   comment: str | None) -> tuple[str, tuple[str, str]] | None:
    """(field, (Vietnamese, English) message) when the chosen decision needs a written reason that is not there.

    The reason is the form's field marked `properties.reason_for` with the decision (one box the official sees as
    soon as the decision is chosen); a form without such a field takes it in the task page's comment (`_comment`).
    """
    name = decision_action(data.get("decision"))
    if name is None or reason_for(name) is None:
        return None
    key = reason_field(form_key, str(data["decision"]))
    if (key and str(data.get(key) or "").strip()) or (comment or "").strip():
        return None
    return key or "_comment", reason_for(name)


def reason_boxes(form_key: str | None) -> dict[str, str]:
    """For each decision of a step form that needs a reason: the key of the one box it is written in (the form's
    marked field, or `_comment`: the task page's comment box)."""
    boxes = {}
    for value in decision_values(form_key):
        name = decision_action(value)
        if name and reason_for(name):
            boxes[value] = reason_field(form_key, value) or "_comment"
    return boxes


def given_reason(form_key: str | None, data: dict[str, Any], comment: str | None) -> str | None:
    """The reason written for the chosen decision: its marked field, else the comment."""
    key = reason_field(form_key, str(data.get("decision") or ""))
    return (str(data.get(key) or "").strip() if key else "") or (comment or "").strip() or None


def _check_decision(dossier: Dossier, task: HumanTask, data: dict[str, Any], comment: str | None) -> dict[str, Any]:
    """Legal preconditions of the chosen decision (reasons, supplement window); returns what the event records."""
    problem = missing_reason(task.form_key, data, comment)
    if problem:
        field, (message, english) = problem
        raise ValidationError(message, english, details={"errors": {field: [message]}})
    decision = data.get("decision")
    if decision == Decision.SUPPLEMENT:
        return check_supplement_window(dossier, utcnow(), reason=comment)
    if decision in (Decision.REFUSE, Decision.REJECT):
        return {"reason": given_reason(task.form_key, data, comment), "returned": decision == Decision.REJECT}
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
    if task.step_kind == "stamping":  # a number typed by the records office wins; else the agency's next one
        typed = str(data.get("result_number") or "").strip()
        refused = decision == Decision.REFUSE or dossier.outcome == "refused"
        dossier.issue_result(now, typed or (None if refused else _new_result_number(task, now)))
        end_pause(dossier, now, "Đã có kết quả khi chưa nộp phí, lệ phí")  # handling is not blocked by the fee
    if task.step_kind == "return":
        dossier.hand_over(now)


def _new_result_number(task: HumanTask, now: datetime) -> str:
    """Allocate the issuing agency's next result number (the stamping step's agency), race-free."""
    from app.auth.models import Agency
    from app.core.timefmt import to_local
    from app.dossiers.codes import next_result_number

    agency = db.session.get(Agency, task.agency_id)
    return next_result_number(agency.id, agency.edoc_code or agency.code, to_local(now).year)


# --- legal actions around the model ---------------------------------------------------------

def receive_supplement(actor: User | None, code: str, *, documents: list[str], comment: str | None = None,
                       channel: str = "counter") -> Dossier:
    """Record the complete supplement: the time limit restarts from zero (Decree 107/2021). Online, the citizen's
    upload is the supplement (`actor` None, channel online)."""
    dossier = get_dossier(code)
    data = {"documents": documents, **({"channel": channel} if channel != "counter" else {})}
    owed = fee_owed(dossier)  # the full limit restarts, still paused while the fee it waits for is owed
    step = Step("receive_supplement", dossier, actor, engine_input={"supplement_documents": documents},
                message=SUPPLEMENT_MESSAGE, clock_reason=comment,
                event=HistoryEvent("", role="receiver" if channel == "counter" else None,
                                   agency_id=dossier.receiving_agency_id, comment=comment, data=data),
                riders=[("await_fee", HistoryEvent("", agency_id=dossier.receiving_agency_id,
                                                   data={"amount_vnd": owed}))] if owed else [])

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
    require_reason("withdraw", reason)
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
    require_reason("apologize", reason)
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
    require_reason("extend_for_verification", reason, field="reason")
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
    if dossier.apology_alerted_at is not None or dossier.status is DossierStatus.WAITING_SUPPLEMENT or (
            dossier.clock_paused_at is not None):
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
    require_reason("transfer", reason)
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
    """Claim and fire a batch of BPMN timers due at `now` in the caller's transaction."""
    now = now or utcnow()
    return fire_claimed_timers(workflow.dossiers_with_due_timers(now, limit), now)


def fire_claimed_timers(dossier_ids: list[int], now: datetime) -> int:
    """Fire the timers of claimed dossiers.

    First the whole batch at once: the dossiers, instances, open tasks and timers loaded in one query each, one
    flush writing each table's rows together (not six statements a dossier), inside one savepoint. Any failure
    rolls that savepoint back and the batch runs again one savepoint per dossier, so one failing dossier does not
    block the others (it is logged; the next sweep tries it again). The claims (row locks) are held throughout.
    """
    try:
        with begin_savepoint():
            fired = _fire_batch(dossier_ids, now, isolated=False)
            flush()
        return fired
    except Exception:  # noqa: BLE001 - whatever failed is isolated, named and logged by the per-dossier pass
        logger.info("Timer batch of %s dossiers failed as a whole; firing them one by one", len(dossier_ids))
    return _fire_batch(dossier_ids, now, isolated=True)


def _fire_batch(dossier_ids: list[int], now: datetime, *, isolated: bool) -> int:
    loaded = {d.id: d for d in db.session.scalars(select(Dossier).where(Dossier.id.in_(dossier_ids)))}
    batch = workflow.load_timer_batch(list(loaded))
    fired = 0
    for dossier_id in dossier_ids:
        dossier = loaded.get(dossier_id)
        if dossier is None or dossier_id not in batch.instances:
            continue
        step = Step("fire_timers", dossier, None, at=now, event=HistoryEvent("", data={"at": now.isoformat()}),
                    instance=batch.instances[dossier_id], tasks=batch.tasks[dossier_id],
                    timers=batch.timers[dossier_id], flush=isolated)
        if not isolated:
            perform(step)
            fired += 1
            continue
        try:
            with begin_savepoint():
                perform(step)
            fired += 1
        except (ConflictError, ValidationError) as error:
            logger.warning("Timer of dossier %s not fired: %s", dossier_id, error)
    return fired
