"""The receiving counter's lists and the printable tracking book (issue 14.9)."""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask import abort, current_app, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from app.auth.models import Agency
from app.core.db import utcnow
from app.core.permissions import roles_required
from app.core.timefmt import to_local
from app.dossiers import privacy
from app.dossiers.counter import (
    COUNTER_ROLES,
    VIEWS,
    CounterFilter,
    counter_agency_ids,
    counter_dossiers,
    is_id_search,
    logbook_rows,
)
from app.dossiers.views import bp
from app.extensions import db, limiter


def official_key() -> str:
    return f"user:{current_user.get_id()}"


def _after(raw: str | None) -> tuple[datetime, int] | None:
    try:
        stamp, _sep, ident = (raw or "").rpartition("_")
        return (datetime.fromisoformat(stamp), int(ident)) if stamp else None
    except ValueError:
        abort(400)


@bp.route("/counter/dossiers")
@roles_required(*COUNTER_ROLES)
@limiter.limit(lambda: current_app.config["COUNTER_ID_SEARCH_LIMIT"], key_func=official_key,
               exempt_when=lambda: not is_id_search(request.args.get("q")))
def counter_lists():
    view = request.args.get("view", "today")
    if view not in VIEWS:
        abort(404)
    search = (request.args.get("q") or "").strip()[:64] or None
    page = counter_dossiers(current_user, CounterFilter(view=view, search=search,
                                                        after=_after(request.args.get("after"))))
    after = f"{page.after[0].isoformat()}_{page.after[1]}" if page.after else None
    return render_template("dossiers/counter.html", rows=privacy.for_reader_list(current_user, page.rows),
                           view=view, views=list(VIEWS), search=search or "", after=after)


@bp.route("/counter/book")
@roles_required(*COUNTER_ROLES)
def logbook():
    agency_ids = counter_agency_ids(current_user)
    agency_id = request.args.get("agency", type=int) or (agency_ids[0] if agency_ids else None)
    if agency_id not in agency_ids:
        abort(404)
    year = request.args.get("year", type=int) or to_local(utcnow()).year
    if not 2000 <= year <= 2100:
        abort(404)
    rows = logbook_rows(agency_id, year)
    sections = [(form, list(items)) for form, items in groupby(rows, key=lambda r: r.form)]
    agencies = [db.session.get(Agency, i) for i in agency_ids]
    with force_locale("vi"):  # the logbook is a legal form: always Vietnamese
        return render_template("dossiers/logbook.html", sections=sections, year=year,
                               agency=db.session.get(Agency, agency_id), agencies=agencies)
