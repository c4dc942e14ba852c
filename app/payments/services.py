"""Fees of a dossier paid online: open a payment at the gateway, confirm it from the gateway's signed messages
(notification, browser return or status query) exactly once, and the receipt."""
from __future__ import annotations

import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.connectors import ServiceUnavailableError, payment_gateway
from app.connectors.payment import PaymentOutcome, PaymentRequest
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError
from app.core.timefmt import to_local
from app.dossiers.actions import ensure_allowed
from app.dossiers.codes import next_counter_value
from app.dossiers.models import Channel, Dossier
from app.dossiers.pipeline import Step, perform
from app.extensions import db
from app.history.services import HistoryEvent
from app.payments.models import EReceiptCounter, Payment, PaymentStatus

logger = logging.getLogger(__name__)
OUTCOMES = {"success": PaymentStatus.PAID, "failed": PaymentStatus.FAILED, "cancelled": PaymentStatus.CANCELLED}


class AmountMismatchError(ConflictError):
    code = "amount_mismatch"


def _recorded(dossier: Dossier) -> bool:
    """Payments are recorded for online dossiers and for those whose handling waits for the fee (the counter
    confirms the cash it takes); other counter dossiers pay at the counter, unrecorded (no query)."""
    return dossier.channel is Channel.ONLINE or dossier.procedure.fee_before_handling


def payments_of(dossier: Dossier) -> list[Payment]:
    """The payment attempts of a dossier whose payments are recorded."""
    if not _recorded(dossier):
        return []
    return list(db.session.scalars(select(Payment).where(Payment.dossier_id == dossier.id).order_by(Payment.id)))


def fee_due(dossier: Dossier) -> int:
    """What is still to pay: the procedure's fees (as in force at receipt) less what was paid."""
    if not _recorded(dossier):
        return 0
    paid = sum(p.amount_vnd for p in payments_of(dossier) if p.is_paid)
    return max(fee_amount(dossier) - paid, 0)


def _due_with_basis(dossier: Dossier) -> tuple[int, list[dict[str, Any]]]:
    """The fee still due and the fee lines it comes from (kept on the payment: which fee table version computed
    the amount, shown on the receipt)."""
    lines = fee_lines(dossier)
    paid = sum(p.amount_vnd for p in payments_of(dossier) if p.is_paid)
    return max(sum(line.amount_vnd for line in lines) - paid, 0), [line.as_record() for line in lines]


def fee_outstanding(dossier: Dossier) -> int:
    """Receiver of core.signals.fee_outstanding: the fee still owed."""
    return fee_due(dossier)


@dataclass(frozen=True)
class FeeLine:
    """One fee of a dossier and what computed it: a fixed amount, or a version of the procedure's fee table."""

    name: str
    amount_vnd: int
    decision_key: str | None = None
    decision_version: int | None = None  # the number of the DMN version that gave the amount

    def as_record(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def fee_lines(dossier: Dossier) -> list[FeeLine]:
    """The dossier's fees: fixed amounts, or what the procedure's decision table gives for its intake data."""
    return [_computed(dossier, fee.name_vi, fee.decision) if fee.decision else FeeLine(fee.name_vi, fee.amount_vnd)
            for fee in dossier.procedure.fees]


def fee_amount(dossier: Dossier) -> int:
    return sum(line.amount_vnd for line in fee_lines(dossier))


def _computed(dossier: Dossier, name: str, rule: dict[str, Any]) -> FeeLine:
    from app.workflow.decisions import evaluate_version, latest_decision

    inputs = {key: _fact(dossier, source) for key, source in rule["inputs"].items()}
    version = latest_decision(rule["key"])
    result = evaluate_version(version, rule["id"], inputs)
    return FeeLine(name, int(result.get(rule.get("output", "fee_vnd")) or 0), version.decision_key, version.number)


def _fact(dossier: Dossier, source: str) -> Any:
    """A decision input: a field of the intake form, or a fact about the dossier ("@area_kind")."""
    if source == "@area_kind":  # urban wards vs rural communes (fee laws distinguish them)
        agency = dossier.handling_agency or dossier.receiving_agency
        return "do_thi" if "phường" in agency.name.lower() else "nong_thon"
    return (dossier.form_data or {}).get(source)


def open_payment(dossier: Dossier, *, return_url: str, notify_url: str, minutes: int) -> tuple[Payment, str]:
    """A new payment attempt for the fee due; returns it and the gateway address to send the citizen to."""
    amount, basis = _due_with_basis(dossier)
    if amount <= 0:
        raise ConflictError("Hồ sơ không còn khoản phí, lệ phí nào phải nộp.", "Nothing is left to pay.")
    now = utcnow()
    for earlier in payments_of(dossier):
        if earlier.status is PaymentStatus.PENDING:
            earlier.status = PaymentStatus.EXPIRED  # superseded: a late success is still recorded (see confirm)
    payment = Payment(dossier_id=dossier.id, reference="MC" + secrets.token_hex(6).upper(), amount_vnd=amount,
                      status=PaymentStatus.PENDING, expires_at=now + timedelta(minutes=minutes), fee_basis=basis)
    db.session.add(payment)
    db.session.flush()
    info = f"Phi, le phi ho so {dossier.code}"
    url = payment_gateway().payment_url(PaymentRequest(payment.reference, amount, info, return_url, notify_url,
                                                       minutes * 60))
    return payment, url


def get_payment(reference: str) -> Payment:
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference).with_for_update())
    if payment is None:
        raise NotFoundError("Không tìm thấy giao dịch.", "Unknown payment.")
    return payment


