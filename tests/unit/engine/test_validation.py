"""validate_bytes and the `python -m engine` command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import validate_bytes
from engine.__main__ import main

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def bpmn_bytes(name: str) -> bytes:
    """Read a test diagram."""
    return (BPMN_DIR / name).read_bytes()


REPO = BPMN_DIR.parents[1]
HOSTILE = {
    "xxe.bpmn": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    "laughs.bpmn": b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    "external_dtd.bpmn": b'<!DOCTYPE d SYSTEM "http://evil.example/x.dtd"><d/>',
    "garbage.bpmn": b"not xml at all",
    "empty.bpmn": b"",
    "binary.bpmn": bytes(range(256)) * 4,
    "truncated.bpmn": bpmn_bytes("work_permit.bpmn")[:700],
    "not_bpmn.bpmn": b"<html><body>hello</body></html>",
}


class TestValidateBytes:
    def test_work_permit_is_valid_without_warnings(self) -> None:
        report = validate_bytes(bpmn_bytes("work_permit.bpmn"), "work_permit.bpmn")
        assert report.ok and report.errors == [] and report.warnings == [] and report.unsupported == []

    def test_user_task_without_step_kind_is_a_warning_not_an_error(self) -> None:
        report = validate_bytes(bpmn_bytes("parallel.bpmn"), "parallel.bpmn")
        assert report.ok
        assert any(w.element_id == "a" and "step_kind" in w.message for w in report.warnings)

    def test_camunda_export_reports_unsupported_elements_by_name(self) -> None:
        report = validate_bytes(bpmn_bytes("foreign/camunda_modeler.bpmn"), "camunda_modeler.bpmn")
        assert not report.ok
        assert report.unsupported == ["complexGateway"]
        assert any(e.element_id == "Flow_3" and "condition" in e.message for e in report.errors)
        assert any("camunda:formData" in w.message for w in report.warnings)

    def test_bpmn_io_export_with_diagram_layout_is_valid(self) -> None:
        assert validate_bytes(bpmn_bytes("foreign/bpmn_io.bpmn"), "bpmn_io.bpmn").ok

    def test_signavio_export_fails_when_no_process_is_executable(self) -> None:
        report = validate_bytes(bpmn_bytes("foreign/signavio.bpmn"), "signavio.bpmn")
        expected = ['signavio.bpmn: no executable process (isExecutable="true") found']
        assert [e.message for e in report.errors] == expected

    def test_schema_violation_is_reported_with_a_line(self) -> None:
        broken = bpmn_bytes("exclusive.bpmn").replace(
            b'<bpmn:endEvent id="end">', b'<bpmn:endEvent id="end" bogus="1">')
        report = validate_bytes(broken, "broken.bpmn")
        assert not report.ok and "bogus" in report.errors[0].message

    def test_dmn_files_validate_on_their_own(self) -> None:
        assert validate_bytes(bpmn_bytes("fee.dmn"), "fee.dmn").ok

    @pytest.mark.parametrize("name", HOSTILE)
    def test_hostile_or_broken_input_gives_errors_not_exceptions(self, name: str) -> None:
        report = validate_bytes(HOSTILE[name], name)
        assert not report.ok and report.errors


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `python -m engine` the way the contract check does."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "engine", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


class TestValidateCommand:
    def test_validate_accepts_all_test_models(self) -> None:
        files = sorted(str(p) for p in BPMN_DIR.glob("*.bpmn"))
        out = run_cli("validate", *files)
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.count(": OK") == len(files)

    def test_validate_rejects_garbage_naming_the_file_without_traceback(self, tmp_path: Path) -> None:
        (tmp_path / "garbage.bpmn").write_bytes(b"not xml at all")
        out = run_cli("validate", str(tmp_path / "garbage.bpmn"))
        assert out.returncode != 0
        assert "garbage.bpmn" in out.stdout and "INVALID" in out.stdout
        assert "Traceback" not in out.stdout + out.stderr

    def test_validate_prints_one_line_per_file_and_fails_if_any_is_invalid(self, tmp_path: Path, capsys) -> None:
        paths = []
        for name, data in HOSTILE.items():
            (tmp_path / name).write_bytes(data)
            paths.append(str(tmp_path / name))
        paths += [str(tmp_path / "missing.bpmn"), str(tmp_path), str(BPMN_DIR / "work_permit.bpmn")]
        assert main(["validate", *paths]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == len(paths)
        assert all(line.startswith(path + ": ") for line, path in zip(lines, paths, strict=True))
        assert lines[-1].endswith(": OK")
        assert "cannot read file" in lines[-3]

    def test_validate_names_unsupported_elements(self, capsys) -> None:
        assert main(["validate", str(BPMN_DIR / "foreign/camunda_modeler.bpmn")]) == 1
        assert "unsupported element bpmn:complexGateway" in capsys.readouterr().out

    def test_validate_finds_sibling_dmn_for_business_rule_tasks(self, capsys) -> None:
        assert main(["validate", str(BPMN_DIR / "business_rules.bpmn")]) == 0


class TestRunCommand:
    def test_run_drives_work_permit_to_the_end(self, capsys) -> None:
        model = str(BPMN_DIR / "work_permit.bpmn")
        code = main(["run", model, "--process", "work_permit", "--data", '{"eligible": true}'])
        out = capsys.readouterr().out
        assert code == 0
        assert "[5] Trả kết quả (return) lane/role: Cán bộ tiếp nhận / receiver" in out
        assert json.loads(out.split("final data:\n", 1)[1]) == {"eligible": True}

    def test_run_fires_timers_on_the_way(self, capsys) -> None:
        data = json.dumps({"publish_on": "2030-01-01T00:00:00+00:00"})
        assert main(["run", str(BPMN_DIR / "timers.bpmn"), "--data", data]) == 0
        assert "timer_fired: Wait two hours" in capsys.readouterr().out

    def test_run_stops_when_waiting_for_a_message(self, capsys) -> None:
        assert main(["run", str(BPMN_DIR / "messages.bpmn"), "--data", '{"dossier_no": "D1"}']) == 1
        assert "waiting for message(s) opinion_received" in capsys.readouterr().out

    def test_run_reports_bad_json_without_traceback(self, capsys) -> None:
        assert main(["run", str(BPMN_DIR / "work_permit.bpmn"), "--data", "{nope"]) == 1
        assert "ERROR" in capsys.readouterr().out
