"""Task forms: load form-js schemas from forms/ and validate submitted data on the server."""
from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from app.core.errors import NotFoundError, ValidationError

INPUT_TYPES = {"textfield", "textarea", "number", "select", "radio", "checkbox", "checklist", "datetime",
               "taglist", "expression"}
FORM_KEY_RE = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


@lru_cache(maxsize=256)
def _load(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_form(form_key: str) -> dict[str, Any]:
    """Return the form-js schema for `form_key` (cached until the file changes)."""
    if not FORM_KEY_RE.match(form_key or ""):
        raise NotFoundError(f"Mã biểu mẫu không hợp lệ: {form_key}", f"Invalid form key: {form_key}")
    path = Path(current_app.config["FORMS_DIR"]) / f"{form_key}.json"
    if not path.is_file():
        raise NotFoundError(f"Không tìm thấy biểu mẫu {form_key}.", f"Form {form_key} not found.")
    return _load(str(path), path.stat().st_mtime)


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Input components of a schema, flattening groups."""
    result = []
    for component in schema.get("components", []):
        if component.get("components"):
            result.extend(fields(component))
        elif component.get("type") in INPUT_TYPES and component.get("key"):
            result.append(component)
    return result


def _allowed_values(component: dict[str, Any]) -> set[str] | None:
    values = component.get("values")
    return {str(v.get("value")) for v in values} if isinstance(values, list) else None


def _check(component: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    """Coerce one submitted value and return (value, Vietnamese error or None)."""
    kind, rules = component["type"], component.get("validate") or {}
    empty = value is None or value == "" or value == []
    if empty:
        return (None, "Trường này là bắt buộc." if rules.get("required") else None)
    if kind == "number":
        try:
            value = float(value) if "." in str(value) else int(value)
        except (TypeError, ValueError):
            return value, "Phải là một số."
        if "min" in rules and value < rules["min"]:
            return value, f"Tối thiểu {rules['min']}."
        if "max" in rules and value > rules["max"]:
            return value, f"Tối đa {rules['max']}."
        return value, None
    if kind == "checkbox":
        return value in (True, "true", "on", "1", 1, "y"), None
    if kind in ("checklist", "taglist"):
        value = value if isinstance(value, list) else [value]
        allowed = _allowed_values(component)
        bad = [v for v in value if allowed is not None and str(v) not in allowed]
        return value, ("Giá trị không hợp lệ." if bad else None)
    value = str(value).strip()
    allowed = _allowed_values(component)
    if kind in ("select", "radio") and allowed is not None and value not in allowed:
        return value, "Giá trị không nằm trong danh sách cho phép."
    if kind == "datetime":
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            return value, "Ngày không hợp lệ (yyyy-mm-dd)."
    if rules.get("minLength") and len(value) < rules["minLength"]:
        return value, f"Tối thiểu {rules['minLength']} ký tự."
    if rules.get("maxLength") and len(value) > rules["maxLength"]:
        return value, f"Tối đa {rules['maxLength']} ký tự."
    if rules.get("pattern") and not re.fullmatch(rules["pattern"], value):
        return value, "Không đúng định dạng."
    return value, None


HIDE_RE = re.compile(r'^=\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*"([^"]*)"\s*$')


def is_hidden(component: dict[str, Any], data: dict[str, Any]) -> bool:
    """Evaluate the simple FEEL `conditional.hide` rules our forms use (`=key != "value"`, `=key = "value"`)."""
    rule = (component.get("conditional") or {}).get("hide")
    match = HIDE_RE.match(rule or "")
    if not match:
        return False
    key, operator, expected = match.groups()
    equal = str(data.get(key) if data.get(key) is not None else "") == expected
    return equal if operator == "=" else not equal


def check_submission(form_key: str | None, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Cleaned data and per-field errors of a task form; fields hidden by their condition are skipped."""
    if not form_key:
        return {}, {}
    cleaned, errors = {}, {}
    for component in fields(load_form(form_key)):
        if is_hidden(component, data):
            continue
        value, error = _check(component, data.get(component["key"]))
        if error:
            errors[component["key"]] = [error]
        elif value is not None:
            cleaned[component["key"]] = value
    return cleaned, errors


def validate_submission(form_key: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned data of a task form, or raise ValidationError with per-field messages."""
    cleaned, errors = check_submission(form_key, data)
    if errors:
        raise ValidationError("Biểu mẫu còn lỗi, vui lòng kiểm tra các trường được đánh dấu.",
                              "The form has errors; check the highlighted fields.", details={"errors": errors})
    return cleaned
