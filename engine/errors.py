"""Engine exceptions; each keeps the BPMN element it concerns so callers can point at it."""
from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base class for every error the engine raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        element_id: str | None = None,
        element_name: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.element_name = element_name
        self.details = details or {}

    def __str__(self) -> str:
        where = f" [{self.element_id}]" if self.element_id else ""
        return f"{self.message}{where}"


class SpecInvalidError(EngineError):
    """The BPMN/DMN model cannot be loaded (unsafe XML, schema error, unsupported construct)."""


class ModelNotFoundError(EngineError):
    """No model version with this hash (or no such process in it) is registered."""


class TaskNotReadyError(EngineError):
    """The task does not exist or is not READY for completion."""


class EventNotAwaitedError(EngineError):
    """A message or signal was sent that no waiting event in the instance catches."""


class ScriptError(EngineError):
    """A script or expression failed; carries the element, line and the `incident` event."""

    def __init__(self, message: str, *, line: int | None = None, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.line = line
        self.incident = incident


class MigrationError(EngineError):
    """An instance cannot be moved to another model version."""
