"""`flask backup` / `flask restore`: a backup restored into a fresh database verifies chain by chain; tampering
in the dump, or a rewrite hidden from the database, is reported by the restore itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.audit import anchors
from app.core.db import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.ops.backup import default_path, sidecar_for
from tests.integration.audit.conftest import rewrite_chain

pytestmark = pytest.mark.committing  # pg_dump / the SQLite backup API read the database from another connection

ROOT = Path(__file__).resolve().parents[3]


def build_history(desk, clock) -> list[Dossier]:
    """Three dossiers through the real services: one finished, one half-way, one just received; the day is
    anchored (published to the witness file) and the clock moves on to the next working day."""
    clock("2026-11-23 09:00")
    done, midway, fresh = (desk.receive("1.014199").dossier for _ in range(3))
    desk.run_to_end(done)
    desk.complete(midway, "appraisal")
    with unit_of_work():
        anchors.create_anchor(date(2026, 11, 23))
    clock("2026-11-24 09:00")
    return [done, midway, fresh]


def snapshot() -> dict:
    """What must survive a backup: every dossier's code, status and chain head, and the number of events."""
    heads = db.session.execute(select(Dossier.code, Dossier.status, Dossier.event_seq, Dossier.last_event_hash)
                               .order_by(Dossier.code)).all()
    return {"heads": [tuple(row) for row in heads], "events": db.session.scalar(select(func.count(DossierEvent.id)))}


def backup(app, path: Path):
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return result


def restore(target, path: Path, *args: str):
    with target.app_context():
        return target.test_cli_runner().invoke(args=["restore", str(path), *args])


def snapshot_of(target) -> dict:
    with target.app_context():
        return snapshot()


class TestBackupAndRestore:
    def test_a_restore_into_a_fresh_database_verifies_every_chain(self, app, desk, clock, tmp_path,
                                                                 other_machine):
        build_history(desk, clock)
        before = snapshot()
        out = backup(app, tmp_path / "motcua.bak").output.splitlines()
        assert out[0] == str(tmp_path / "motcua.bak") and out[1].startswith("sha256 ") and len(out[1]) == 71
        assert out[2] == f"anchors {sidecar_for(tmp_path / 'motcua.bak')}"

        result = restore(other_machine, tmp_path / "motcua.bak")

        assert result.exit_code == 0, result.output
        assert "OK: 3 chains intact." in result.output
        assert snapshot_of(other_machine) == before and len(before["heads"]) == 3

    def test_a_database_that_is_not_empty_is_replaced_only_with_yes(self, app, desk, clock, tmp_path,
                                                                    other_machine):
        build_history(desk, clock)
        backup(app, tmp_path / "motcua.bak")
        assert restore(other_machine, tmp_path / "motcua.bak").exit_code == 0
        desk.receive("1.014199")
        backup(app, tmp_path / "later.bak")

        refused = restore(other_machine, tmp_path / "later.bak")
        assert refused.exit_code == 1 and "not empty" in refused.output
        assert len(snapshot_of(other_machine)["heads"]) == 3

        replaced = restore(other_machine, tmp_path / "later.bak", "--yes")
        assert replaced.exit_code == 0, replaced.output
        assert snapshot_of(other_machine) == snapshot()

    def test_restoring_a_tampered_dump_is_reported(self, app, desk, clock, tmp_path, other_machine, tamper):
        done, midway, _fresh = build_history(desk, clock)
        tamper("UPDATE dossiers SET status = 'refused' WHERE id = :id", id=midway.id)
        tamper("UPDATE process_instances SET state_json = REPLACE(state_json, 'approve', 'refuse') "
               "WHERE dossier_id = :id", id=done.id)
        backup(app, tmp_path / "tampered.bak")

        result = restore(other_machine, tmp_path / "tampered.bak")

        assert result.exit_code == 1
        assert f"{midway.code}: " in result.output and "legal fields" in result.output
        assert f"{done.code}: " in result.output and "process state was edited" in result.output
        assert "BROKEN: 2/3 chains broken" in result.output

    def test_a_rewrite_hidden_from_the_database_is_caught_by_the_anchor_sidecar(self, app, desk, clock, tmp_path,
                                                                                other_machine, tamper):
        done = build_history(desk, clock)[0]

        def change(fields):
            fields["data"] = {**fields["data"], "comment_forged": True}

        rewrite_chain(done.id, 2, change)  # self-consistent chain, recomputed head
        tamper("DELETE FROM audit_anchors")
        backup(app, tmp_path / "rewritten.bak")

        result = restore(other_machine, tmp_path / "rewritten.bak")

        assert result.exit_code == 1 and "rewritten" in result.output and "deleted or altered" in result.output
        sidecar_for(tmp_path / "rewritten.bak").unlink()  # without the witness copy nothing can tell
        assert restore(other_machine, tmp_path / "rewritten.bak", "--yes").exit_code == 0

    def test_the_default_file_name(self, app):
        url = make_url("sqlite:///x.sqlite")
        at = datetime(2027, 3, 5, 16, 7, 9)
        assert default_path("/srv/instance", url, at) == Path("/srv/instance/backups/motcua-20270305-160709.sqlite")
        assert default_path("/i", make_url("postgresql+psycopg://u@h/d"), at).name == "motcua-20270305-160709.dump"


class TestTheRealCommands:
    def test_flask_backup_and_restore_through_wsgi(self, app, desk, clock, tmp_path, database_url,
                                                     other_machine):
        """The contract: `flask --app wsgi backup` / `restore` against MOTCUA_DATABASE_URL, in their own processes."""
        build_history(desk, clock)
        before = snapshot()

        def flask(url: str, anchor_file: Path, *args: str) -> subprocess.CompletedProcess:
            env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_SECRET_KEY": "test-secret",
                   "MOTCUA_ANCHOR_FILE": str(anchor_file), "MOTCUA_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
            return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=180, check=False)

        made = flask(database_url, Path(app.config["ANCHOR_FILE"]), "backup", "--out", str(tmp_path / "b.dump"))
        assert made.returncode == 0, made.stderr
        target_url = other_machine.config["SQLALCHEMY_DATABASE_URI"]
        restored = flask(target_url, tmp_path / "nowhere.jsonl", "restore", str(tmp_path / "b.dump"))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "OK: 3 chains intact." in restored.stdout
        assert snapshot_of(other_machine) == before
        published = [json.loads(line) for line in Path(str(tmp_path / "b.dump") + ".anchors.jsonl").read_text()
                     .splitlines()]
        assert len(published) == 1
