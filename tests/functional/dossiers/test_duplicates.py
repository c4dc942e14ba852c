"""Duplicate guard (issue 14.6): a one-time token per intake form; the same applicant and procedure on the same day
asks for confirmation."""
from __future__ import annotations

import re

from app.catalog.services import get_procedure
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.dossiers.test_intake_views import intake_post
from tests.functional.ui_world import WORK_PERMIT


def _form(client):
    page = client.get(f"/counter/intake/{WORK_PERMIT}").text
    return re.search(r'name="submission_token" value="([0-9a-f]+)"', page).group(1)


def _post(client, token, **extra):
    docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
    return client.post(f"/counter/intake/{WORK_PERMIT}", data={**intake_post(docs), "submission_token": token,
                                                                **extra})


class TestOneTimeToken:
    def test_submitting_the_same_form_twice_shows_the_first_result(self, officials, at_office):
        client = officials.login("tiepnhan")
        token = _form(client)
        first = _post(client, token)
        assert first.status_code == 302
        second = _post(client, token)  # the back button, then submit again
        assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
        assert db.session.query(Dossier).count() == 1
        assert "không tạo hồ sơ mới" in client.get(second.headers["Location"]).text


class TestSameApplicantSameDay:
    def test_a_second_dossier_of_the_same_applicant_today_asks_for_confirmation(self, officials, at_office):
        client = officials.login("tiepnhan")
        assert _post(client, _form(client)).status_code == 302
        again = _post(client, _form(client))
        assert again.status_code == 422 and 'id="duplicate-warning"' in again.text
        assert db.session.query(Dossier).count() == 1
        confirmed = _post(client, _form(client), confirm_duplicate="1")
        assert confirmed.status_code == 302
        assert db.session.query(Dossier).count() == 2
