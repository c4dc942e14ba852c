"""The per-test transaction: commits inside a test are savepoints, other threads are refused, nothing leaks."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.auth.models import Agency, AgencyLevel
from app.core.db import unit_of_work
from app.extensions import db


def _agency(code: str) -> Agency:
    return Agency(code=code, name=f"Đơn vị {code}", level=AgencyLevel.PROVINCE)


def _count(code: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == code))


class TestRolledBackTransaction:
    def test_a_rolled_back_unit_of_work_undoes_only_itself(self):
        with unit_of_work() as session:
            session.add(_agency("ISO-KEPT"))
        with pytest.raises(RuntimeError), unit_of_work() as session:
            session.add(_agency("ISO-UNDONE"))
            session.flush()
            raise RuntimeError("boom")
        assert _count("ISO-KEPT") == 1
        assert _count("ISO-UNDONE") == 0

    @pytest.mark.parametrize("run", [1, 2])
    def test_what_a_test_commits_is_gone_in_the_next(self, run):
        assert _count("ISO-LEAK") == 0
        with unit_of_work() as session:
            session.add(_agency("ISO-LEAK"))
        assert _count("ISO-LEAK") == 1

    def test_a_session_on_another_thread_is_refused_with_the_marker_named(self, app):
        errors: list[BaseException] = []

        def other_thread():
            with app.app_context():
                try:
                    db.session.scalar(select(func.count()).select_from(Agency))
                except RuntimeError as error:
                    errors.append(error)

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join(10)
        assert errors and "committing" in str(errors[0])
