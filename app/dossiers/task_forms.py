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
from flask_babel import gettext as _

from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.timefmt import format_date, to_local

INPUT_TYPES = {"textfield", "textarea", "number", "select", "radio", "checkbox", "checklist", "datetime",
               "taglist", "expression"}
FORM_KEY_RE = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
MAX_INT_DIGITS = 20
BAD_KEY = "Tên trường không hợp lệ (không bắt đầu bằng _ và không trùng tên hàm của quy trình)."
BAD_NUMBER = f"Số không hợp lệ (không hữu hạn hoặc quá {MAX_INT_DIGITS} chữ số)."
#: lengths every text field gets unless its schema says otherwise (the columns and the printed slips hold this)
DEFAULT_MAX_LENGTH = {"textfield": 255, "textarea": 4000}
#: dates outside this range are typing mistakes on any administrative form
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
BIRTH_KEY = re.compile(r"(date_of_birth|birth_date|^dob$)")
DMY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@lru_cache(maxsize=256)
def _load(path: str, mtime: float) -> dict[str, Any]:
    return _with_default_lengths(json.loads(Path(path).read_text(encoding="utf-8")))


def _with_default_lengths(schema: dict[str, Any]) -> dict[str, Any]:
    """Every text field carries its `maxLength`, so form-js refuses an over-long value before the server does."""
    for component in fields(schema):
        if component["type"] in DEFAULT_MAX_LENGTH:
            rules = component.setdefault("validate", {})
            rules.setdefault("maxLength", DEFAULT_MAX_LENGTH[component["type"]])
    return schema


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


def decision_values(form_key: str | None) -> list[str]:
    """The values the form's `decision` field offers (none: a step without a decision)."""
    if not form_key:
        return []
    for component in fields(load_form(form_key)):
        if component["key"] == "decision":
            return [str(v.get("value")) for v in component.get("values") or []]
    return []


