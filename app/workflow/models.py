"""Deployed BPMN model versions and the engine state of each running dossier."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from app.core.db import utcnow
from app.extensions import db
from engine.specinfo import StepKind  # noqa: F401  (the step vocabulary of models, re-exported to features)


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)


class ProcessVersion(db.Model):
    """One immutable deployed version of a BPMN file, identified by the hash of its normalised XML."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "number", name="uq_process_versions_key_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    source_name: Mapped[str | None] = mapped_column(String(255))
    xml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="published")
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ProcessVersion {self.process_key} v{self.number}>"


class ProcessInstance(db.Model):
    """Engine state of one dossier. `version` is an optimistic lock: a lost race raises, never overwrites."""

    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    state_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(16))
    is_completed: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


# Loaded with the instance in the same SELECT: the content hash (not the row id) names the model to run.
ProcessInstance.model_hash = column_property(
    select(ProcessVersion.content_hash).where(ProcessVersion.id == ProcessInstance.process_version_id)
    .correlate_except(ProcessVersion).scalar_subquery(), expire_on_flush=False)


# what the heatmap reads of a closed task, carried by ix_human_tasks_mining on PostgreSQL (an index-only scan)
MINING_INCLUDE = ("bpmn_id", "name", "agency_id", "created_at", "working_hours", "timing", "duration_days")


class HumanTask(db.Model):
    """Projection of a ready engine user task, indexed for inbox queries; written with the engine state."""

    __tablename__ = "human_tasks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # Partition key on PostgreSQL (app.audit.partitions): the local year of the dossier's received_at.
    dossier_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(64), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    step_kind: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    form_key: Mapped[str | None] = mapped_column(String(128))
    duration_days: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)  # a TaskStatus
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    timing: Mapped[str | None] = mapped_column(String(16))  # early / on_time / late once completed
    working_hours: Mapped[float | None]  # working time from creation to closing (the heatmap reads it)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version, "primary_key": [id]}  # ids are unique on their own
    __table_args__ = (
        db.Index("ix_human_tasks_queue", "agency_id", "role", "status", "due_at"),
        db.Index("ix_human_tasks_mine", "assignee_id", "status", "due_at"),
        db.Index("ix_human_tasks_done", "completed_by_id", "completed_at"),  # the "Đã xử lý" tab
        # the process heatmap (app.reports.mining): a version's closed tasks per dossier, read from the index
        db.Index("ix_human_tasks_mining", "dossier_id", "completed_at", postgresql_include=MINING_INCLUDE,
                 postgresql_where=text("status = 'completed'"), sqlite_where=text("status = 'completed'")),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class DueTimer(db.Model):
    """A BPMN timer waiting in an instance; the scheduler sweeps the due ones."""

    __tablename__ = "due_timers"
    # The sweep's order (due_at, id) as one index: the claim reads the first rows of it and stops, instead of
    # sorting every due timer by id for each batch (100,000 due at once after an outage).
    __table_args__ = (db.Index("ix_due_timers_due", "due_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(64))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime]


class DecisionVersion(db.Model):
    """One version of a DMN file (fees, routing), identified per file by the hash of its normalised XML."""

    __tablename__ = "decision_versions"
    __table_args__ = (UniqueConstraint("decision_key", "number", name="uq_decision_versions_key_number"),
                      UniqueConstraint("decision_key", "content_hash", name="uq_decision_versions_key_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_key: Mapped[str] = mapped_column(String(128), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(500))
    xml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="published")  # draft / published
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DecisionVersion {self.decision_key} v{self.number}>"
