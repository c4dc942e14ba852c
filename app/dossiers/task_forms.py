"""Task forms: load form-js schemas from forms/ and validate submitted data on the server."""
from __future__ import annotations

import json
import math
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
MAX_INT_DIGITS = 20
BAD_KEY = "Tên trường không hợp lệ (không bắt đầu bằng _ và không trùng tên hàm của quy trình)."
BAD_NUMBER = f"Số không hợp lệ (không hữu hạn hoặc quá {MAX_INT_DIGITS} chữ số)."


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
            value = _number(value)
        except (TypeError, ValueError):
            return value, "Phải là một số."
        if not _plain_number(value):
            return value, BAD_NUMBER
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


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if len(text) > MAX_INT_DIGITS + 10:  # before int(): no 4,300-digit conversions
        raise ValueError(text[:20])
    return float(text) if any(c in text for c in ".eE") or not text.lstrip("+-").isdigit() else int(text)


def _plain_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 10 ** MAX_INT_DIGITS
    return True


def _plain_value(value: Any) -> bool:
    """No NaN, Infinity or huge integers anywhere in a submitted value (they break scripts and exports)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not _plain_number(item):
            return False
    return True


def reserved_names() -> set[str]:
    """Names a submitted key may not take: the script helpers that BPMN scripts call."""
    from app.calendar.script_helpers import SCRIPT_HELPERS

    return set(SCRIPT_HELPERS)


def data_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Per-key errors of raw submitted data: private or helper-shadowing keys, non-finite or huge numbers."""
    reserved, errors = reserved_names(), {}
    for key, value in data.items():
        if not isinstance(key, str) or key.startswith("_") or key in reserved:
            errors[str(key)] = [BAD_KEY]
        elif not _plain_value(value):
            errors[key] = [BAD_NUMBER]
    return errors


def check_data(data: dict[str, Any]) -> None:
    """Raise ValidationError (422) when `data_errors` finds anything."""
    errors = data_errors(data)
    if errors:
        raise ValidationError("Dữ liệu biểu mẫu không hợp lệ.", "The form data is invalid.",
                              details={"errors": {"form_data": errors}})


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
        return {}, data_errors(data)
    cleaned, errors = {}, data_errors(data)
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
