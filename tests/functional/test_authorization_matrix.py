"""The authorization matrix: every route and API operation against one declared policy table (issue 13).

A route added without an entry here fails `test_every_route_has_a_declared_policy`. For each entry the matrix
checks: anonymous callers get nothing (401 on the API, the login page on HTML); signed-in users without the
role are refused; and holders of the role at *another* agency are refused on that dossier, task, user or
agency (403 or 404, never the content, and nothing that differs from the answer about an object that does not exist).
"""
from __future__ import annotations

import re

import pytest

from app.auth.models import RoleAssignment, User
from app.auth.services import get_agency_by_code
from app.core.db import unit_of_work
from app.core.permissions import ALL_ROLES
from app.extensions import db
from app.tokens.services import create_token
from tests.factories.auth import TEST_PASSWORD, UserFactory
from tests.functional.ui_world import desk, world  # noqa: F401

OFFICIALS = ("receiver", "specialist", "leader", "clerk", "returner")
READERS = (*OFFICIALS, "admin", "auditor", "supervisor")
PUBLIC, AUTHENTICATED, CITIZEN = "public", ("authenticated",), "citizen"  # citizen: signed in with VNeID

# endpoint -> (who may call it, which object of another agency the route takes, if any)
POLICY: dict[str, tuple[object, str | None]] = {
    "admin.agencies": (("admin",), None), "admin.agency_edit": (("admin",), "agency"),
    "admin.agency_new": (("admin",), None), "admin.auth_events": (("admin", "auditor"), None),
    "admin.user_edit": (("admin",), "user"), "admin.user_grant": (("admin",), "user"),
    "admin.user_new": (("admin",), None), "admin.user_revoke": (("admin",), "user"),
    "admin.users": (("admin",), None),
    "api_docs.docs": (PUBLIC, None), "api_docs.openapi_json": (PUBLIC, None),
    "audit.access_log": (("admin",), None), "audit.export_bundle": (("auditor", "admin"), "dossier"),
    "audit.index": (("auditor", "admin"), None), "audit.reexecute_dossier": (("auditor", "admin"), "dossier"),
    "audit.replay": (("auditor", "admin"), "dossier"), "audit.retention_due": (("admin",), None),
    "audit.verify_chain": (("auditor", "admin"), "dossier"), "audit_api.verify_chain": (("auditor",), "dossier"),
    "auth.change_password": (AUTHENTICATED, None), "auth.login": (PUBLIC, None),
    "auth.logout": (AUTHENTICATED, None), "auth.set_language": (PUBLIC, None),
    "catalog.edit": (("admin",), None), "catalog.import_file": (("admin",), None),
    "catalog.index": (("admin", "designer"), None),
    "citizen.kiosk": (PUBLIC, None), "citizen.lookup": (PUBLIC, None), "citizen.rate": (PUBLIC, None),
    "citizen.result": (PUBLIC, None),
    "citizen.sign_in": (PUBLIC, None), "citizen.sign_in_start": (PUBLIC, None),
    "citizen.sign_in_callback": (PUBLIC, None), "citizen.sign_out": (PUBLIC, None),
    "citizen.my_dossiers": (CITIZEN, None), "citizen.my_dossier": (CITIZEN, None),
    "citizen.procedures": (CITIZEN, None), "citizen.submit": (CITIZEN, None),
    "citizen.pay": (CITIZEN, None), "citizen.check_payment": (CITIZEN, None),
    "citizen.payment_receipt": (CITIZEN, None), "citizen.payment_receipt_pdf": (CITIZEN, None),
    "citizen.choose_return": (CITIZEN, None),
    "citizen.supplement": (CITIZEN, None), "citizen.withdraw": (CITIZEN, None),
    "citizen.my_result_pdf": (CITIZEN, None), "citizen.lookup_result_pdf": (PUBLIC, None),
    "payments.notify": (PUBLIC, None), "payments.back_from_gateway": (PUBLIC, None),
    "payments.confirm_cash": (("receiver",), "dossier"),
    "postal.hand_over": (("returner",), "dossier"), "postal.callback": (PUBLIC, None),
    "citizen.notification_preference": (PUBLIC, None),
    "citizen.unsubscribe": (PUBLIC, None),
    "designer.simulate": (("designer",), None),
    "designer.batch": (("designer",), None), "designer.batch_step": (("designer",), None),
    "designer.create_batch": (("designer",), None), "designer.decision_editor": (("designer",), None),
    "designer.decision_xml": (("designer",), None), "designer.decisions": (("designer",), None),
    "designer.deploy": (("designer",), None), "designer.deploy_decision": (("designer",), None),
    "designer.diff": (("designer",), None), "designer.editor": (("designer",), None),
    "designer.form_editor": (("designer",), None), "designer.forms": (("designer",), None),
    "designer.import_model": (("designer",), None), "designer.library": (("designer",), None),
    "designer.migrations": (("designer",), None), "designer.save": (("designer",), None),
    "designer.save_decision": (("designer",), None), "designer.save_form": (("designer",), None),
    "designer.try_decision": (("designer",), None), "designer.version_xml": (("designer",), None),
    "documents.attach": (OFFICIALS, "dossier"),
    "documents.attachment_file": ((*OFFICIALS, "admin", "auditor"), "dossier"),
    "documents.attachment_preview": ((*OFFICIALS, "admin", "auditor"), "dossier"),
    "documents.download": ((*OFFICIALS, "admin", "auditor"), "dossier"),
    "documents.logbook_pdf": (("receiver", "returner"), None), "documents.scan_id": (("receiver",), None),
    "documents.reprint": (("receiver", "returner"), "dossier"), "documents.verify_token": (PUBLIC, None),
    "documents.verify": (PUBLIC, None),
    "dossiers.apology": (("leader", "receiver"), "dossier"),
    "dossiers.comment": ((*OFFICIALS, "admin", "auditor"), "dossier"),
    "dossiers.verification": (("specialist", "leader"), "dossier"),
    "dossiers.counter_lists": (("receiver", "returner"), None), "dossiers.logbook": (("receiver", "returner"), None),
    "dossiers.complete": (OFFICIALS, "task"), "dossiers.detail": (READERS, "dossier"),
    "dossiers.disclose": (("supervisor",), "dossier"), "dossiers.intake": (("receiver",), None),
    "dossiers.intake_form": (("receiver",), None), "dossiers.model_xml": (READERS, "dossier"),
    "dossiers.receipt": (("receiver", "returner"), "dossier"), "dossiers.reissue": (("receiver",), "dossier"),
    "dossiers.supervision": (("supervisor",), None), "dossiers.supplement": (("receiver",), "dossier"),
    "dossiers.task": (OFFICIALS, "task"), "dossiers.transfer": ((*OFFICIALS, "admin", "auditor"), "dossier"),
    "dossiers.withdraw": (("receiver",), "dossier"), "dossiers.refuse_receipt": (("receiver",), "dossier"),
    "dossiers_api.events": (PUBLIC, "dossier"), "dossiers_api.get_dossier": (AUTHENTICATED, "dossier"),
    "dossiers_api.list_dossiers": (AUTHENTICATED, None), "dossiers_api.reissue_pin": (("receiver",), "dossier"),
    "dossiers_api.submit": (AUTHENTICATED, None), "dossiers_api.supplement": (("receiver",), "dossier"),
    "dossiers_api.withdraw": (("receiver",), "dossier"),
    "inbox.claim": (OFFICIALS, "task"), "inbox.counts": (OFFICIALS, None), "inbox.delete_view": (OFFICIALS, None),
    "inbox.index": (OFFICIALS, None), "inbox.reassign": (("leader",), "task"), "inbox.save_view": (OFFICIALS, None),
    "inbox.unclaim": (OFFICIALS, "task"),
    "lookup_api.events": (PUBLIC, None), "lookup_api.lookup": (PUBLIC, None),
    "lookup_api.lookup_by_url": (PUBLIC, None), "lookup_api.rate": (PUBLIC, None),
    "main.favicon": (PUBLIC, None), "main.health": (PUBLIC, None), "main.home": (PUBLIC, None),
    "notify.bell": (AUTHENTICATED, None), "notify.email": (AUTHENTICATED, None),
    "notify.index": (AUTHENTICATED, None), "notify.read": (AUTHENTICATED, None),
    "notify.read_all": (AUTHENTICATED, None),
    "message_templates.delete": (("admin",), None), "message_templates.edit": (("admin",), None),
    "message_templates.index": (("admin",), None),
    "scheduler.cancel": (("admin",), None), "scheduler.index": (("admin",), None),
    "scheduler.job_runs": (("admin",), None),
    "scheduler.retry": (("admin",), None),
    "models_api.deploy": (("designer",), None), "models_api.list_models": (AUTHENTICATED, None),
    "models_api.versions": (AUTHENTICATED, None),
    "procedures_api.get_procedure": (PUBLIC, None), "procedures_api.list_procedures": (PUBLIC, None),
    "reports.index": (("leader", "supervisor", "admin"), None),
    "reports.export": (("leader", "supervisor", "admin"), None),
    "reports.periodic_report": (("leader", "supervisor", "admin"), None),
    "reports.periodic_file": (("leader", "supervisor", "admin"), None),
    "reports.scorecard_page": (("leader", "supervisor", "admin"), None),
    "reports.scorecard_file": (("leader", "supervisor", "admin"), None),
    "reports.process_heatmap": (("leader", "supervisor", "admin"), None),
    "stats_api.stats": (AUTHENTICATED, None), "stats_api.scorecard_ranking": (AUTHENTICATED, None),
    "tasks_api.claim": (AUTHENTICATED, "task"), "tasks_api.complete": (AUTHENTICATED, "task"),
    "tasks_api.list_tasks": (AUTHENTICATED, None), "tasks_api.reassign": (AUTHENTICATED, "task"),
    "tasks_api.unclaim": (AUTHENTICATED, "task"),
    "tokens.index": (AUTHENTICATED, None), "tokens.revoke": (AUTHENTICATED, None),
}
DUMMY = {"code": "000.00.00.H00-000000-0000", "process_key": "work_permit", "form_key": "work_permit/intake",
         "decision_key": "fee", "procedure_code": "1.014199", "table": "agency", "fmt": "csv"}