def restrict_decisions(schema: dict[str, Any], values: set[str]) -> dict[str, Any]:
    """A copy of `schema` whose `decision` field offers only `values` (what the official may decide now)."""
    def restrict(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = []
        for c in components:
            if c.get("components"):
                c = {**c, "components": restrict(c["components"])}
            elif c.get("key") == "decision" and isinstance(c.get("values"), list):
                c = {**c, "values": [v for v in c["values"] if str(v.get("value")) in values]}
            result.append(c)
        return result

    return {**schema, "components": restrict(schema.get("components", []))}


def reason_field(form_key: str | None, decision: str) -> str | None:
    """The key of the form's field that holds the reason for `decision` (`properties.reason_for`), if any."""
    if not form_key or not decision:
        return None
    for component in fields(load_form(form_key)):
        if decision in str((component.get("properties") or {}).get("reason_for") or "").split():
            return component["key"]
    return None


def _allowed_values(component: dict[str, Any]) -> set[str] | None:
    values = component.get("values")
    return {str(v.get("value")) for v in values} if isinstance(values, list) else None


def _check(component: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    """Coerce one submitted value and return (value, Vietnamese error or None)."""
    kind, rules = component["type"], component.get("validate") or {}
    empty = value is None or value == "" or value == []
    if empty:
        return (None, _("Trường này là bắt buộc.") if rules.get("required") else None)
    if kind == "number":
        try:
            value = _number(value)
        except (TypeError, ValueError):
            return value, _("Phải là một số.")
        if not _plain_number(value):
            return value, BAD_NUMBER
        if "min" in rules and value < rules["min"]:
            return value, _("Tối thiểu %(n)s.", n=rules["min"])
        if "max" in rules and value > rules["max"]:
            return value, _("Tối đa %(n)s.", n=rules["max"])
        return value, None
    if kind == "checkbox":
        return value in (True, "true", "on", "1", 1, "y"), None
    if kind in ("checklist", "taglist"):
        value = value if isinstance(value, list) else [value]
        allowed = _allowed_values(component)
        bad = [v for v in value if allowed is not None and str(v) not in allowed]
        return value, (_("Giá trị không hợp lệ.") if bad else None)
    value = str(value).strip()
    allowed = _allowed_values(component)
    if kind in ("select", "radio") and allowed is not None and value not in allowed:
        return value, _("Giá trị không nằm trong danh sách cho phép.")
    if kind == "datetime":
        return _check_date(component, value)
    if rules.get("minLength") and len(value) < rules["minLength"]:
        return value, _("Tối thiểu %(n)s ký tự.", n=rules["minLength"])
    max_length = rules.get("maxLength") or DEFAULT_MAX_LENGTH.get(kind)
    if max_length and len(value) > max_length:
        return value, _("Tối đa %(n)s ký tự (đang có %(m)s).", n=max_length, m=len(value))
    if rules.get("pattern") and not re.fullmatch(rules["pattern"], value):
        return value, _("Không đúng định dạng.")
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
def parse_date(value: str) -> date | None:
    """A real calendar date from ISO (yyyy-mm-dd, what form-js and the date input send) or dd/mm/yyyy."""
    match = DMY_RE.match(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value[:10]) if len(value) == 10 or "T" in value else None
    except ValueError:
        return None


def _bound(text: str | None) -> date | None:
    if text == "today":
        return to_local(utcnow()).date()
    return parse_date(text) if text else None


def _check_date(component: dict[str, Any], value: str) -> tuple[Any, str | None]:
    """A real date within the form's bounds (`properties.min_date` / `max_date`: ISO or `today`; birth dates are
    never in the future)."""
    if component.get("subtype") == "datetime":
        return value, None
    day = parse_date(value)
    if day is None:
        return value, _("Ngày không hợp lệ (không có ngày này trên lịch).")
    props = component.get("properties") or {}
    earliest = max(EARLIEST, _bound(props.get("min_date")) or EARLIEST)
    latest = _bound(props.get("max_date")) or LATEST
    if BIRTH_KEY.search(component.get("key", "")):
        latest = min(latest, to_local(utcnow()).date())
    if day < earliest:
        return day.isoformat(), _("Ngày phải từ %(d)s trở đi.", d=format_date(earliest))
    if day > latest:
        return day.isoformat(), _("Ngày không được sau %(d)s.", d=format_date(latest))
    return day.isoformat(), None


def _check_order(components: list[dict[str, Any]], cleaned: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Dates that must follow another field (`properties.not_before`: the key of the earlier date)."""
    by_key = {c["key"]: c for c in components}
    for c in components:
        other = (c.get("properties") or {}).get("not_before")
        if c["type"] != "datetime" or not other or c["key"] in errors:
            continue
        mine, theirs = parse_date(str(cleaned.get(c["key"]) or "")), parse_date(str(cleaned.get(other) or ""))
        if mine and theirs and mine < theirs:
            label = (by_key.get(other) or {}).get("label") or other
            errors[c["key"]] = [_("Phải từ ngày “%(label)s” (%(d)s) trở đi.", label=label, d=format_date(theirs))]


def _for_applicant(component: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """An organisation applies with its tax code where the form asks for the applicant's personal ID."""
    if component.get("key") != "applicant_id_number" or data.get("applicant_kind") != "organisation":
        return component
    from app.dossiers.schemas import TAX_CODE_PATTERN

    return {**component, "validate": {**(component.get("validate") or {}), "pattern": TAX_CODE_PATTERN}}


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
    visible = [_for_applicant(c, data) for c in fields(load_form(form_key)) if not is_hidden(c, data)]
    for component in visible:
        value, error = _check(component, data.get(component["key"]))
        if error:
            errors[component["key"]] = [error]
        elif value is not None:
            cleaned[component["key"]] = value
    _check_order(visible, cleaned, errors)
    return cleaned, errors


def validate_submission(form_key: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned data of a task form, or raise ValidationError with per-field messages."""
    cleaned, errors = check_submission(form_key, data)
    if errors:
        raise ValidationError("Biểu mẫu còn lỗi, vui lòng kiểm tra các trường được đánh dấu.",
                              "The form has errors; check the highlighted fields.", details={"errors": errors})
    return cleaned
