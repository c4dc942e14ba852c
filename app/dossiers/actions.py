"""Every lifecycle action declared once: who may do it and when, the engine call, the clock effect, the event.

`available_actions(actor, dossier)` is the single answer used by the dossier page (which buttons show), the API
and the scheduler; `ensure_allowed` is what the pipeline checks before it runs an action. Adding an action is
one `Action(...)` here, one service function calling `pipeline.perform`, and its form or API schema.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.auth.models import Agency, User
from app.core.db import utcnow
from app.core.errors import ConflictError, PermissionDeniedError, ValidationError
from app.core.permissions import OFFICIAL_ROLES
from app.core.timefmt import to_local
from app.dossiers.involvement import involved_agency_ids
from app.dossiers.models import Channel, Dossier, DossierStatus
from app.dossiers.rules import RuleSet, get_ruleset
from app.extensions import db


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"


class Clock(enum.StrEnum):
    """What an action does to the dossier's time limit (a ClockEntry of that kind is appended)."""

    NONE = "none"
    START = "start"
    PAUSE = "pause"  # waiting for the applicant
    RESTART = "restart"  # the complete supplement arrived: the full limit again
    RESUME = "resume"  # the applicant did what the clock waited for (the fee): due dates move by the paused time
    EXTEND = "extend"  # apology with a new appointment
    STOP = "stop"


class Where(enum.StrEnum):
    """The agency an actor's role must be held at."""

    RECEIVING = "receiving"
    CURRENT = "current"  # the agency handling the dossier now
    TASK = "task"  # the task's own role, at the task's agency (every open task acted on)
    TASK_AGENCY = "task_agency"  # this role at the agency of the task acted on (a leader over a task)
    INVOLVED = "involved"  # receiving agency or any agency holding one of its tasks


class EngineOp(enum.StrEnum):
    START = "start"
    COMPLETE_TASK = "complete_task"
    SEND_MESSAGE = "send_message"
    FIRE_TIMERS = "fire_timers"
    CANCEL = "cancel"
    MIGRATE = "migrate"


Refusal = tuple[str, str]  # (Vietnamese, English)
Condition = Callable[[Dossier, RuleSet], Refusal | None]


@dataclass(frozen=True)
class Action:
    """A lifecycle action: `who` are (role, where) pairs, any of which allows it; an empty `who` is the system's."""

    name: str
    label: Any
    who: tuple[tuple[str, Where], ...]
    when: Condition
    event: str
    engine: EngineOp | None = None
    clock: Clock = Clock.NONE
    reason: Refusal | None = None  # the law asks for a written reason: what to say when it is missing
    hands_back: bool = False  # the steps it opens again go to the officials who handled them before


# --- conditions (one place for each legal rule) -----------------------------------------------

