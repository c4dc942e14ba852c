"""Motcua workflow engine: a pure wrapper around SpiffWorkflow (no app, Flask or database imports)."""
from __future__ import annotations

from engine.errors import (
    EngineError,
    EventNotAwaitedError,
    MigrationError,
    ModelNotFoundError,
    ScriptError,
    SpecInvalidError,
    TaskNotReadyError,
)
from engine.events import EngineEvent, PendingTimer
from engine.migration import MigrationPlan, MigrationReport
from engine.registry import ModelRegistry, ModelVersion
from engine.runtime import Engine, StepResult, utc_now
from engine.scripting import SandboxSettings, ScriptLimits, TextTemplates
from engine.serializer import SERIALIZER_VERSION
from engine.specinfo import TaskSpecInfo
from engine.tasks import UserTaskView
from engine.validation import Issue, ValidationReport, validate_bytes

__all__ = [
    "SERIALIZER_VERSION",
    "Engine",
    "EngineError",
    "EngineEvent",
    "EventNotAwaitedError",
    "Issue",
    "MigrationError",
    "MigrationPlan",
    "MigrationReport",
    "ModelNotFoundError",
    "ModelRegistry",
    "ModelVersion",
    "PendingTimer",
    "SandboxSettings",
    "ScriptError",
    "ScriptLimits",
    "SpecInvalidError",
    "StepResult",
    "TaskNotReadyError",
    "TaskSpecInfo",
    "TextTemplates",
    "UserTaskView",
    "ValidationReport",
    "utc_now",
    "validate_bytes",
]
