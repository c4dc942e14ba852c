"""Once-only online: the signed-in citizen's earlier scans are offered on the submission form; one ticked for a
checklist item counts as that item (no upload again) and is linked to the new dossier, not copied."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.catalog.services import get_procedure
from app.documents.models import Attachment
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.citizen.online import WORK_PERMIT, posted_form
from tests.functional.citizen.portal import AN, BINH, sign_in
from tests.integration.documents.test_uploads import pdf


def _post(client, form):
    return client.post(f"/cong-dan/nop-ho-so/{WORK_PERMIT}", data=form, content_type="multipart/form-data")


def _first_dossier(client, desk) -> Dossier:
    form = posted_form(desk)
    for pages, key in enumerate([k for k in form if k.startswith("doc-")], start=1):
        form[key] = (io.BytesIO(pdf(pages)), f"giay-to-{pages}.pdf")  # a different scan for each item
    response = _post(client, form)
    assert response.status_code == 302, response.text[:500]
    return db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))


def test_an_earlier_scan_is_offered_and_counts_for_its_item(client, sandboxes, desk):
    sign_in(client, AN)
    first = _first_dossier(client, desk)
    item = next(d for d in get_procedure(WORK_PERMIT).documents if d.is_mandatory)
    earlier = db.session.scalar(select(Attachment).where(Attachment.dossier_id == first.id,
                                                         Attachment.required_document_id == item.id))
    page = client.get(f"/cong-dan/nop-ho-so/{WORK_PERMIT}")
    offered = re.findall(r'name="reuse" value="(a\d+)"', page.text)
    assert f"a{earlier.id}" in offered and first.code in page.text
    missing = _post(client, posted_form(desk, skip_documents=1))  # the first item neither uploaded nor reused
    assert missing.status_code == 422 and "missing-documents" in missing.text
    response = _post(client, {**posted_form(desk, skip_documents=1), "reuse": f"a{earlier.id}"})
    assert response.status_code == 302, response.text[:1000]
    second = db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))
    [linked] = db.session.scalars(select(Attachment).where(Attachment.dossier_id == second.id,
                                                           Attachment.reused_from_id.is_not(None))).all()
    assert (linked.reused_from_id, linked.content_hash, linked.required_document_id, linked.stage) == (
        earlier.id, earlier.content_hash, item.id, "online")
    assert any(d["received"] for d in second.documents if d["id"] == item.id)


def test_another_citizen_is_offered_nothing_and_cannot_link_it(client, sandboxes, desk):
    sign_in(client, AN)
    first = _first_dossier(client, desk)
    earlier = db.session.scalars(select(Attachment).where(Attachment.dossier_id == first.id)).first()
    sign_in(client, BINH)
    client.get("/cong-dan/ho-so")  # shows the first submission's flash message (which names its code)
    page = client.get(f"/cong-dan/nop-ho-so/{WORK_PERMIT}")
    assert BINH in page.text
    assert 'id="reuse-offers"' not in page.text and first.code not in page.text
    count = db.session.scalar(select(db.func.count()).select_from(Dossier))
    response = _post(client, {**posted_form(desk, skip_documents=1), "reuse": f"a{earlier.id}"})
    assert response.status_code == 422 and "không thuộc các hồ sơ trước" in response.text
    assert db.session.scalar(select(db.func.count()).select_from(Dossier)) == count
