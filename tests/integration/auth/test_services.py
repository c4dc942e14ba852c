"""Users, roles and the permission helper against the real database."""
from __future__ import annotations

import pytest

from app.auth import services
from app.auth.passwords import verify_password
from app.core.errors import ConflictError, PermissionDeniedError, ValidationError
from app.core.permissions import ensure_role
from tests.factories.auth import AgencyFactory, UserFactory


class TestPasswords:
    def test_password_is_stored_as_argon2id(self):
        user = services.create_user(None, username="a", full_name="A", password="mat-khau-123")
        assert user.password_hash.startswith("$argon2id$")
        assert "mat-khau-123" not in user.password_hash
        assert verify_password(user.password_hash, "mat-khau-123")

    def test_short_password_is_refused(self):
        with pytest.raises(ValidationError):
            services.create_user(None, username="a", full_name="A", password="short")

    def test_authenticate_returns_user_and_stamps_login(self):
        services.create_user(None, username="Abc", full_name="A", password="mat-khau-123")
        user = services.authenticate("abc", "mat-khau-123")
        assert user.username == "abc" and user.last_login_at is not None

    def test_authenticate_refuses_unknown_user_with_same_message(self):
        with pytest.raises(services.InvalidCredentialsError) as unknown:
            services.authenticate("ghost", "whatever-123")
        services.create_user(None, username="real", full_name="A", password="mat-khau-123")
        with pytest.raises(services.InvalidCredentialsError) as wrong:
            services.authenticate("real", "whatever-123")
        assert unknown.value.message_vi == wrong.value.message_vi


class TestPermissionHelper:
    def test_official_of_agency_a_is_denied_on_agency_b(self):
        agency_a, agency_b = AgencyFactory(), AgencyFactory()
        user = UserFactory(with_roles=[("specialist", agency_a)])
        ensure_role(user, ["specialist"], agency_a)
        with pytest.raises(PermissionDeniedError):
            ensure_role(user, ["specialist"], agency_b)

    def test_role_covers_child_agencies_only(self):
        province = AgencyFactory()
        department = AgencyFactory(parent=province)
        admin = UserFactory(with_roles=[("admin", province)])
        clerk = UserFactory(with_roles=[("clerk", department)])
        assert admin.has_role("admin", department)
        assert not clerk.has_role("clerk", province)

    def test_official_role_at_province_does_not_reach_departments(self):
        province = AgencyFactory()
        department = AgencyFactory(parent=province)
        leader = UserFactory(with_roles=[("leader", province)])
        assert leader.has_role("leader", province)
        assert not leader.has_role("leader", department)

    def test_global_role_covers_every_agency(self):
        auditor = UserFactory(with_roles=[("auditor", None)])
        assert auditor.has_role("auditor", AgencyFactory())

    def test_wrong_role_is_denied_even_in_own_agency(self):
        agency = AgencyFactory()
        user = UserFactory(with_roles=[("receiver", agency)])
        with pytest.raises(PermissionDeniedError):
            ensure_role(user, ["leader"], agency)


class TestUsersAndAgencies:
    def test_duplicate_username_conflicts(self):
        services.create_user(None, username="a", full_name="A", password="mat-khau-123")
        with pytest.raises(ConflictError):
            services.create_user(None, username="A", full_name="B", password="mat-khau-123")

    def test_user_holds_several_role_agency_pairs(self):
        AgencyFactory(code="X1")
        AgencyFactory(code="X2")
        user = services.create_user(None, username="a", full_name="A", password="mat-khau-123",
                                    grants=[services.RoleGrant.parse("receiver@X1"),
                                            services.RoleGrant.parse("returner@X1"),
                                            services.RoleGrant.parse("receiver@X2")])
        assert sorted((r.role, r.agency.code) for r in user.roles) == [
            ("receiver", "X1"), ("receiver", "X2"), ("returner", "X1")]

    def test_unknown_role_is_refused(self):
        user = UserFactory()
        with pytest.raises(ValidationError):
            services.grant_role(None, user, services.RoleGrant("wizard"))

    def test_agency_path_reflects_tree(self):
        root = services.create_agency(None, code="P", name="Tỉnh", level="province")
        child = services.create_agency(None, code="C", name="Xã", level="commune", parent_code="P")
        assert child.path == f"{root.path}{child.id}/"

    def test_district_level_is_supported_for_history(self):
        agency = services.create_agency(None, code="D", name="Huyện cũ", level="district")
        assert agency.level.value == "district"
