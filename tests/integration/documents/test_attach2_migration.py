"""Migration 0017_attach2: the online portal's uploads (dossier_attachments, files in the old upload directory)
become attachments in the document storage, and the old table is gone; downgrading brings them back."""
from __future__ import annotations

import hashlib

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import MIGRATIONS_DIR, create_app
from app.documents.storage import get_storage
from app.extensions import db
from tests.dbutil import fresh_database, is_postgres
from tests.integration.documents.test_uploads import pdf

pytestmark = pytest.mark.skipif(is_postgres(), reason="rows without their dossier: SQLite does not enforce keys")


def test_online_uploads_move_to_the_document_storage(tmp_path, monkeypatch):
    scan = pdf(2)
    digest = hashlib.sha256(scan).hexdigest()
    old_dir = tmp_path / "uploads"
    (old_dir / digest[:2]).mkdir(parents=True)
    (old_dir / digest[:2] / digest).write_bytes(scan)
    monkeypatch.setenv("MOTCUA_UPLOAD_DIR", str(old_dir))
    with fresh_database(tmp_path, "att2") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                          "DOCUMENT_DIR": str(tmp_path / "documents")})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR), revision="0016_notify_3")
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO dossier_attachments (dossier_id, document_id, document_name, filename, content_type,"
                    " size, sha256, purpose, uploaded_at) VALUES (7, NULL, 'Hộ chiếu', 'ho-chieu.pdf',"
                    " 'application/pdf', :size, :sha, 'supplement', '2026-11-02 03:00:00')"),
                    {"size": len(scan), "sha": digest})
            assert not get_storage().exists(digest)
            upgrade(directory=str(MIGRATIONS_DIR))
            assert "dossier_attachments" not in inspect(db.engine).get_table_names()
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT dossier_id, stage, checklist_item, original_name, content_hash,"
                                         " media_type, page_count, uploaded_by_id FROM attachments")).all()
            assert [tuple(r) for r in rows] == [(7, "supplement", "Hộ chiếu", "ho-chieu.pdf", digest,
                                                 "application/pdf", 2, None)]
            assert get_storage().get(digest) == scan
            downgrade(directory=str(MIGRATIONS_DIR), revision="0016_notify_3")
            with db.engine.connect() as conn:
                back = conn.execute(text("SELECT filename, sha256, purpose FROM dossier_attachments")).all()
                left = conn.execute(text("SELECT count(*) FROM attachments")).scalar()
            assert ([tuple(r) for r in back], left) == ([("ho-chieu.pdf", digest, "supplement")], 0)
            db.engine.dispose()
