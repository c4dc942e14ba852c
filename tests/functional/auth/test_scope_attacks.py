"""Issue 13.1: an admin scoped to a commune attacks the admin pages over HTTP and stays inside its commune."""
from __future__ import annotations

import pytest

from app.auth.models import RoleAssignment, User
from app.extensions import db
from tests.factories.auth import AgencyFactory, UserFactory

STRONG = "ngua-van-dam-2026"


@pytest.fixture
def tree():
    province = AgencyFactory(code="38", name="Tỉnh")
    commune = AgencyFactory(code="14797", name="Phường Hạc Thành", parent=province)
    other = AgencyFactory(code="15880", name="Xã Đông Sơn", parent=province)
    hamlet = AgencyFactory(code="14797.T1", name="Tổ 1", parent=commune)
    users = {
        "root": UserFactory(username="root", with_roles=[("admin", None)]),
        "xa_admin": UserFactory(username="xa_admin", with_roles=[("admin", commune)]),
        "xa_clerk": UserFactory(username="xa_clerk", with_roles=[("receiver", commune)]),
        "to_clerk": UserFactory(username="to_clerk", with_roles=[("receiver", hamlet)]),
        "tinh_user": UserFactory(username="tinh_user", with_roles=[("leader", province)]),
        "both": UserFactory(username="both", with_roles=[("specialist", commune), ("leader", province)]),
        "dongson": UserFactory(username="dongson", with_roles=[("receiver", other)]),
        "orphan": UserFactory(username="orphan"),
    }
    db.session.commit()
    return {"province": province, "commune": commune, "other": other, "hamlet": hamlet, **users}


@pytest.fixture
def as_commune_admin(tree, auth):
    assert auth.login("xa_admin").status_code == 302
    return tree


def _user_id(username: str) -> int:
    return db.session.scalar(db.select(User.id).where(User.username == username))


class TestScopedAdminListsOnlyItsSubtree:
    def test_user_list_shows_only_users_with_a_role_in_the_subtree(self, client, as_commune_admin):
        page = client.get("/admin/users").text
        for name in ("xa_admin", "xa_clerk", "to_clerk", "both"):
            assert f">{name}<" in page
        for name in ("root", "tinh_user", "dongson", "orphan"):
            assert f">{name}<" not in page

    def test_user_page_outside_the_subtree_is_not_found(self, client, as_commune_admin):
        assert client.get(f"/admin/users/{_user_id('tinh_user')}").status_code == 404
        assert client.get(f"/admin/users/{_user_id('root')}").status_code == 404

    def test_agency_list_and_edit_are_limited_to_the_subtree(self, client, as_commune_admin):
        page = client.get("/admin/agencies").text
        assert "Phường Hạc Thành" in page and "Tổ 1" in page
        assert "Xã Đông Sơn" not in page and ">Tỉnh<" not in page
        assert client.get(f"/admin/agencies/{as_commune_admin['other'].id}").status_code == 403
        response = client.post(f"/admin/agencies/{as_commune_admin['province'].id}",
                               data={"code": "38", "name": "Bị đổi tên", "level": "province", "is_active": "y"})
        assert response.status_code == 403
        db.session.expire_all()
        assert as_commune_admin["province"].name == "Tỉnh"

    def test_access_log_shows_only_the_subtree(self, client, as_commune_admin):
        from app.audit.services import log_access

        log_access(as_commune_admin["tinh_user"], "search", detail="tinh-secret")
        log_access(as_commune_admin["xa_clerk"], "search", detail="xa-visible")
        db.session.commit()
        page = client.get("/audit/access-log").text
        assert "xa-visible" in page and "tinh-secret" not in page


