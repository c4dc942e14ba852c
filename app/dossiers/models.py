"""Dossier, its working-time clock ledger and the race-free daily code counter."""
from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.timefmt import local_year
from app.extensions import db


class DossierStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    WAITING_SUPPLEMENT = "waiting_supplement"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    STOPPED = "stopped"


OPEN_STATUSES = (DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.WAITING_SUPPLEMENT,
                 DossierStatus.RESULT_READY)


class Decision(enum.StrEnum):
    """The `decision` field of step forms (forms/*.json) that the lifecycle gives a legal meaning."""

    APPROVE = "approve"
    REFUSE = "refuse"  # refusal of the dossier, with reasons (the result)
    REJECT = "reject"  # back to the previous step, with reasons
    SUPPLEMENT = "supplement"  # ask the applicant to complete the dossier (once, the full list)


class Channel(enum.StrEnum):
    COUNTER = "counter"
    ONLINE = "online"
    POST = "post"
    MOBILE = "mobile"  # mobile service at the applicant's home


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_stat_agency_received", "stat_agency_id", "received_at"),
                      # the process heatmap: a version's dossiers with their owner, read from the index
                      Index("ix_dossiers_version_owner", "process_version_id", "id", "stat_agency_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    ruleset: Mapped[str] = mapped_column(String(32))
    receiving_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The competent agency the dossier belongs to (statistics, competence checks on transfer).
    handling_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    competence_commune: Mapped[str | None] = mapped_column(String(32))  # residence or site commune code
    form_set: Mapped[str | None] = mapped_column(String(32))  # the forms circular in force at receipt
    verification_extended_at: Mapped[datetime | None]  # the limit was extended once for verification (sector law)
    logbook_number: Mapped[int | None]  # running number of the year in the receiving agency's tracking book
    current_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16,
                                                  values_callable=lambda e: [m.value for m in e]))
    status: Mapped[DossierStatus] = mapped_column(
        Enum(DossierStatus, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e]),
        index=True)
    current_step: Mapped[str | None] = mapped_column(String(255))
    current_step_kind: Mapped[str | None] = mapped_column(String(16))

    applicant_kind: Mapped[str] = mapped_column(String(16), default="person")
    applicant_name: Mapped[str] = mapped_column(String(255))
    applicant_id_number: Mapped[str | None] = mapped_column(String(32), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    applicant_email: Mapped[str | None] = mapped_column(String(255))
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    representative_name: Mapped[str | None] = mapped_column(String(255))
    # Online: the personal ID number the identity provider vouched for when the citizen submitted (their dossiers).
    submitter_id_number: Mapped[str | None] = mapped_column(String(12), index=True)
    search_text: Mapped[str] = mapped_column(String(1000), default="")

    return_method: Mapped[str] = mapped_column(String(16), default="counter")
    documents: Mapped[list] = mapped_column(JSON, default=list)
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    pin_hash: Mapped[str] = mapped_column(String(64))

    received_at: Mapped[datetime] = mapped_column(index=True)
    clock_started_at: Mapped[datetime]
    legal_due_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime]
    legal_days: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The clock stands still since this instant: waiting for the applicant (a supplement, or the fee of a procedure
    # whose handling waits for it). Statistics count such a dossier as paused, never overdue.
    clock_paused_at: Mapped[datetime | None]
    apology_count: Mapped[int] = mapped_column(default=0)
    supplement_count: Mapped[int] = mapped_column(default=0)
    late_supplement_count: Mapped[int] = mapped_column(default=0)  # requested past the legal window
    apology_compliant: Mapped[bool | None]  # None: no apology; False: sent later than the rule set allows
    apology_alerted_at: Mapped[datetime | None]  # the leader was alerted that an apology is due
    decided_at: Mapped[datetime | None]  # refusal decided (statistics count refusals here)
    decision_due_at: Mapped[datetime | None]  # the limit for that decision (two-outcome limits)
    result_ready_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # approved / refused / stopped
    timing: Mapped[str | None] = mapped_column(String(16))  # early / on_time / late once finished
    result_number: Mapped[str | None] = mapped_column(String(64))
    # Statistics classification (app.reports.semantics), kept current in the transaction of every change so that
    # the figures are plain SQL aggregates: the owning agency, the finishing moment, early / on_time / late.
    stat_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    stat_finished_at: Mapped[datetime | None] = mapped_column(index=True)
    stat_timing: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[str | None] = mapped_column(String(16))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    comment_count: Mapped[int] = mapped_column(default=0)
    event_seq: Mapped[int] = mapped_column(default=0)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    receiving_agency: Mapped[Agency] = relationship(foreign_keys=[receiving_agency_id])
    handling_agency: Mapped[Agency | None] = relationship(foreign_keys=[handling_agency_id])
    current_agency: Mapped[Agency | None] = relationship(foreign_keys=[current_agency_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def partition_year(self) -> int:
        """The year its events and tasks are partitioned under: the local year it was received in."""
        return local_year(self.received_at)

    # --- behaviour: each keeps the dossier's own invariants --------------------------------

    def move_to(self, step_kind: str | None, agency_id: int | None, step_names: list[str]) -> None:
        """The dossier now waits at these steps (several when parallel branches are open)."""
        self.current_step = ", ".join(dict.fromkeys(step_names))
        self.current_step_kind = step_kind
        self.current_agency_id = agency_id

    def start_processing(self) -> None:
        if self.status is DossierStatus.RECEIVED:
            self.status = DossierStatus.PROCESSING

    def wait_for_supplement(self, *, compliant: bool = True) -> None:
        self.status = DossierStatus.WAITING_SUPPLEMENT
        self.supplement_count += 1
        self.late_supplement_count += 0 if compliant else 1

    def restart_clock(self, started_at: datetime, due_at: datetime) -> None:
        """The complete supplement arrived: the full time limit runs again from `started_at` (any pause ends)."""
        self.clock_started_at, self.legal_due_at, self.due_at = started_at, due_at, due_at
        self.clock_paused_at = None
        self.status = DossierStatus.PROCESSING

    def pause_clock(self, at: datetime) -> None:
        """Waiting for the applicant from `at` (a pause already running keeps its start)."""
        self.clock_paused_at = self.clock_paused_at or at

    def resume_clock(self, moved: Callable[[datetime], datetime]) -> None:
        """The applicant did what the clock waited for: the due dates move on by the paused time (`moved`)."""
        self.legal_due_at, self.due_at = moved(self.legal_due_at), moved(self.due_at)
        if self.decision_due_at is not None:
            self.decision_due_at = moved(self.decision_due_at)
        self.clock_paused_at = None

    def decide_refusal(self, at: datetime | None = None, due_at: datetime | None = None) -> None:
        """Refusal decided with reasons: statistics count it at this instant against `due_at`."""
        self.outcome = "refused"
        self.decided_at, self.decision_due_at = at, due_at or self.legal_due_at

    def issue_result(self, at: datetime, number: str | None) -> None:
        """The result is signed and stamped: ready for the applicant."""
        self.result_ready_at, self.result_number = at, number or None
        self.status = DossierStatus.RESULT_READY

    def hand_over(self, at: datetime) -> None:
        self.returned_at = at
        self.result_ready_at = self.result_ready_at or at

    def stop(self, at: datetime) -> None:
        """Handling stopped at the applicant's request (stop notice): no step stays open."""
        self.status, self.outcome, self.finished_at = DossierStatus.STOPPED, "stopped", at
        self.current_step, self.current_step_kind = None, None

    def refuse_receipt(self, at: datetime) -> None:
        """An online dossier the receiving agency does not accept (Mẫu 03): never received, so neither finished nor
        open in the statistics."""
        self.status, self.outcome, self.finished_at = DossierStatus.REFUSED, "not_received", at
        self.current_step, self.current_step_kind = None, None

    def reschedule(self, new_due_at: datetime, *, compliant: bool = True) -> datetime:
        """Apology with a new appointment; statistics keep `legal_due_at`. Returns the previous appointment."""
        previous, self.due_at = self.due_at, new_due_at
        self.apology_count += 1
        self.apology_compliant = compliant if self.apology_compliant is None else self.apology_compliant and compliant
        return previous

    def extend_for_verification(self, at: datetime, legal_due_at: datetime) -> datetime:
        """The sector law's extension: the LEGAL limit moves (statistics follow it). Returns the previous one."""
        previous, self.legal_due_at = self.legal_due_at, legal_due_at
        self.due_at = max(self.due_at, legal_due_at)
        self.verification_extended_at = at
        return previous

    def transfer_to(self, agency_id: int) -> None:
        """Its open steps moved to another competent agency (the handling agency found at receipt stays)."""
        self.current_agency_id = agency_id

    def finish(self, at: datetime, timing: str | None) -> None:
        """The process ended: returned (or refused) unless it was stopped."""
        self.current_step, self.current_step_kind = None, None
        self.finished_at = self.finished_at or at
        if self.status is not DossierStatus.STOPPED and self.outcome != "not_received":  # no result to return
            self.returned_at = self.returned_at or at
            self.status = DossierStatus.REFUSED if self.outcome == "refused" else DossierStatus.RETURNED
            self.outcome = self.outcome or "approved"
            self.timing = timing

    def __repr__(self) -> str:
        return f"<Dossier {self.code} {self.status}>"


class ClockEntry(db.Model):
    """Append-only ledger of what happened to the dossier's time limit (start, pause, restart, extend)."""

    __tablename__ = "dossier_clock"
    __table_args__ = (  # the process heatmap's "did the clock pause during this task" (app.reports.mining)
        Index("ix_dossier_clock_pauses", "dossier_id", "at", postgresql_where=text("kind = 'pause'"),
              sqlite_where=text("kind = 'pause'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # start / pause / restart / extend / override / stop
    at: Mapped[datetime]
    due_at: Mapped[datetime | None]  # the legal due instant in force after this entry
    reason: Mapped[str | None] = mapped_column(Text)
    actor_name: Mapped[str | None] = mapped_column(String(255))

    dossier: Mapped[Dossier] = relationship()


class DossierCodeCounter(db.Model):
    """Daily sequence per receiving agency; incremented with UPDATE ... RETURNING so it never repeats."""

    __tablename__ = "dossier_code_counters"
    __table_args__ = (UniqueConstraint("agency_id", "day", name="uq_dossier_code_counters_agency_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    day: Mapped[date]
    last_value: Mapped[int] = mapped_column(default=0)


class LogbookCounter(db.Model):
    """Yearly running number of the tracking book (Sổ theo dõi hồ sơ) per receiving agency; same race-free
    UPDATE ... RETURNING as the daily code sequence."""

    __tablename__ = "logbook_counters"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_logbook_counters_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)


class ResultNumberCounter(db.Model):
    """Yearly running number of the results an agency issues (sổ cấp số kết quả); same race-free
    UPDATE ... RETURNING as the code and tracking-book counters."""

    __tablename__ = "result_number_counters"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_result_number_counters_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)


class PinGuard(db.Model):
    """Failed lookup-PIN attempts of one dossier code, shared by every worker: progressive delay, then a lock.

    Keyed by the code as typed, not by the dossier, so an unknown code goes through the same writes
    (same answer, same timing) as a real one.
    """

    __tablename__ = "pin_guards"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)  # since the last success, reissue or lock
    locks: Mapped[int] = mapped_column(default=0)  # locks so far: each one lasts twice as long
    retry_at: Mapped[datetime | None]  # progressive delay: no attempt is checked before
    locked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
