"""The scope rule (app.core.permissions + app.auth.scope) and the password policy, at the service level."""
from __future__ import annotations

import pytest

from app.auth import services, throttle
from app.auth.passwords import password_problems
from app.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.core.permissions import covers, ensure_covers
from tests.factories.auth import AgencyFactory, UserFactory

STRONG = "ngua-van-dam-2026"


@pytest.fixture
def tree():
    province = AgencyFactory(code="P")
    commune = AgencyFactory(code="C", parent=province)
    return province, commune


class TestScopeRule:
    def test_subtree_roles_cover_descendants_and_officials_only_their_agency(self, tree):
        province, commune = tree
        admin = UserFactory(with_roles=[("admin", province)])
        supervisor = UserFactory(with_roles=[("supervisor", province)])
        leader = UserFactory(with_roles=[("leader", province)])
        assert covers(admin, "admin", commune) and covers(supervisor, "supervisor", commune)
        assert covers(leader, "leader", province) and not covers(leader, "leader", commune)

    def test_only_a_global_assignment_covers_the_whole_system(self, tree):
        province, _commune = tree
        with pytest.raises(PermissionDeniedError):
            ensure_covers(UserFactory(with_roles=[("admin", province)]), "admin", None)
        ensure_covers(UserFactory(with_roles=[("admin", None)]), "admin", None)

    def test_scoped_admin_cannot_grant_global_or_outside_roles(self, tree):
        province, commune = tree
        admin = UserFactory(with_roles=[("admin", commune)])
        clerk = UserFactory(with_roles=[("receiver", commune)])
        for grant in (services.RoleGrant("admin"), services.RoleGrant("auditor"), services.RoleGrant("leader", "P")):
            with pytest.raises(PermissionDeniedError):
                services.grant_role(admin, clerk, grant)
        services.grant_role(admin, clerk, services.RoleGrant("admin", "C"))

    def test_scoped_admin_cannot_reach_users_outside(self, tree):
        province, commune = tree
        admin = UserFactory(with_roles=[("admin", commune)])
        outsider = UserFactory(with_roles=[("leader", province)])
        with pytest.raises(NotFoundError):
            services.set_password(admin, outsider, STRONG)
        with pytest.raises(NotFoundError):
            services.set_enabled(admin, outsider, False)
        assert outsider not in services.list_users(admin)

    def test_role_less_users_are_visible_to_their_creator_only(self, tree):
        _province, commune = tree
        admin = UserFactory(with_roles=[("admin", commune)])
        other_admin = UserFactory(with_roles=[("admin", commune)])
        mine = services.create_user(admin, username="moi", full_name="Mới", password=STRONG)
        assert mine in services.list_users(admin) and mine not in services.list_users(other_admin)
        services.set_password(admin, mine, STRONG + "-x")

    def test_scoped_admin_cannot_mint_tokens_for_users_outside(self, tree):
        from app.tokens.services import create_token

        province, commune = tree
        admin = UserFactory(with_roles=[("admin", commune)])
        root = UserFactory(with_roles=[("admin", None)])
        with pytest.raises(NotFoundError):
            create_token(admin, root, "stolen")

    def test_catalogue_changes_need_a_global_admin(self, tree):
        from app.catalog.services import update_procedure

        _province, commune = tree
        with pytest.raises(PermissionDeniedError):
            update_procedure(UserFactory(with_roles=[("admin", commune)]), "1.014199", {})

    def test_scoped_designer_must_pick_an_agency_inside_its_subtree(self, tree):
        from app.designer.migration import ensure_can_migrate

        province, commune = tree
        designer = UserFactory(with_roles=[("designer", commune)])
        with pytest.raises(PermissionDeniedError):
            ensure_can_migrate(designer, None)
        with pytest.raises(PermissionDeniedError):
            ensure_can_migrate(designer, province.id)
        ensure_can_migrate(designer, commune.id)
        ensure_can_migrate(UserFactory(with_roles=[("designer", None)]), None)


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["12345678", "123456789012", "password1234", "matkhau123",
                                          "qwertyuiop", "aaaaaaaaaaaa", "Thanhhoa2026"])
    def test_common_or_guessable_passwords_are_refused(self, password):
        assert password_problems(password, username="cb1")

    def test_password_containing_the_username_is_refused(self):
        assert password_problems("xx-nguyenvana-2026-yy", username="nguyenvana")

    @pytest.mark.parametrize("password", ["motcua-demo", "ngua-van-dam-2026", "mat-khau-123"])
    def test_long_uncommon_passwords_are_accepted(self, password):
        assert password_problems(password, username="admin") == []

    def test_services_apply_the_policy(self):
        with pytest.raises(ValidationError):
            services.create_user(None, username="a", full_name="A", password="12345678")
        user = services.create_user(None, username="abc", full_name="A", password=STRONG)
        with pytest.raises(ValidationError):
            services.set_password(None, user, "abc-1234567")


class TestThrottle:
    def test_every_fifth_failure_locks_longer(self):
        for _ in range(5):
            throttle.record_failure("cb1", None)
        first = throttle.locked_until("cb1", None)
        for _ in range(5):
            throttle.record_failure("cb1", None)
        assert throttle.locked_until("cb1", None) > first

    def test_locked_sign_in_is_refused_even_with_the_right_password(self):
        services.create_user(None, username="cb1", full_name="A", password=STRONG)
        for _ in range(5):
            throttle.record_failure("cb1", "127.0.0.1")
        with pytest.raises(throttle.LoginThrottledError):
            services.authenticate("cb1", STRONG, services.Client("10.0.0.1"))

    def test_success_clears_the_username_count(self):
        services.create_user(None, username="cb1", full_name="A", password=STRONG)
        for _ in range(4):
            throttle.record_failure("cb1", None)
        services.authenticate("cb1", STRONG)
        throttle.record_failure("cb1", None)
        assert throttle.locked_until("cb1", None) is None
