"""Issue 17: the site's commune is chosen on the online form (as at the counter), so a dossier of a procedure
handled where the site is (construction permit, household business) goes to that commune whichever commune
received it; a center cannot guess it."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.services import get_agency_by_code
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.citizen.online import posted_form
from tests.functional.citizen.portal import AN, sign_in

HOUSEHOLD = "1.001612"  # competence: the commune of the business premises


def _post(client, desk, **fields):
    form = {**posted_form(desk, HOUSEHOLD), "agency": "14797", **fields}
    return client.post(f"/cong-dan/nop-ho-so/{HOUSEHOLD}", data=form, content_type="multipart/form-data")


def test_the_form_offers_the_site_commune_and_routes_the_dossier_there(client, sandboxes, desk):
    sign_in(client, AN)
    page = client.get(f"/cong-dan/nop-ho-so/{HOUSEHOLD}")
    assert 'id="site-commune"' in page.text and 'value="15880"' in page.text
    response = _post(client, desk, site_commune="15880")  # received at Hạc Thành, the premises in Đông Sơn
    assert response.status_code == 302, response.text[:1000]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))
    assert dossier.receiving_agency.code == "14797"
    assert (dossier.handling_agency_id, dossier.competence_commune) == (get_agency_by_code("15880").id, "15880")


def test_without_a_site_commune_the_receiving_commune_is_the_site(client, sandboxes, desk):
    sign_in(client, AN)
    response = _post(client, desk)
    assert response.status_code == 302, response.text[:1000]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))
    assert dossier.handling_agency_id == get_agency_by_code("14797").id


def test_an_unknown_site_commune_is_refused_on_the_form(client, sandboxes, desk):
    sign_in(client, AN)
    before = db.session.scalar(select(func.count()).select_from(Dossier))
    response = _post(client, desk, site_commune="99999")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == before


def test_procedures_of_other_competences_do_not_ask_for_it(client, sandboxes, desk):
    sign_in(client, AN)
    assert 'id="site-commune"' not in client.get("/cong-dan/nop-ho-so/1.014199").text
