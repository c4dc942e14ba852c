"""Retention: archiving a dossier past its procedure's retention period (app.audit.retention) removes its scans and
strips its issued documents; the garbage collection then deletes their bytes, except what a later dossier reused;
a copy of the result the applicant kept still verifies by its hash."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit import retention
from app.core.errors import NotFoundError
from app.documents import gc, reuse, services
from app.documents.attachments import Upload, attach, list_attachments
from app.documents.models import Document
from app.documents.storage import get_storage
from app.extensions import db
from tests.integration.documents.test_uploads import pdf
from tests.integration.dossiers.conftest import official

PERMIT = "1.014199"
LATER = datetime(2036, 6, 1, tzinfo=UTC)


@pytest.fixture
def closed(desk, clock, rendered):
    """A work permit with a scan, handled to the end (signed result returned), then a new dossier of the same
    applicant that reuses the scan."""
    clock("2026-03-02 08:00")
    dossier = desk.receive(PERMIT).dossier
    [scan] = attach(None, dossier, [Upload("don.pdf", pdf(2), "Đơn đề nghị")], stage="step")
    only_here = attach(None, dossier, [Upload("anh.pdf", pdf(3), "Ảnh")], stage="step")[0]
    db.session.commit()
    desk.run_to_end(dossier)
    rendered()
    dossier.procedure.retention_years = 5
    db.session.commit()
    later = desk.receive(PERMIT).dossier
    offers = reuse.chosen("038090001234", [f"a{scan.id}"], exclude_dossier_id=later.id)
    [link] = attach(None, later, [], stage="intake", reuse=offers)
    db.session.commit()
    return dossier, scan.content_hash, only_here.content_hash, link


def test_archiving_removes_the_files_and_the_gc_their_bytes(closed, tmp_path, clock):
    dossier, shared, own, link = closed
    clock("2036-06-01 09:00")  # (at the instant the dossier ended, any event would issue its control slip again)
    result = next(d for d in services.list_documents(dossier.id) if d.kind == "result")
    result_hash, result_pdf = result.content_hash, services.document_bytes(result)
    retention.archive_due(tmp_path, now=LATER, actor_name="test")
    db.session.commit()
    db.session.expire_all()
    assert list_attachments(dossier.id) == [] and services.list_documents(dossier.id) == []
    stripped = db.session.get(Document, result.id)
    assert stripped.status == "removed" and "applicant_name" not in stripped.context
    assert stripped.context["code"] == dossier.code and stripped.content_hash == result_hash
    with pytest.raises(NotFoundError):
        services.get_document_for(official("receiver", dossier.receiving_agency_id), dossier.code, result.id)
    assert services.verify_pdf(result_pdf).document.id == result.id  # the applicant's copy still verifies
    [kept] = list_attachments(link.dossier_id)
    assert (kept.reused_from_id, kept.content_hash) == (None, shared)
    deleted = gc.collect(timedelta(0), now=datetime.now(UTC) + timedelta(seconds=5))  # files have real times
    assert own in deleted and result_hash in deleted and shared not in deleted
    store = get_storage()
    assert store.exists(shared) and not store.exists(own) and not store.exists(result_hash)
    assert [o.key for o in reuse.offers("038090001234")] == [f"a{kept.id}"]  # only the later dossier's link


def test_a_dossier_still_in_its_retention_period_keeps_its_files(closed, tmp_path):
    dossier, shared, own, _link = closed
    retention.archive_due(tmp_path, now=datetime(2030, 1, 1, tzinfo=UTC))
    db.session.commit()
    assert {a.content_hash for a in list_attachments(dossier.id)} == {shared, own}
    assert all(d.status == "ready" for d in db.session.scalars(select(Document).where(
        Document.dossier_id == dossier.id)))
