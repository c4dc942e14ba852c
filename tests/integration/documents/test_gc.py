"""Storage garbage collection: unreferenced bytes older than the grace period go, everything a row points at
(attachments, their previews, issued documents) and everything written recently stays."""
from __future__ import annotations

import os
import time

import pytest

from app.core.db import utcnow
from app.documents import gc, services
from app.documents.attachments import Upload, attach
from app.documents.storage import EXTENSION_KEY, LocalStorage
from app.extensions import db
from tests.integration.documents.test_uploads import pdf

PERMIT = "1.014199"
DAY = 24 * 3600


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    own = LocalStorage(tmp_path / "store")
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, own)
    return own


def _age(store: LocalStorage, digest: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store._path(digest), (then, then))


def test_only_old_unreferenced_bytes_are_deleted(store, desk):
    dossier = desk.receive(PERMIT).dossier
    [row] = attach(None, dossier, [Upload("don.pdf", pdf(1), "Đơn")], stage="step")
    services.render_pending(limit=100)  # the receipt slip
    db.session.commit()
    [slip] = [d.content_hash for d in services.list_documents(dossier.id) if d.is_ready]
    orphan_old, orphan_new = store.put(b"rolled back long ago"), store.put(b"an open transaction's file")
    for digest in (row.content_hash, row.preview_hash, slip, orphan_old):
        _age(store, digest, 3 * DAY)
    assert gc.collect(dry_run=True) == [orphan_old] and store.exists(orphan_old)
    assert gc.collect() == [orphan_old]
    assert not store.exists(orphan_old)
    assert all(store.exists(d) for d in (row.content_hash, row.preview_hash, slip, orphan_new))


def test_bytes_written_again_start_their_grace_period_over(store):
    digest = store.put(b"same scan, uploaded again")
    _age(store, digest, 3 * DAY)
    store.put(b"same scan, uploaded again")  # the row of this upload is not committed yet
    assert gc.collect() == [] and store.exists(digest)


def test_a_file_renewed_after_listing_is_not_deleted(store):
    digest = store.put(b"renewed meanwhile")
    _age(store, digest, 3 * DAY)
    cutoff = utcnow() - gc.DEFAULT_GRACE
    store.put(b"renewed meanwhile")
    assert store.delete(digest, written_before=cutoff) is False and store.exists(digest)


def test_the_cli_lists_then_deletes(app, store):
    digest = store.put(b"orphan")
    _age(store, digest, 2 * DAY)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["documents", "gc", "--dry-run"])
    assert listed.exit_code == 0 and digest in listed.output and store.exists(digest)
    done = runner.invoke(args=["documents", "gc", "--grace-hours", "1"])
    assert done.exit_code == 0 and "deleted 1" in done.output and not store.exists(digest)


def test_the_daily_scheduler_job_collects(app, store):
    from app.scheduler.jobs import collect_document_garbage
    from app.scheduler.runner import job_specs

    assert "document-gc" in {spec.id for spec in job_specs(30)}
    digest = store.put(b"orphan for the night job")
    _age(store, digest, 2 * DAY)
    assert collect_document_garbage(app) == 1 and not store.exists(digest)


def test_the_searchable_ocr_copy_of_a_scan_is_kept(store, desk):
    from app.documents.attachments import ocr_pending
    from tests.integration.documents.test_ocr import id_card

    dossier = desk.receive(PERMIT).dossier
    [row] = attach(None, dossier, [Upload("cccd.png", id_card(), "CCCD")], stage="step")
    ocr_pending()
    db.session.commit()
    assert row.searchable_hash
    _age(store, row.searchable_hash, 3 * DAY)
    assert row.searchable_hash not in gc.collect()
    assert store.exists(row.searchable_hash)