def confirm(outcome: PaymentOutcome, source: str) -> tuple[Payment, bool]:
    """Apply what the gateway says about one of our payments; returns (payment, whether this changed it).

    Idempotent: a replayed or late message about a payment already settled changes nothing. A success is recorded
    once on the dossier (event fee_paid through the pipeline), with the gateway's transaction and our receipt number.
    """
    payment = get_payment(outcome.ref)
    payment.notices += 1
    if outcome.amount != payment.amount_vnd:
        payment.last_error = f"amount {outcome.amount} from {source}"
        raise AmountMismatchError("Số tiền giao dịch không khớp.", "The amount does not match.")
    status = OUTCOMES.get(outcome.status)
    if status is None or payment.is_paid or (payment.status is not PaymentStatus.PENDING and status is not
                                             PaymentStatus.PAID):
        return payment, False
    payment.status, payment.confirmed_by = status, source
    if status is PaymentStatus.PAID:
        _record_paid(payment, outcome)
    db.session.flush()
    return payment, True


def _record_paid(payment: Payment, outcome: PaymentOutcome) -> None:
    payment.paid_at, payment.gateway_txn = utcnow(), outcome.txn
    dossier = db.session.get(Dossier, payment.dossier_id)
    _paid(None, dossier, payment)


def _paid(actor: User | None, dossier: Dossier, payment: Payment) -> None:
    """Record a settled payment on the dossier (fee_paid through the pipeline; a clock paused for the fee resumes
    and its due dates move by the paused working time)."""
    payment.receipt_number = f"BL{to_local(payment.paid_at):%y%m%d}-{payment.id:06d}"
    _issue_e_receipt(payment, dossier)
    data: dict[str, Any] = {"amount_vnd": payment.amount_vnd, "reference": payment.reference,
                            "txn": payment.gateway_txn, "receipt": payment.receipt_number,
                            "source": payment.confirmed_by}
    perform(Step("confirm_payment", dossier, actor, at=payment.paid_at, event=HistoryEvent(
        "", role="receiver" if actor else None, agency_id=dossier.receiving_agency_id if actor else None,
        data=data)))
    logger.info("Payment %s of dossier %s confirmed by %s", payment.reference, dossier.code, payment.confirmed_by)


def e_receipt_series(year: int) -> str:
    """The e-receipt series symbol of `year`: BL + the year's two digits + E (electronic) [unsure: the symbol rules
    of Decree 123/2020 and Circular 78/2021 for receipts of fees; a province may register another]."""
    return f"BL{year % 100:02d}E"


def _issue_e_receipt(payment: Payment, dossier: Dossier) -> None:
    """Give the payment the collecting agency's next e-receipt number of the year (once: a replay keeps it)."""
    if payment.e_receipt_number is not None:
        return
    year = to_local(payment.paid_at).year
    payment.e_receipt_series = e_receipt_series(year)
    payment.e_receipt_number = next_counter_value(EReceiptCounter.__table__, agency_id=dossier.receiving_agency_id,
                                                  year=year)


def confirm_cash(actor: User, dossier: Dossier) -> Payment:
    """The counter took the fee still due in cash: a settled payment (confirmed_by counter) with its receipt."""
    ensure_allowed(actor, "confirm_payment", dossier)
    amount, basis = _due_with_basis(dossier)
    if amount <= 0:
        raise ConflictError("Hồ sơ không còn khoản phí, lệ phí nào phải nộp.", "Nothing is left to pay.")
    now = utcnow()
    payment = Payment(dossier_id=dossier.id, reference="TM" + secrets.token_hex(6).upper(), amount_vnd=amount,
                      status=PaymentStatus.PAID, confirmed_by="counter", expires_at=now, paid_at=now,
                      fee_basis=basis)
    db.session.add(payment)
    db.session.flush()
    _paid(actor, dossier, payment)
    return payment


def reconcile(payment: Payment) -> Payment:
    """Ask the gateway about a payment still pending (no notification came): the timeout path."""
    if payment.status is not PaymentStatus.PENDING:
        return payment
    outcome = payment_gateway().query(payment.reference)
    if outcome.status == "unknown":
        if payment.expires_at <= utcnow():
            payment.status = PaymentStatus.EXPIRED
        return payment
    return confirm(outcome, "query")[0]


def page_section(dossier: Dossier) -> dict:
    """The officials' dossier page shows the payments, and the fee still owed where handling waits for it (the
    receiver confirms the cash taken at the counter). Connected to core.signals.dossier_page_sections."""
    found = payments_of(dossier)
    owed = 0
    if dossier.procedure.fee_before_handling and dossier.is_open:
        owed = max(fee_amount(dossier) - sum(p.amount_vnd for p in found if p.is_paid), 0)
    return {"payments": found, "fee_owed": owed}


QUIET_MINUTES = 2  # a gateway notification normally arrives within seconds


def reconcile_pending(now: datetime | None = None, limit: int = 100) -> int:
    """Settle payments no notification came for (the timeout path): ask the gateway, or expire them.

    One savepoint each, so an unreachable gateway or one bad answer leaves the others to the next sweep.
    """
    now = now or utcnow()
    query = (select(Payment).where(Payment.status == PaymentStatus.PENDING,
                                   Payment.created_at <= now - timedelta(minutes=QUIET_MINUTES))
             .order_by(Payment.id).limit(limit))
    settled = 0
    for payment in db.session.scalars(query).all():
        try:
            with db.session.begin_nested():
                settled += reconcile(payment).status is not PaymentStatus.PENDING
        except (ServiceUnavailableError, ConflictError) as error:
            logger.warning("Payment %s not reconciled: %s", payment.reference, error.message_en)
    return settled
