"""Task form schemas (form-js JSON) in FORMS_DIR: list, read, validate and write them atomically.

The runtime (app.dossiers.task_forms.load_form) reads these files, re-reading a file when its mtime
changes, and they are versioned in git next to bpmn/; so the editor writes the file rather than a DB row.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app

from app.auth.models import User
from app.core.errors import NotFoundError, ValidationError

FORM_KEY_RE = re.compile(r"^[a-z0-9_]{1,64}(/[a-z0-9_]{1,64}){0,3}$")
INPUT_TYPES = {"textfield", "textarea", "number", "select", "radio", "checkbox", "checklist", "datetime",
               "taglist", "expression", "filepicker"}
MAX_BYTES = 256_000


def forms_dir() -> Path:
    return Path(current_app.config["FORMS_DIR"]).resolve()


def form_path(form_key: str) -> Path:
    """The file of a form key; refuses anything that could leave FORMS_DIR."""
    if not FORM_KEY_RE.match(form_key or ""):
        raise ValidationError(f"Mã biểu mẫu không hợp lệ: {form_key}", f"Invalid form key: {form_key}")
    path = (forms_dir() / f"{form_key}.json").resolve()
    if forms_dir() not in path.parents:
        raise ValidationError(f"Mã biểu mẫu không hợp lệ: {form_key}", f"Invalid form key: {form_key}")
    return path


def list_forms() -> list[str]:
    root = forms_dir()
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.rglob("*.json"))


def load_form(form_key: str) -> dict[str, Any]:
    path = form_path(form_key)
    if not path.is_file():
        raise NotFoundError(f"Không tìm thấy biểu mẫu {form_key}.", f"Form {form_key} not found.")
    return json.loads(path.read_text(encoding="utf-8"))


def schema_problems(schema: Any) -> list[str]:
    """What makes a form-js schema unusable: wrong shape, components without type, duplicate keys or ids."""
    shaped = isinstance(schema, dict) and schema.get("type") == "default"
    if not shaped or not isinstance(schema.get("components"), list):
        return ['schema must be an object with "type": "default" and a "components" list']
    problems: list[str] = []
    keys: list[str] = []
    ids: list[str] = []
    _walk(schema["components"], problems, keys, ids)
    problems += [f'duplicate field key "{k}"' for k in sorted({k for k in keys if keys.count(k) > 1})]
    problems += [f'duplicate component id "{i}"' for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def _walk(components: list, problems: list[str], keys: list[str], ids: list[str]) -> None:
    for index, component in enumerate(components):
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            problems.append(f"component #{index + 1} has no type")
            continue
        if component.get("id"):
            ids.append(str(component["id"]))
        if component["type"] in INPUT_TYPES:
            key = component.get("key")
            if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                label = component.get("label") or component.get("id")
                problems.append(f'field "{label}" needs a key (letters, digits, _)')
            else:
                keys.append(key)
        if isinstance(component.get("components"), list):
            _walk(component["components"], problems, keys, ids)


def save_form(actor: User, form_key: str, schema: Any) -> Path:
    """Validate and atomically replace (or create) the form file."""
    path = form_path(form_key)
    problems = schema_problems(schema)
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    if len(text.encode("utf-8")) > MAX_BYTES:
        problems.append(f"form is larger than {MAX_BYTES // 1000} kB")
    if problems:
        raise ValidationError("Biểu mẫu không hợp lệ: " + "; ".join(problems), "Invalid form: " + "; ".join(problems),
                              details={"errors": {"schema": problems}})
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)
    current_app.logger.info("Form %s saved by %s", form_key, actor.username)
    return path
