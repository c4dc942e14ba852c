"""Replay-stable state fingerprint.

Two runs fed the same inputs (and the same clock readings) produce different task UUIDs and
`last_state_change` stamps, and nothing else. The fingerprint therefore replaces every task id
by its position in the task tree, drops the wall-clock stamps, and hashes the rest: spec
names, states, data, internal data (timer due dates, multi-instance bookkeeping), correlations
and pending events.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from engine.serializer import long_id


def state_fingerprint(state: Mapping[str, Any]) -> str:
    """Return a sha256 hex digest of the replay-relevant content of a state."""
    body = state["wf"]
    ids = _index_ids(body)
    canonical = {
        "serializer_version": state.get("serializer_version"),
        "model_hash": state.get("model_hash"),
        "process_id": state.get("process_id"),
        "wf": _canon_workflow(body, ids),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _index_ids(body: Mapping[str, Any]) -> dict[str, str]:
    """Map every task id (short and UUID forms) to a positional path."""
    ids: dict[str, str] = {}
    _index_tree(body["t"], "r", ids)
    pending = dict(body.get("sp", {}))
    while pending:
        ready = [key for key in pending if key in ids]
        if not ready:  # corrupt state: fall back to a stable, if id-dependent, order
            ready = sorted(pending)
            ids.update({key: f"orphan{n}" for n, key in enumerate(ready)})
        for key in ready:
            _index_tree(pending.pop(key)["t"], f"{ids[key]}/", ids)
    return ids


def _index_tree(nodes: list[list[Any]], prefix: str, ids: dict[str, str]) -> None:
    """Name each task by its pre-order position, which replays reproduce."""
    for index, node in enumerate(nodes):
        ids[node[0]] = f"{prefix}{index}"
        ids[str(long_id(node[0]))] = f"{prefix}{index}"


def _canon_workflow(body: Mapping[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Canonical form of a workflow body and its subworkflows."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "t":
            out[key] = [[node[1], node[2], node[4], _swap(node[5] if len(node) > 5 else {}, ids)] for node in value]
        elif key == "sp":
            out[key] = {ids.get(k, k): _canon_workflow(v, ids) for k, v in value.items()}
        else:
            out[key] = _swap(value, ids)
    return out


def _swap(value: Any, ids: dict[str, str]) -> Any:
    """Replace task ids wherever they appear (internal data keeps some as strings)."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {ids.get(k, k): _swap(v, ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_swap(item, ids) for item in value]
    return value