OUTSIDE = "15880"  # Đông Sơn: a commune that never touches the provincial work-permit dossier


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, objects: dict | None = None) -> str:
    values = {}
    for name in rule.arguments:
        if objects and name in objects:
            values[name] = objects[name]
        else:
            values[name] = DUMMY.get(name, 999999 if rule._converters[name].regex.startswith(r"\d") else "x")
    return rule.build(values, append_unknown=False)[1]


def _call(client, method: str, url: str, headers: dict | None = None):
    kwargs = {"headers": headers or {}}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs["json" if url.startswith("/api/") else "data"] = {}
    return client.open(url, method=method, **kwargs)


def test_every_route_has_a_declared_policy(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert endpoints - set(POLICY) == set(), "routes without a policy entry"
    assert set(POLICY) - endpoints == set(), "policy entries for routes that no longer exist"
    for endpoint, (who, _scope) in POLICY.items():
        declared = getattr(app.view_functions[endpoint], "_motcua_access", None)
        assert tuple(declared) == who if who not in (PUBLIC, CITIZEN) else declared == who, endpoint


def test_anonymous_callers_get_nothing_from_protected_routes(app, client, world):  # noqa: F811
    for rule, method in _routes(app):
        if POLICY[rule.endpoint][0] is PUBLIC:
            continue
        response = _call(client, method, _url(rule))
        if POLICY[rule.endpoint][0] == CITIZEN:  # the citizen portal sends them to the VNeID sign-in page
            assert response.status_code == 302 and "/cong-dan/dang-nhap" in response.location, (rule.endpoint, method)
        elif rule.rule.startswith("/api/"):
            assert response.status_code == 401, (rule.endpoint, method, response.status_code)
        else:
            assert response.status_code == 302 and "/login" in response.location, (rule.endpoint, method)


def _user_with(role: str, agency_code: str | None) -> User:
    agency = get_agency_by_code(agency_code) if agency_code else None
    user = UserFactory(username=f"matrix.{role}.{agency_code or 'all'}".lower().replace(".", "_"))
    user.roles.append(RoleAssignment(role=role, agency=agency))
    db.session.commit()
    return user


class Caller:
    """Sign a user in for HTML routes and give it a bearer token for the API."""

    def __init__(self, app, user: User):
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.text
        with unit_of_work():
            _token, raw = create_token(None, db.session.get(User, user.id), "matrix")
        self.headers = {"Authorization": f"Bearer {raw}"}

    def call(self, rule, method: str, url: str):
        api = rule.rule.startswith("/api/")
        return _call(self.client, method, url, self.headers if api else None)


def _lacking_role(who) -> str:
    return next(role for role in ALL_ROLES if role not in who)


def test_signed_in_users_without_the_role_are_refused(app, world):  # noqa: F811
    callers: dict[str, Caller] = {}
    for rule, method in _routes(app):
        who = POLICY[rule.endpoint][0]
        if who is PUBLIC or who == AUTHENTICATED:
            continue
        if who == CITIZEN:  # an official's account is no citizen's sign-in (another citizen: tests/functional/citizen)
            role = "receiver"
            if role not in callers:
                callers[role] = Caller(app, _user_with(role, OUTSIDE))
            response = callers[role].call(rule, method, _url(rule))
            assert response.status_code == 302 and "/cong-dan/dang-nhap" in response.location, rule.endpoint
            continue
        role = _lacking_role(who)
        if role not in callers:
            callers[role] = Caller(app, _user_with(role, None if role in ("admin", "designer", "auditor") else OUTSIDE))
        response = callers[role].call(rule, method, _url(rule))
        assert response.status_code == 403, (rule.endpoint, method, role, response.status_code)


@pytest.fixture
def provincial(desk):  # noqa: F811
    """A work permit of the provincial center, waiting at the Department of Home Affairs' appraisal."""
    dossier = desk.receive("1.014199").dossier
    task = desk.task(dossier, "appraisal")
    other = db.session.scalar(db.select(User).where(User.username == "chuyenvien.snv"))
    return {"code": dossier.code, "task_id": task.id, "user_id": other.id,
            "agency_id": get_agency_by_code("H38.SNV").id}


def test_role_holders_of_another_agency_are_refused_on_its_objects(app, provincial):
    callers: dict[str, Caller] = {}
    for rule, method in _routes(app):
        who, scope = POLICY[rule.endpoint]
        if scope is None:
            continue
        for role in (READERS if who in (AUTHENTICATED, PUBLIC) else who):
            if role == "designer":
                continue  # models carry no agency (see docs/security.md)
            if role not in callers:
                callers[role] = Caller(app, _user_with(role, OUTSIDE))
            response = callers[role].call(rule, method, _url(rule, provincial))
            unknown = callers[role].call(rule, method, _url(rule))  # the same call on an object that does not exist
            refused = response.status_code in (403, 404) or (
                response.status_code >= 400 and response.status_code == unknown.status_code)  # e.g. 422 on the body
            assert refused, (rule.endpoint, method, role, response.status_code, unknown.status_code,
                             re.sub(r"\s+", " ", response.get_data(as_text=True))[:200])
