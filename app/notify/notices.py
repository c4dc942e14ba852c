"""Officials' notices (the bell): a task handed or returned to me, my step due soon or late, an escalation to the
agency's leaders, an apology due, a supplement answered. Written in the transaction of the change that caused
them (so a rolled-back change leaves none); e-mail copies go through the same outbox as the citizens' messages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.models import RoleAssignment, User
from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.core.timefmt import format_datetime
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.notify.models import NoticeSetting, Notification, OfficialNotice
from app.workflow.models import OPEN_TASK_STATUSES, HumanTask, TaskStatus

# kind -> (title, body) in the current locale from the notice's params; Vietnamese is stored, each reader sees
# their own language (User.locale), and e-mail copies go out in the recipient's.
NOTICE_TEXTS: dict[str, Callable[[dict], tuple[str, str]]] = {
    "assigned": lambda p: (
        _("Hồ sơ %(code)s: Ông/Bà được giao bước «%(step)s»", **p),
        _("%(actor)s giao Ông/Bà xử lý bước «%(step)s» của hồ sơ %(code)s. Lý do: %(reason)s", **p)),
    "supplement_answered": lambda p: (
        _("Hồ sơ %(code)s đã được bổ sung", **p),
        _("Người nộp đã bổ sung hồ sơ %(code)s lúc %(at)s theo yêu cầu của Ông/Bà; hồ sơ tiếp tục được giải quyết.",
          **p)),
    "returned": lambda p: (
        _("Hồ sơ %(code)s được trả lại bước «%(step)s»", **p),
        _("Bước «%(step)s» của hồ sơ %(code)s được chuyển lại cho Ông/Bà xử lý. Ý kiến: %(reason)s", **p)),
    "due_soon": lambda p: (
        _("Hồ sơ %(code)s: bước «%(step)s» đến hạn trong 01 ngày làm việc", **p),
        _("Bước «%(step)s» của hồ sơ %(code)s phải xong trước %(due)s.", **p)),
    "overdue": lambda p: (
        _("Hồ sơ %(code)s: bước «%(step)s» đã quá hạn", **p),
        _("Bước «%(step)s» của hồ sơ %(code)s đã quá hạn từ %(due)s. Đề nghị xử lý ngay.", **p)),
    "escalated": lambda p: (
        _("Quá hạn tại đơn vị: hồ sơ %(code)s, bước «%(step)s»", **p),
        _("Bước «%(step)s» của hồ sơ %(code)s quá hạn từ %(due)s (%(who)s). Đề nghị lãnh đạo chỉ đạo xử lý.", **p)),
    "apology_due": lambda p: (
        _("Hồ sơ %(code)s sắp quá hạn: cần gửi thư xin lỗi", **p),
        _("Hồ sơ %(code)s hẹn trả %(due)s: gửi văn bản xin lỗi và hẹn lại ngày trả.", **p)),
    "apology_due_email": lambda p: (  # to the handling leaders, always (not only with the e-mail copy turned on)
        _("Hồ sơ %(code)s sắp quá hạn: cần gửi thư xin lỗi", **p),
        _("Hồ sơ %(code)s (%(step)s) hẹn trả %(due)s. Đề nghị gửi văn bản xin lỗi và hẹn lại ngày trả chậm nhất 01 "
          "ngày làm việc trước ngày hẹn.", **p)),
}
PARAMS = ("code", "step", "actor", "reason", "at", "due", "who")


def notice_texts(kind: str, params: dict) -> tuple[str, str]:
    """Title and body of a notice in the current locale (missing people are named in that locale too)."""
    values = {name: "" for name in PARAMS} | {k: v for k, v in params.items() if v is not None}
    values["actor"] = values["actor"] or _("Lãnh đạo")
    values["who"] = values["who"] or _("chưa có người nhận")
    return NOTICE_TEXTS[kind](values)


def texts_in(language: str | None, kind: str, params: dict) -> tuple[str, str]:
    with force_locale(language if language in ("vi", "en") else "vi"):
        return notice_texts(kind, params)


def localized(notice: OfficialNotice) -> tuple[str, str]:
    """What the reader sees: rendered in their language from the params (older notices: the stored words)."""
    if notice.params is None or notice.kind not in NOTICE_TEXTS:
        return notice.title, notice.body
    return notice_texts(notice.kind, notice.params)


def notify_official(user_id: int, kind: str, params: dict, dossier_id: int | None = None,
                    dedupe_key: str | None = None) -> OfficialNotice | None:
    """Add a notice for one official (once per `dedupe_key`), and its e-mail copy when the official wants one."""
    if dedupe_key and db.session.scalar(select(OfficialNotice.id).where(
            OfficialNotice.user_id == user_id, OfficialNotice.dedupe_key == dedupe_key)):
        return None
    title, body = texts_in("vi", kind, params)
    notice = OfficialNotice(user_id=user_id, kind=kind, title=title[:255], body=body, params=params,
                            dossier_id=dossier_id, dedupe_key=dedupe_key, created_at=utcnow())
    db.session.add(notice)
    user = db.session.get(User, user_id)
    setting = db.session.get(NoticeSetting, user_id)
    if setting and setting.email_enabled and user and user.email and dossier_id:
        subject, text = texts_in(user.locale, kind, params)
        db.session.add(Notification(dossier_id=dossier_id, event_kind=f"official_{kind}"[:32], channel="email",
                                    recipient=user.email, subject=subject[:255], body=text,
                                    language=user.locale or "vi", next_attempt_at=utcnow()))
    return notice


def agency_leaders(agency_id: int | None) -> list[int]:
    """Ids of the enabled leaders of an agency."""
    query = (select(User.id).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(RoleAssignment.role == "leader", RoleAssignment.agency_id == agency_id,
                    User.is_enabled.is_(True)).order_by(User.id))
    return list(dict.fromkeys(db.session.scalars(query)))


# --- notices caused by dossier events (signal receiver, inside the event's transaction) ----------------------

def on_event(dossier: Dossier, event: Any, changes: Any = None) -> None:
    """Turn a recorded dossier event into the notices it deserves (`changes`: the step's TaskChanges)."""
    if event.kind == "task_reassigned" and (event.data or {}).get("to_user"):
        _assigned(dossier, event)
    if event.kind == "supplement_received":
        _supplement_answered(dossier, event)
    if changes is not None and changes.reopened:
        _returned_tasks(dossier, event, changes.reopened)


def _assigned(dossier: Dossier, event: Any) -> None:
    user_id = int(event.data["to_user"])
    if user_id != event.actor_id:
        notify_official(user_id, "assigned", {"code": dossier.code, "step": event.to_step,
                                              "actor": event.actor_name, "reason": event.comment}, dossier.id)


def _supplement_answered(dossier: Dossier, event: Any) -> None:
    request = db.session.scalar(select(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.kind == "supplement_requested",
        DossierEvent.actor_id.is_not(None)).order_by(DossierEvent.seq.desc()).limit(1))
    if request is not None and request.actor_id != event.actor_id:
        notify_official(request.actor_id, "supplement_answered",
                        {"code": dossier.code, "at": format_datetime(event.at)}, dossier.id)


def _returned_tasks(dossier: Dossier, event: Any, opened: list[HumanTask]) -> None:
    """A step opened again (e.g. a leader sent the appraisal back): tell whoever did it last time.

    The engine reports which opened tasks it had completed before, so only then does one query find who
    completed the same steps.
    """
    db.session.flush()  # the reopened tasks' ids name the notices (dedupe keys)
    rows = db.session.execute(select(HumanTask.bpmn_id, HumanTask.completed_by_id).where(
        HumanTask.dossier_id == dossier.id, HumanTask.bpmn_id.in_({task.bpmn_id for task in opened}),
        HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_by_id.is_not(None))
        .order_by(HumanTask.completed_at)).all()
    previous_by_step = {bpmn_id: user_id for bpmn_id, user_id in rows}  # the latest completion wins
    for task in opened:
        previous = previous_by_step.get(task.bpmn_id)
        if previous is not None and previous != event.actor_id:
            notify_official(previous, "returned", {"code": dossier.code, "step": task.name, "reason": event.comment},
                            dossier.id, dedupe_key=f"returned:{task.id}")


# --- periodic warnings (scheduler) ---------------------------------------------------------------------------

def warn_due_steps(now: datetime | None = None) -> dict[str, int]:
    """Warn assignees of steps due within one working day or late, and escalate steps late by more than
    ESCALATION_HOURS working hours to the leaders of the step's agency (each notice once per task)."""
    now = now or utcnow()
    cal = get_calendar()
    soon_until = cal.add_working_hours(now, cal.hours_per_day)
    delay = float(current_app.config.get("ESCALATION_HOURS", 8))
    counts = {"due_soon": 0, "overdue": 0, "escalated": 0}
    query = (select(HumanTask, Dossier).join(Dossier, Dossier.id == HumanTask.dossier_id)
             .where(HumanTask.status.in_(OPEN_TASK_STATUSES), HumanTask.due_at <= soon_until))
    for task, dossier in db.session.execute(query):
        for kind, user_ids in _due_recipients(task, now, cal, delay).items():
            for user_id in user_ids:
                if _due_notice(kind, task, dossier, user_id):
                    counts[kind] += 1
    return counts


def _due_recipients(task: HumanTask, now: datetime, cal: Any, delay: float) -> dict[str, list[int]]:
    mine = [task.assignee_id] if task.assignee_id else []
    if task.due_at > now:
        return {"due_soon": mine}
    recipients = {"overdue": mine}
    if cal.add_working_hours(task.due_at, delay) <= now:
        recipients["escalated"] = agency_leaders(task.agency_id)
    return recipients


def _due_notice(kind: str, task: HumanTask, dossier: Dossier, user_id: int) -> OfficialNotice | None:
    assignee = db.session.get(User, task.assignee_id) if task.assignee_id else None
    params = {"code": dossier.code, "step": task.name, "due": format_datetime(task.due_at),
              "who": assignee.full_name if assignee else None}
    return notify_official(user_id, kind, params, dossier.id, dedupe_key=f"{kind}:{task.id}")


# --- the bell ------------------------------------------------------------------------------------------------

def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(OfficialNotice).where(
        OfficialNotice.user_id == user.id, OfficialNotice.read_at.is_(None))) or 0


def list_notices(user: User, limit: int = 50) -> list[OfficialNotice]:
    return list(db.session.scalars(select(OfficialNotice).where(OfficialNotice.user_id == user.id)
                                   .order_by(OfficialNotice.id.desc()).limit(limit)))


def mark_read(user: User, notice_id: int | None = None) -> int:
    """Mark one of the user's notices (or all of them) read; returns how many changed."""
    query = update(OfficialNotice).where(OfficialNotice.user_id == user.id, OfficialNotice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(OfficialNotice.id == notice_id)
    return db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def set_email(user: User, enabled: bool) -> NoticeSetting:
    """Turn the e-mail copies of the user's notices on or off."""
    setting = db.session.get(NoticeSetting, user.id) or NoticeSetting(user_id=user.id)
    setting.email_enabled = enabled
    db.session.add(setting)
    return setting


def email_enabled(user: User) -> bool:
    setting = db.session.get(NoticeSetting, user.id)
    return bool(setting and setting.email_enabled)
