"""Sign-in, language, CSRF and access rules through the real Flask app."""
from __future__ import annotations

import re

import pytest

from app import create_app
from app.core.db import unit_of_work
from app.extensions import db
from tests.factories.auth import AgencyFactory, UserFactory


class TestLogin:
    def test_login_page_is_vietnamese_by_default(self, client):
        page = client.get("/login")
        assert page.status_code == 200
        assert "Đăng nhập" in page.text
        assert 'lang="vi"' in page.text

    def test_login_succeeds_with_right_password(self, client, auth):
        UserFactory(username="cb1", full_name="Nguyễn Văn A")
        db.session.commit()
        response = auth.login("cb1")
        assert response.status_code == 302
        home = client.get("/")
        assert "Nguyễn Văn A" in home.text

    def test_login_fails_with_wrong_password(self, client, auth):
        UserFactory(username="cb1")
        db.session.commit()
        response = auth.login("cb1", "wrong-password")
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
        assert client.get("/").status_code == 302

    def test_login_fails_for_disabled_account(self, auth):
        UserFactory(username="cb1", is_enabled=False)
        db.session.commit()
        assert auth.login("cb1").status_code == 401

    def test_login_does_not_redirect_off_site(self, client):
        UserFactory(username="cb1")
        db.session.commit()
        response = client.post("/login?next=//evil.example/x", data={"username": "cb1", "password": "password-123"})
        assert response.headers["Location"] == "/"

    def test_logout_ends_session(self, client, auth):
        UserFactory(username="cb1")
        db.session.commit()
        auth.login("cb1")
        auth.logout()
        assert client.get("/").status_code == 302


class TestLanguage:
    def test_switch_to_english_and_back(self, client):
        client.post("/lang/en", data={"next": "/login"})
        page = client.get("/login")
        assert "Sign in" in page.text and 'lang="en"' in page.text
        client.post("/lang/vi", data={"next": "/login"})
        assert "Đăng nhập" in client.get("/login").text

    def test_error_messages_follow_language(self, client):
        client.post("/lang/en")
        response = client.post("/login", data={"username": "nobody", "password": "whatever-123"})
        assert "Wrong username or password" in response.text


class TestCsrf:
    @pytest.fixture
    def csrf_on(self, app):
        app.config["WTF_CSRF_ENABLED"] = True
        yield
        app.config["WTF_CSRF_ENABLED"] = False

    def test_post_without_token_is_rejected(self, client, csrf_on):
        UserFactory(username="cb1")
        db.session.commit()
        response = client.post("/login", data={"username": "cb1", "password": "password-123"})
        assert response.status_code == 400
        assert "CSRF" in response.text

    def test_post_with_token_from_form_is_accepted(self, client, csrf_on):
        UserFactory(username="cb1")
        db.session.commit()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"username": "cb1", "password": "password-123", "csrf_token": token})
        assert response.status_code == 302


class TestAccessRules:
    def test_every_endpoint_declares_an_access_rule(self, app):
        undeclared = [name for name, view in app.view_functions.items()
                      if name != "static" and not name.endswith(".static")
                      and getattr(view, "_motcua_access", None) is None]
        assert undeclared == []

    def test_undeclared_endpoint_is_denied(self, database_url):
        fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
        fresh.add_url_rule("/__naked", "naked", lambda: "secret")
        response = fresh.test_client().get("/__naked")
        assert response.status_code == 403 and "secret" not in response.text

    def test_admin_pages_refuse_officials(self, client, auth):
        UserFactory(username="cb1", with_roles=[("specialist", AgencyFactory())])
        db.session.commit()
        auth.login("cb1")
        response = client.get("/admin/users")
        assert response.status_code == 403
        assert "không có quyền" in response.text

    def test_admin_pages_require_login(self, client):
        response = client.get("/admin/users")
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    def test_pages_send_security_headers(self, client):
        headers = client.get("/login").headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "http" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Request-ID"]

    def test_unknown_page_is_friendly_404(self, client):
        response = client.get("/khong-co")
        assert response.status_code == 404 and "Không tìm thấy" in response.text


class TestAdministration:
    @pytest.fixture
    def admin(self, auth):
        UserFactory(username="boss", with_roles=[("admin", None)])
        AgencyFactory(code="SXD", name="Sở Xây dựng")
        db.session.commit()
        auth.login("boss")

    def test_admin_creates_user_and_grants_scoped_role(self, client, admin):
        response = client.post("/admin/users/new", data={"username": "moi", "full_name": "Cán bộ mới",
                                                         "password": "mat-khau-dai"})
        assert response.status_code == 302
        user_url = response.headers["Location"]
        client.post(user_url + "/roles", data={"grant-role": "specialist", "grant-agency_code": "SXD"})
        page = client.get(user_url)
        assert "specialist" in page.text and "Sở Xây dựng" in page.text

    def test_official_role_without_agency_is_refused(self, client, admin):
        user_url = client.post("/admin/users/new", data={"username": "moi", "full_name": "X",
                                                         "password": "mat-khau-dai"}).headers["Location"]
        response = client.post(user_url + "/roles", data={"grant-role": "leader", "grant-agency_code": ""},
                               follow_redirects=True)
        assert "phải gắn với một đơn vị" in response.text

    def test_admin_creates_child_agency(self, client, admin):
        response = client.post("/admin/agencies/new", data={"code": "SXD.P1", "name": "Phòng Quy hoạch",
                                                             "level": "department", "parent_code": "SXD",
                                                             "is_active": "y"})
        assert response.status_code == 302
        with unit_of_work():
            from app.auth.services import get_agency_by_code
            child, parent = get_agency_by_code("SXD.P1"), get_agency_by_code("SXD")
            assert parent.covers(child) and not child.covers(parent)