def _open(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    if not dossier.is_open:
        return ("Hồ sơ đã kết thúc.", "The dossier is closed.")
    return None


def _waiting_supplement(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    if dossier.status is not DossierStatus.WAITING_SUPPLEMENT:
        return ("Hồ sơ không ở trạng thái chờ bổ sung.", "The dossier is not waiting for a supplement.")
    return None


def _withdrawable(dossier: Dossier, rules: RuleSet) -> Refusal | None:
    if rules.withdrawal_from is None or to_local(utcnow()).date() < rules.withdrawal_from:
        return ("Quy định áp dụng cho hồ sơ này không cho phép rút hồ sơ.",
                "The rules applying to this dossier do not allow withdrawal.")
    if not dossier.is_open or dossier.result_ready_at is not None:
        return ("Hồ sơ đã có kết quả hoặc đã kết thúc: không thể dừng xử lý.",
                "A result was already issued or the dossier is closed: it cannot be stopped.")
    return None


def _apology_left(dossier: Dossier, rules: RuleSet) -> Refusal | None:
    if not dossier.is_open or dossier.result_ready_at is not None:
        return ("Hồ sơ đã có kết quả hoặc đã kết thúc.", "The dossier already has a result or is closed.")
    if dossier.apology_count >= rules.max_appointment_resets:
        return (f"Chỉ được hẹn lại ngày trả kết quả {rules.max_appointment_resets} lần.",
                f"The appointment can be reset only {rules.max_appointment_resets} time(s).")
    return None


def _verification_left(dossier: Dossier, rules: RuleSet) -> Refusal | None:
    """Only where the procedure's law gives a verification extension, once, while it is being handled."""
    if dossier.procedure.verification_days is None:
        return ("Thủ tục này không có quy định gia hạn để xác minh.",
                "This procedure's law has no extension for verification.")
    if dossier.verification_extended_at is not None:
        return ("Hồ sơ đã được gia hạn để xác minh.", "The time limit was already extended for verification.")
    if dossier.result_ready_at is not None:
        return ("Hồ sơ đã có kết quả.", "The dossier already has a result.")
    return _processing(dossier, rules)


def _processing(dossier: Dossier, rules: RuleSet) -> Refusal | None:
    if dossier.status is DossierStatus.WAITING_SUPPLEMENT:
        return ("Hồ sơ đang chờ người nộp bổ sung.", "The dossier is waiting for the applicant's supplement.")
    return _open(dossier, rules)


def _supplement_left(dossier: Dossier, rules: RuleSet) -> Refusal | None:
    """Supplements are requested once, completely (the rule set says how many times)."""
    if dossier.supplement_count >= rules.max_supplement_requests:
        return (f"Chỉ được yêu cầu bổ sung hồ sơ {rules.max_supplement_requests} lần.",
                f"A supplement can be requested only {rules.max_supplement_requests} time(s).")
    return _processing(dossier, rules)


def _awaiting_receipt(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    """An online dossier the receiving agency has not accepted yet (its intake step is still open)."""
    if dossier.channel is not Channel.ONLINE or dossier.status is not DossierStatus.RECEIVED or (
            dossier.current_step_kind != "intake"):
        return ("Chỉ từ chối tiếp nhận được hồ sơ nộp trực tuyến chưa được tiếp nhận.",
                "Only an online dossier that was not accepted yet can be refused at receipt.")
    return None


def _result_for_post(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    """The result is ready and the applicant chose to receive it by post."""
    if dossier.return_method != "post":
        return ("Người nộp không đăng ký nhận kết quả qua bưu điện.", "The applicant did not ask for return by post.")
    if dossier.status is not DossierStatus.RESULT_READY:
        return ("Hồ sơ chưa có kết quả để gửi.", "There is no result to send yet.")
    return None


def _not_returned(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    if not dossier.is_open or dossier.returned_at is not None:
        return ("Kết quả đã được trả hoặc hồ sơ đã kết thúc.", "The result was returned or the dossier is closed.")
    return None


def _rated_once(dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    if dossier.status not in (DossierStatus.RETURNED, DossierStatus.REFUSED):
        return ("Chỉ đánh giá sau khi đã nhận kết quả.", "Rate only after the result is returned.")
    if dossier.rating:
        return ("Hồ sơ này đã được đánh giá.", "This dossier has already been rated.")
    return None


def _always(_dossier: Dossier, _rules: RuleSet) -> Refusal | None:
    return None


_TASK_ROLE = tuple((role, Where.TASK) for role in OFFICIAL_ROLES)
_OFFICIALS = tuple((role, Where.INVOLVED) for role in OFFICIAL_ROLES)

ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("receive", _l("Tiếp nhận hồ sơ"), (("receiver", Where.RECEIVING),), _always, "received",
           EngineOp.START, Clock.START),
    Action("complete_step", _l("Hoàn thành bước xử lý"), _TASK_ROLE, _processing, "task_completed",
           EngineOp.COMPLETE_TASK),
    Action("request_supplement", _l("Yêu cầu bổ sung hồ sơ"), _TASK_ROLE, _supplement_left, "supplement_requested",
           clock=Clock.PAUSE, reason=("Cần liệt kê đầy đủ giấy tờ cần bổ sung.", "List every document to supplement.")),
    Action("refuse", _l("Từ chối giải quyết"), _TASK_ROLE, _processing, "refused",
           reason=("Cần nêu rõ lý do từ chối.", "A refusal needs its reasons.")),
    Action("refuse_part", _l("Từ chối một thủ tục của chuỗi liên thông"), _TASK_ROLE, _processing, "part_refused",
           reason=("Cần nêu rõ lý do từ chối.", "A refusal needs its reasons.")),
    Action("return_step", _l("Trả về bước trước"), _TASK_ROLE, _processing, "step_returned",
           reason=("Cần nêu rõ lý do trả về bước trước.", "Say why the dossier goes back to the previous step."),
           hands_back=True),
    Action("receive_supplement", _l("Nhận hồ sơ bổ sung"), (("receiver", Where.RECEIVING),), _waiting_supplement,
           "supplement_received", EngineOp.SEND_MESSAGE, Clock.RESTART),
    Action("accept_receipt", _l("Tiếp nhận hồ sơ trực tuyến"), (("receiver", Where.RECEIVING),), _awaiting_receipt,
           "receipt_accepted", clock=Clock.RESTART),
    Action("refuse_receipt", _l("Từ chối tiếp nhận hồ sơ"), (("receiver", Where.RECEIVING),), _awaiting_receipt,
           "receipt_refused", EngineOp.CANCEL, Clock.STOP),
    Action("withdraw", _l("Rút hồ sơ (dừng giải quyết)"), (("receiver", Where.RECEIVING),), _withdrawable,
           "stopped", EngineOp.CANCEL, Clock.STOP,
           reason=("Cần ghi lý do rút hồ sơ.", "A withdrawal reason is required.")),
    Action("apologize", _l("Xin lỗi và hẹn lại ngày trả"),
           (("leader", Where.CURRENT), ("receiver", Where.RECEIVING)), _apology_left, "apology_sent",
           clock=Clock.EXTEND, reason=("Cần nêu lý do chậm trễ.", "A reason for the delay is required.")),
    Action("extend_for_verification", _l("Gia hạn để xác minh"),
           (("specialist", Where.CURRENT), ("leader", Where.CURRENT)), _verification_left, "verification_extended",
           clock=Clock.EXTEND, reason=("Cần nêu nội dung cần xác minh.", "Say what has to be verified.")),
    Action("transfer", _l("Chuyển đơn vị xử lý"), _TASK_ROLE, _processing, "transferred",
           reason=("Cần ghi lý do chuyển.", "A transfer reason is required.")),
    Action("reassign", _l("Phân công lại"), (("leader", Where.TASK_AGENCY),), _open, "task_reassigned",
           reason=("Cần ghi lý do phân công lại.", "A reason is required.")),
    Action("comment", _l("Trao đổi nội bộ"), _OFFICIALS, _always, "comment"),
    Action("attach_documents", _l("Đính kèm giấy tờ (bản quét)"), _OFFICIALS, _always, "documents_attached"),
    Action("reissue_pin", _l("Cấp lại mã tra cứu"), (("receiver", Where.RECEIVING),), _always, "pin_reissued"),
    Action("migrate", _l("Chuyển phiên bản quy trình"), (("designer", Where.RECEIVING),), _open, "migrated",
           EngineOp.MIGRATE),
    Action("fire_timers", _l("Hẹn giờ của quy trình"), (), _open, "timer_fired", EngineOp.FIRE_TIMERS),
    Action("alert_apology", _l("Cảnh báo cần gửi thư xin lỗi"), (), _apology_left, "apology_alerted"),
    Action("rate", _l("Đánh giá mức độ hài lòng"), (), _rated_once, "rated"),
    Action("await_fee", _l("Tạm dừng thời hạn chờ nộp phí, lệ phí"), (("receiver", Where.RECEIVING),), _open,
           "fee_awaited", clock=Clock.PAUSE),
    # The gateway's signed messages (the system) or the counter's cash confirmation (a receiver).
    Action("confirm_payment", _l("Ghi nhận thanh toán phí, lệ phí"), (("receiver", Where.RECEIVING),), _always,
           "fee_paid", clock=Clock.RESUME),
    Action("hand_to_post", _l("Gửi kết quả qua bưu điện"), (("returner", Where.RECEIVING),), _result_for_post,
           "posted"),
    Action("choose_return", _l("Chọn hình thức nhận kết quả"), (), _not_returned, "return_method_chosen"),
    Action("post_status", _l("Cập nhật trạng thái bưu gửi"), (), _always, "post_status"),
)}

#: The decisions of a step form (forms/*.json `decision`) that are lifecycle actions of their own, carried by the
#: completion of the step (pipeline riders).
DECISION_ACTIONS = {"supplement": "request_supplement", "refuse": "refuse", "reject": "return_step"}

#: Actions offered on the dossier page (the task's own actions are on the task page).
DOSSIER_PAGE_ACTIONS = ("refuse_receipt",
                        "receive_supplement", "withdraw", "apologize", "extend_for_verification", "transfer", "comment")


# --- reasons (one rule: the declaration says which actions need one) ----------------------------

def reason_for(name: str) -> Refusal | None:
    """What to tell the official when action `name` is run without the written reason the law asks for (None: no
    reason needed)."""
    return ACTIONS[name].reason


def decision_action(decision: str | None) -> str | None:
    """The lifecycle action a step form's decision stands for (None: plain completion of the step)."""
    return DECISION_ACTIONS.get(str(decision or ""))


def allowed_decisions(actor: User | None, dossier: Dossier, task: Any, values: list[str]) -> dict[str, Any]:
    """The decisions of a step form `actor` may take on `task` now, each with the label of the lifecycle action it
    stands for (None: plain completion of the step); e.g. no 'supplement' once the rule set's requests are used."""
    allowed = {}
    for value in values:
        name = decision_action(value)
        if name is None or refusal(actor, name, dossier, [task]) is None:
            allowed[value] = ACTIONS[name].label if name else None
    return allowed


def require_reason(name: str, text: str | None, field: str | None = None) -> str:
    """Return the stripped reason, or raise the declared ValidationError (422) when action `name` needs one."""
    text = (text or "").strip()
    messages = reason_for(name)
    if messages and not text:
        details = {"errors": {field: [messages[0]]}} if field else None
        raise ValidationError(*messages, details=details)
    return text


# --- who may act ------------------------------------------------------------------------------

def _agencies(where: Where, dossier: Dossier, tasks: list[Any]) -> list[Agency | None]:
    if where is Where.RECEIVING:
        return [dossier.receiving_agency]
    if where is Where.CURRENT:
        return [dossier.current_agency]
    ids = {t.agency_id for t in tasks}
    if where is Where.INVOLVED:
        ids = involved_agency_ids(dossier)
    return [db.session.get(Agency, agency_id) for agency_id in sorted(i for i in ids if i is not None)]


def _holds(actor: User, action: Action, dossier: Dossier, tasks: list[Any]) -> bool:
    for role, where in action.who:
        if where is Where.TASK:
            if tasks and all(t.role == role and actor.has_role(role, _task_agency(t)) for t in tasks):
                return True
        elif any(a is not None and actor.has_role(role, a) for a in _agencies(where, dossier, tasks)):
            return True
    return False


def _task_agency(task: Any) -> Agency | None:
    return db.session.get(Agency, task.agency_id) if task.agency_id else None


def refusal(actor: User | None, name: str, dossier: Dossier, tasks: list[Any] | None = None) -> AppRefusal | None:
    """Why `actor` may not run action `name` on `dossier` now (None: allowed). `actor=None` is the system."""
    action = ACTIONS[name]
    tasks = list(tasks or [])
    if actor is not None and not (action.who and _holds(actor, action, dossier, tasks)):
        return AppRefusal(PermissionDeniedError, ("Bạn không có quyền thực hiện thao tác này trên hồ sơ.",
                                                  "You may not do this on this dossier."))
    reason = action.when(dossier, get_ruleset(dossier.ruleset))
    return AppRefusal(InvalidTransitionError, reason) if reason else None


@dataclass(frozen=True)
class AppRefusal:
    error: type
    messages: Refusal

    def raise_(self) -> None:
        raise self.error(*self.messages)


@dataclass(frozen=True, eq=False)
class Allowed:
    """Proof that `actor` may run action `name` on `dossier`, handed down so the pipeline does not check again."""

    name: str
    dossier: Dossier
    actor: User | None

    def covers(self, name: str, dossier: Dossier, actor: User | None) -> bool:
        return self.name == name and self.dossier is dossier and self.actor is actor


def ensure_allowed(actor: User | None, name: str, dossier: Dossier, tasks: list[Any] | None = None) -> Allowed:
    """Raise the refusal (403 or 409) unless `actor` may run `name` on `dossier` now; return the proof."""
    found = refusal(actor, name, dossier, tasks)
    if found:
        found.raise_()
    return Allowed(name, dossier, actor)


def ensure_can_receive(actor: User | None, agency: Agency) -> None:
    """Receipt happens before a dossier exists: a receiver of the receiving agency (or the online channel)."""
    if actor is not None and not actor.has_role("receiver", agency):
        raise PermissionDeniedError("Bạn không có quyền tiếp nhận hồ sơ tại đơn vị này.",
                                    "You may not receive dossiers at this agency.")


def available_actions(actor: User | None, dossier: Dossier, tasks: list[Any],
                      names: tuple[str, ...] = DOSSIER_PAGE_ACTIONS) -> list[str]:
    """The actions of `names` that `actor` may run on `dossier` now (with its open `tasks`)."""
    return [name for name in names if refusal(actor, name, dossier, tasks) is None]
