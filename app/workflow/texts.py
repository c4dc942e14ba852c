"""Bridge for texts administrators write (message templates): rendered in the engine's sandbox, never in-process
Jinja with the app's own environment."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from jinja2 import TemplateError

from app.workflow.services import sandbox_settings
from engine import TextTemplates
from engine.scripting import ScriptLimitExceeded, WorkerLost

EXTENSION = "motcua.texts"

#: what a template may raise while it renders (bad data, a blown budget, a crashed worker)
RENDER_ERRORS = (TemplateError, ScriptLimitExceeded, WorkerLost, TypeError, ValueError, ArithmeticError,
                 LookupError, AttributeError, MemoryError)


class TextTemplateError(Exception):
    """A text template failed to render (the caller falls back to its default text)."""


def _texts() -> TextTemplates:
    texts = current_app.extensions.get(EXTENSION)
    if texts is None:
        texts = current_app.extensions[EXTENSION] = TextTemplates(sandbox_settings())
    return texts


def render_text(template: str, data: Mapping[str, Any]) -> str:
    """Render one administrator-written template with plain data; any failure is a TextTemplateError."""
    try:
        return _texts().render(template, dict(data))
    except RENDER_ERRORS as error:
        raise TextTemplateError(f"{type(error).__name__}: {error}") from error


def text_problem(template: str) -> str | None:
    """Why a template cannot be saved (syntax error, budget blown without data), else None."""
    try:
        return _texts().problem(template)
    except (ScriptLimitExceeded, WorkerLost) as error:
        return f"template exceeds the sandbox budget: {error}"


def text_variables(template: str) -> frozenset[str]:
    """The data names a template reads (empty when it does not parse: `text_problem` says why)."""
    try:
        return TextTemplates.variables(template)
    except TemplateError:
        return frozenset()
