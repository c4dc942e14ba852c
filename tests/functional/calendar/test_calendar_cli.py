"""`flask calendar ...`: the fixed command-line contracts (one line on stdout, bilingual errors)."""
from __future__ import annotations

from datetime import date

import pytest

from app.calendar import services
from app.extensions import db
from tests.factories.auth import AgencyFactory


@pytest.fixture
def run(app, restore_calendar):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["calendar", *args])

    return invoke


def assert_refused(result) -> None:
    assert result.exit_code != 0
    assert " / " in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


class TestDueCommand:
    @pytest.mark.parametrize(("start", "days", "due"), [
        ("2027-03-01 09:00", "1", "2027-03-02T09:00"),
        ("2027-03-05 16:00", "1", "2027-03-08T16:00"),
        ("2027-03-01 10:00", "0.5", "2027-03-01T15:30"),
        ("2027-03-01 11:30", "1", "2027-03-02T11:30"),
        ("2027-03-05 17:30", "1", "2027-03-08T17:00"),
        ("2026-02-13 10:00", "1", "2026-02-23T10:00"),
        ("2026-01-09 10:00", "1", "2026-01-10T10:00"),
    ])
    def test_due_prints_only_the_local_due_time(self, run, start, days, due):
        result = run("due", start, days)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{due}\n"

    def test_due_accepts_policy_and_cutoff(self, run):
        assert run("due", "2027-03-01 09:00", "1", "--policy", "civil").stdout == "2027-03-02T17:00\n"
        assert run("due", "2027-03-01 15:30", "1", "--cutoff", "15:00").stdout == "2027-03-02T17:00\n"

    @pytest.mark.parametrize(("start", "due"), [
        ("2027-03-01 14:00", "2027-03-01T17:00"),  # before the cut-off: the end of that working day
        ("2027-03-01 15:30", "2027-03-02T17:00"),  # after it: the end of the next working day
        ("2027-03-05 16:00", "2027-03-08T17:00"),
    ])
    def test_same_day_limit_with_cutoff(self, run, start, due):
        # issue 20.4 contract: `calendar due START 0 --cutoff 15:00`
        assert run("due", start, "0", "--cutoff", "15:00").stdout == f"{due}\n"

    def test_civil_counts_the_receipt_day_out_once(self, run):
        # issue 20.6 contract: Mon 17:30 + 1 -> Tue 17:00 with the default setting
        assert run("due", "2027-03-01 17:30", "1", "--policy", "civil").stdout == "2027-03-02T17:00\n"
        assert run("due", "2026-02-14 14:00", "1", "--policy", "civil").stdout == "2026-02-23T17:00\n"
        assert run("due", "2027-03-01 17:30", "1", "--policy", "civil",
                   "--deem-next-day").stdout == "2027-03-03T17:00\n"

    def test_due_uses_the_agency_calendar(self, run):
        agency = AgencyFactory(code="SOTP")
        services.add_day_off("admin", date(2027, 3, 2), "Nghỉ", agency_id=agency.id)
        db.session.commit()
        assert run("due", "2027-03-01 09:00", "1", "--agency", "SOTP").stdout == "2027-03-03T09:00\n"
        assert run("due", "2027-03-01 09:00", "1").stdout == "2027-03-02T09:00\n"

    @pytest.mark.parametrize("args", [
        ("tomorrow", "1"),
        ("2027-02-30 09:00", "1"),
        ("2027-03-01 09:00", "-1"),
        ("2027-03-01 09:00", "abc"),
        ("2027-03-01 09:00", "nan"),
        ("2027-03-01 09:00", "99999"),
        ("2027-03-01 09:00", "1", "--policy", "lunar"),
        ("2027-03-01 09:00", "1", "--cutoff", "3pm"),
        ("2027-03-01 09:00", "1", "--agency", "NOPE"),
    ], ids=["words", "no-such-date", "negative", "letters", "nan", "absurd", "policy", "cutoff", "agency"])
    def test_bad_input_is_refused_without_traceback(self, run, args):
        assert_refused(run("due", *args))


class TestBetweenCommand:
    @pytest.mark.parametrize(("a", "b", "hours"), [
        ("2027-03-01 07:30", "2027-03-02 07:30", "8"),
        ("2027-03-01 10:00", "2027-03-01 15:00", "3.5"),
        ("2027-03-01 09:00", "2027-03-01 14:30", "4"),
        ("2027-03-01 09:00", "2027-03-01 13:30", "3"),
        ("2027-03-01 09:00", "2027-03-01 10:30", "1.5"),
        ("2026-02-13 07:30", "2026-02-23 07:30", "8"),
    ])
    def test_between_prints_a_plain_number(self, run, a, b, hours):
        result = run("between", a, b)
        assert result.exit_code == 0 and result.stdout == f"{hours}\n"

    def test_between_refuses_a_bad_date(self, run):
        assert_refused(run("between", "2027-03-01", "soon"))


class TestOverrideCommands:
    def test_off_makes_every_due_date_skip_the_day(self, run):
        assert run("off", "2027-03-02", "--name", "Nghỉ đột xuất").exit_code == 0
        assert run("due", "2027-03-01 09:00", "1").stdout == "2027-03-03T09:00\n"

    def test_workday_makes_a_saturday_count(self, run):
        assert run("workday", "2027-03-06").exit_code == 0
        assert run("due", "2027-03-05 16:00", "1").stdout == "2027-03-06T16:00\n"

    def test_enable_and_disable_switch_culture_day(self, run):
        assert run("enable", "2026-11-24").exit_code == 0
        assert run("due", "2026-11-23 10:00", "1").stdout == "2026-11-25T10:00\n"
        assert run("disable", "2026-11-24").exit_code == 0
        assert run("due", "2026-11-23 10:00", "1").stdout == "2026-11-24T10:00\n"

    def test_remove_gives_the_day_back_to_the_law(self, run):
        assert run("remove", "2026-01-02").exit_code == 0
        assert run("due", "2026-01-01 10:00", "1").stdout == "2026-01-02T17:00\n"  # 1 Jan is still off

    def test_list_shows_the_official_schedule_of_a_year(self, run):
        lines = run("list", "--year", "2026").stdout.splitlines()
        assert lines[0].startswith("2026-01-01\tThu\toff\tofficial\ton\t*\t")
        assert any(line.startswith("2026-01-10\tSat\twork") for line in lines)
        assert any(line.startswith("2026-11-24") and "\toff\t*\t" in line for line in lines)

    @pytest.mark.parametrize("args", [
        ("off", "2027-13-01"), ("workday", "next saturday"), ("off", "1990-01-01"),
        ("off", "2027-03-02", "--name", " "), ("enable", "2027-03-02"), ("remove", "2027-03-02"),
        ("off", "2027-03-02", "--agency", "NOPE"),
    ], ids=["bad-month", "words", "too-old", "blank-name", "enable-missing", "remove-missing", "agency"])
    def test_bad_override_input_is_refused_without_traceback(self, run, args):
        assert_refused(run(*args))
