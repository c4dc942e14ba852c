"""Dossier codes: format of Circular 01/2018 art. 19 and uniqueness under concurrent intakes."""
from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.services import get_agency_by_code
from app.dossiers import codes
from app.dossiers.models import Dossier
from app.extensions import db
from tests.dbutil import is_postgres


class TestCodeFormat:
    def test_sequence_has_at_least_four_digits_and_grows_beyond(self):
        assert codes.format_code("000.00.12.H38", date(2024, 3, 15), 7) == "000.00.12.H38-240315-0007"
        assert codes.format_code("000.00.12.H38", date(2024, 3, 15), 12345) == "000.00.12.H38-240315-12345"

    def test_pin_is_checked_against_a_keyed_digest(self):
        digest = codes.pin_digest("X-1", "123456")
        assert codes.pin_matches("X-1", "123456", digest)
        assert not codes.pin_matches("X-1", "654321", digest)
        assert "123456" not in digest


@pytest.mark.committing  # parallel clients on their own threads and connections
@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is a PostgreSQL property (SQLite serialises)")
class TestConcurrentIntake:
    def test_eight_concurrent_intakes_get_eight_distinct_codes(self, app, desk, clock):
        clock("2026-03-02 09:00")
        agency_id = get_agency_by_code("H38.TTPVHCC").id
        barrier, results, errors = threading.Barrier(8), [], []

        def intake():
            with app.app_context():
                try:
                    barrier.wait()
                    receipt = desk.receive("1.014199")
                    results.append(receipt.dossier.code)
                except Exception as error:  # noqa: BLE001 - collected and asserted below
                    errors.append(repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=intake) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert len(results) == len(set(results)) == 8
        assert sorted(int(code.rsplit("-", 1)[1]) for code in results) == list(range(1, 9))
        assert all(re.match(r"^000\.00\.12\.H38-260302-\d{4}$", code) for code in results)
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 8
        assert codes.current_max_sequence(agency_id, date(2026, 3, 2)) == 8
        # the tracking book's yearly running number is taken in the same race: 1..8, no gaps, no repeats
        numbers = db.session.scalars(select(Dossier.logbook_number)).all()
        assert sorted(numbers) == list(range(1, 9))