class TestScopedAdminCannotEscalate:
    def test_granting_global_admin_is_refused(self, client, as_commune_admin):
        uid = _user_id("xa_clerk")
        response = client.post(f"/admin/users/{uid}/roles", data={"grant-role": "admin", "grant-agency_code": ""})
        assert response.status_code == 403
        assert db.session.scalar(db.select(RoleAssignment).where(RoleAssignment.user_id == uid,
                                                                 RoleAssignment.role == "admin")) is None

    def test_granting_a_role_at_the_province_is_refused(self, client, as_commune_admin):
        uid = _user_id("xa_clerk")
        response = client.post(f"/admin/users/{uid}/roles", data={"grant-role": "leader", "grant-agency_code": "38"})
        assert response.status_code == 403

    def test_granting_a_role_inside_the_subtree_works(self, client, as_commune_admin):
        uid = _user_id("xa_clerk")
        response = client.post(f"/admin/users/{uid}/roles",
                               data={"grant-role": "leader", "grant-agency_code": "14797.T1"})
        assert response.status_code == 302
        assert db.session.get(User, uid).has_role("leader", as_commune_admin["hamlet"])

    def test_grant_form_offers_no_global_choice(self, client, as_commune_admin):
        page = client.get(f"/admin/users/{_user_id('xa_clerk')}").text
        assert "(Toàn hệ thống)" not in page and 'value="38"' not in page

    def test_resetting_a_province_users_password_is_refused(self, client, as_commune_admin):
        before = db.session.get(User, _user_id("tinh_user")).password_hash
        response = client.post(f"/admin/users/{_user_id('tinh_user')}", data={"is_enabled": "y", "password": STRONG})
        assert response.status_code == 404
        db.session.expire_all()
        assert db.session.get(User, _user_id("tinh_user")).password_hash == before

    def test_resetting_a_user_who_also_holds_a_province_role_is_refused(self, client, as_commune_admin):
        uid = _user_id("both")
        assert client.get(f"/admin/users/{uid}").status_code == 200  # visible: a role inside the commune
        response = client.post(f"/admin/users/{uid}", data={"is_enabled": "y", "password": STRONG})
        assert response.status_code == 403
        response = client.post(f"/admin/users/{uid}", data={"password": ""})  # is_enabled unticked: disable
        assert response.status_code == 403
        db.session.expire_all()
        assert db.session.get(User, uid).is_enabled

    def test_revoking_a_province_role_is_refused(self, client, as_commune_admin):
        user = db.session.get(User, _user_id("both"))
        province_role = next(a for a in user.roles if a.role == "leader")
        response = client.post(f"/admin/users/{user.id}/roles/{province_role.id}/delete")
        assert response.status_code == 403

    def test_creating_a_root_agency_or_one_under_the_province_is_refused(self, client, as_commune_admin):
        for parent in ("", "38"):
            response = client.post("/admin/agencies/new", data={"code": f"NEW{parent}", "name": "Mới",
                                                                 "level": "commune", "parent_code": parent})
            assert response.status_code == 403

    def test_creating_an_agency_inside_the_subtree_works(self, client, as_commune_admin):
        response = client.post("/admin/agencies/new", data={"code": "14797.T2", "name": "Tổ 2", "level": "commune",
                                                             "parent_code": "14797", "is_active": "y"})
        assert response.status_code == 302

    def test_resetting_a_user_inside_the_subtree_works_and_is_audited(self, client, as_commune_admin):
        uid = _user_id("xa_clerk")
        response = client.post(f"/admin/users/{uid}", data={"is_enabled": "y", "password": STRONG})
        assert response.status_code == 302
        events = client.get("/admin/auth-events").text
        assert 'data-kind="password_reset"' in events

    def test_new_user_is_manageable_by_its_creator_until_granted(self, client, as_commune_admin):
        response = client.post("/admin/users/new", data={"username": "moi", "full_name": "Cán bộ mới",
                                                         "password": STRONG})
        assert response.status_code == 302
        url = response.headers["Location"]
        assert client.get(url).status_code == 200
        assert client.post(url + "/roles", data={"grant-role": "receiver",
                                                 "grant-agency_code": "14797"}).status_code == 302


class TestGlobalAdmin:
    def test_global_admin_still_sees_and_manages_everyone(self, client, auth, tree):
        auth.login("root")
        page = client.get("/admin/users").text
        assert ">tinh_user<" in page and ">orphan<" in page
        response = client.post(f"/admin/users/{_user_id('tinh_user')}", data={"is_enabled": "y", "password": STRONG})
        assert response.status_code == 302


class TestAuthEventsScope:
    def test_commune_admin_does_not_see_province_logins(self, client, auth, tree):
        auth.login("tinh_user")
        auth.logout()
        auth.login("xa_clerk", "wrong-password-x")
        auth.login("xa_admin")
        page = client.get("/admin/auth-events").text
        assert "tinh_user" not in page
        assert 'data-kind="login_failed"' in page and "xa_clerk" in page

    def test_officials_cannot_read_the_account_log(self, client, auth, tree):
        auth.login("xa_clerk")
        assert client.get("/admin/auth-events").status_code == 403
