#!/usr/bin/env python3
"""Verify a Motcua case-history bundle without Motcua: Python 3.11+ standard library only.

    python tools/verify_bundle.py BUNDLE [--expect-head HASH]

BUNDLE is the exported .zip or its unpacked folder. The script recomputes every event hash and the
links between events, checks the chain head, the BPMN model against the model hash the events recorded,
and the summary files against the digests listed in case.json. It prints OK or the first broken point
and exits 0 (OK), 1 (broken) or 2 (unreadable). Compare the printed head hash with the one published
by the agency (daily anchor) to rule out a wholesale rewrite.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "kind", "at", "actor_id", "actor_name", "role", "agency_id", "from_step", "to_step",
                 "comment", "is_internal", "data", "model_hash", "state_fingerprint", "prev_hash")
OPTIONAL_HASHED_FIELDS = ("dossier_digest", "state_hash")  # hashed only when set (events since 12/2026)
REDACTED_KEY = "__redacted__"
REDACTED_COMMENT_PREFIX = "[redacted sha256:"
CASE_FILE = "case.json"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_digest(data: Any) -> str:
    if isinstance(data, dict) and list(data) == [REDACTED_KEY] and isinstance(data[REDACTED_KEY], str):
        return data[REDACTED_KEY]
    return sha256_text(canonical_json(data))


def comment_digest(comment: Any) -> str | None:
    if comment is None:
        return None
    if comment.startswith(REDACTED_COMMENT_PREFIX) and comment.endswith("]"):
        return comment[len(REDACTED_COMMENT_PREFIX):-1]
    return sha256_text(comment)


def event_hash(event: dict[str, Any]) -> str:
    payload = {name: event.get(name) for name in HASHED_FIELDS}
    payload.update({name: event[name] for name in OPTIONAL_HASHED_FIELDS if event.get(name) is not None})
    payload["data"] = {"sha256": data_digest(payload["data"] if payload["data"] is not None else {})}
    payload["comment"] = comment_digest(payload["comment"])
    return sha256_text(canonical_json(payload))


def model_hash(bpmn: bytes) -> str:
    """Motcua's model identity for a model without DMN or included files: sha256 of 'bpmn\\0' + canonical XML."""
    return hashlib.sha256(b"bpmn\0" + bpmn).hexdigest()


def recorded_position(event: dict[str, Any], count: int) -> int | None:
    for seq in range(1, count + 2):
        if seq != event["seq"] and event_hash({**event, "seq": seq}) == event["hash"]:
            return seq
    return None


def find_break(events: list[dict[str, Any]]) -> str | None:
    """The first broken event, described; None when the chain is intact."""
    hashes = {e["hash"]: e["seq"] for e in events}
    previous = GENESIS
    for index, event in enumerate(events):
        expected = index + 1
        if event["seq"] > expected:
            return f"event #{expected} was deleted (gap in the sequence)"
        if event_hash(event) != event["hash"]:
            original = recorded_position(event, len(events))
            if original:
                return f"event #{event['seq']} was reordered (recorded at position #{original})"
            return f"event #{event['seq']} was edited (hash mismatch)"
        if event["prev_hash"] != previous:
            return link_break(events, index, hashes)
        previous = event["hash"]
    return None


def link_break(events: list[dict[str, Any]], index: int, hashes: dict[str, int]) -> str:
    event = events[index]
    if event["prev_hash"] in hashes:
        return f"event #{event['seq']} was reordered (recorded at position #{hashes[event['prev_hash']] + 1})"
    before = events[index - 1]["hash"] if index else GENESIS
    follower = events[index + 1] if index + 1 < len(events) else None
    if follower is not None and follower["prev_hash"] == before:
        return f"event #{event['seq']} was inserted"
    if index:
        return f"event #{event['seq'] - 1} was edited and re-hashed (event #{event['seq']} no longer points to it)"
    return f"event #{event['seq']} was inserted"


def check_head(case: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    head = case.get("chain_head") or {}
    last_seq = events[-1]["seq"] if events else 0
    if last_seq < head.get("seq", 0):
        return f"events from #{last_seq + 1} were deleted (the chain head is #{head.get('seq')})"
    if last_seq > head.get("seq", 0):
        return f"event #{head.get('seq', 0) + 1} was inserted after the chain head"
    if events and events[-1]["hash"] != head.get("hash"):
        return f"event #{last_seq} was edited and re-hashed (it differs from the chain head)"
    return None


def check_anchors(case: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    by_seq = {e["seq"]: e["hash"] for e in events}
    for anchor in case.get("anchors", []):
        seq, digest = anchor["head"]
        if by_seq.get(seq) != digest:
            return f"event #{seq} differs from the daily anchor of {anchor['day']}"
    return None


def check_files(case: dict[str, Any], read: Any, events: list[dict[str, Any]]) -> str | None:
    for name, digest in sorted(case.get("files", {}).items()):
        try:
            content = read(name)
        except (KeyError, FileNotFoundError):
            return f"file {name} is missing"
        if hashlib.sha256(content).hexdigest() != digest:
            return f"file {name} was altered"
    model = case.get("model", {})
    recorded = {e.get("model_hash") for e in events if e.get("model_hash")}
    if model.get("file") and recorded and model_hash(read(model["file"])) not in recorded:
        return f"the BPMN model {model['file']} is not the version the events recorded"
    return None


def open_bundle(path: Path) -> Any:
    """Return a reader name -> bytes for a zip file or a folder."""
    if path.is_dir():
        return lambda name: (path / name).read_bytes()
    archive = zipfile.ZipFile(path)
    return archive.read


def verify(path: Path, expect_head: str | None = None) -> tuple[bool, str]:
    read = open_bundle(path)
    case = json.loads(read(CASE_FILE).decode("utf-8"))
    events = sorted(case["events"], key=lambda e: e["seq"])
    for check in (lambda: find_break(events), lambda: check_head(case, events), lambda: check_anchors(case, events),
                  lambda: check_files(case, read, events)):
        problem = check()
        if problem:
            return False, f"BROKEN {case.get('dossier', {}).get('code', '?')}: {problem}"
    head = case["chain_head"]
    if expect_head and head.get("hash") != expect_head:
        return False, f"BROKEN: the chain head {head.get('hash')} is not the expected {expect_head}"
    redacted = sum(1 for e in events if isinstance(e.get("data"), dict) and REDACTED_KEY in e["data"])
    note = f", {redacted} redacted under retention" if redacted else ""
    return True, (f"OK {case['dossier']['code']}: {len(events)} events{note}; "
                  f"chain head #{head['seq']} {head['hash']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Motcua case-history bundle.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--expect-head", help="the chain head hash published by the agency")
    args = parser.parse_args(argv)
    try:
        ok, message = verify(args.bundle, args.expect_head)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        print(f"UNREADABLE: {type(error).__name__}: {error}")
        return 2
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
