"""factory_boy factories for agencies and users (flush on create)."""
from __future__ import annotations

import factory

from app.auth.models import Agency, AgencyLevel, RoleAssignment, User
from app.auth.passwords import hash_password
from app.extensions import db

TEST_PASSWORD = "password-123"
_TEST_HASH = hash_password(TEST_PASSWORD)


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class AgencyFactory(BaseFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    edoc_code = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.H38")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    level = AgencyLevel.DEPARTMENT
    parent = None
    path = "/"

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        db.session.flush()
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.id}/"
        db.session.flush()


class UserFactory(BaseFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    password_hash = _TEST_HASH

    @factory.post_generation
    def with_roles(obj, create, extracted, **kwargs):
        """UserFactory(with_roles=[("specialist", agency), ("admin", None)])."""
        for role, agency in extracted or []:
            obj.roles.append(RoleAssignment(role=role, agency=agency))
        db.session.flush()
