"""The legal calendar: end of the Nth day in Belgrade, working days, Kosovo's holidays and the
override table."""

from datetime import UTC, date, timedelta

import pytest

from deadlines import calendar
from deadlines.calendar import WorkingCalendar, due_at, end_of_day, month_end
from deadlines.models import HolidayOverride

from .conftest import local


def test_seven_days_across_the_end_of_summer_time_end_at_local_midnight() -> None:
    # Adopted on Thursday 22 October 2026 (CEST, +02:00); clocks go back on Sunday 25 October.
    due = due_at(date(2026, 10, 22), 7, working=False)
    assert due == local(2026, 10, 29, 23, 59, 59, 999_999)
    assert due.isoformat() == "2026-10-29T23:59:59.999999+01:00"  # CET by then
    # Seven times 24 hours of elapsed time from the same end of day would stop an hour short.
    elapsed = end_of_day(date(2026, 10, 22)).astimezone(UTC) + timedelta(hours=7 * 24)
    assert elapsed.astimezone(calendar.LEGAL_TIME_ZONE).hour == 22
    assert elapsed < due


def test_seven_days_across_the_start_of_summer_time() -> None:
    due = due_at(date(2027, 3, 24), 7, working=False)  # clocks go forward on 28 March 2027
    assert due.isoformat() == "2027-03-31T23:59:59.999999+02:00"


def test_seven_days_across_new_year() -> None:
    due = due_at(date(2026, 12, 28), 7, working=False)
    assert due == local(2027, 1, 4, 23, 59, 59, 999_999)
    assert calendar.local_date(due) == date(2027, 1, 4)


@pytest.mark.django_db
def test_the_package_moves_a_sunday_holiday_to_monday() -> None:
    # Independence Day, 17 February 2030, is a Sunday: the law moves it to Monday the 18th.
    days_off = calendar.package_holidays(2030)
    assert date(2030, 2, 17) in days_off and date(2030, 2, 18) in days_off
    assert date(2030, 2, 17).weekday() == 6
    assert not WorkingCalendar().is_working_day(date(2030, 2, 18))
    assert WorkingCalendar().is_working_day(date(2030, 2, 19))


@pytest.mark.django_db
def test_working_days_skip_the_weekend_and_a_holiday_moved_from_sunday() -> None:
    # Friday 15 February 2030 + 2 working days: Sat, Sun and Monday the 18th (Independence
    # Day moved from Sunday) are skipped → Tuesday 19 (1), Wednesday 20 (2).
    assert due_at(date(2030, 2, 15), 2, working=True) == local(2030, 2, 20, 23, 59, 59, 999_999)
    # Without the holiday it would have been Tuesday.
    assert due_at(date(2030, 2, 22), 2, working=True) == local(2030, 2, 26, 23, 59, 59, 999_999)
    # Backwards: 2 working days before Wednesday 20 February 2030 is Friday the 15th.
    assert calendar.add_days(date(2030, 2, 20), -2, working=True) == date(2030, 2, 15)


@pytest.mark.django_db
def test_working_days_across_new_year_holidays() -> None:
    # Wednesday 31 December 2025 + 1 working day: 1 and 2 January are holidays → Monday 5.
    assert calendar.add_days(date(2025, 12, 31), 1, working=True) == date(2026, 1, 5)


@pytest.mark.django_db
def test_override_year_adds_and_removes_days_off() -> None:
    # 2025: Catholic and Orthodox Easter fall on the same Sunday (20 April); the package gives
    # one Monday for both. Suppose the government also gives Tuesday 22 April, and declares
    # Friday 9 May (Europe Day) a working day.
    assert calendar.add_days(date(2025, 4, 18), 1, working=True) == date(2025, 4, 22)
    HolidayOverride.objects.create(date=date(2025, 4, 22), name="Easter (second day)")
    HolidayOverride.objects.create(date=date(2025, 5, 9), name="Europe Day", is_holiday=False)
    working = WorkingCalendar()
    assert calendar.add_days(date(2025, 4, 18), 1, working=True, calendar=working) == date(
        2025, 4, 23
    )
    assert working.is_working_day(date(2025, 5, 9))
    assert not WorkingCalendar().is_working_day(date(2025, 5, 1))  # the package still counts
    # Other years keep the package's days.
    assert not WorkingCalendar().is_working_day(date(2026, 5, 11))  # Europe Day moved from Sat.


@pytest.mark.django_db(transaction=False)
def test_overrides_are_read_once_per_year(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    working = WorkingCalendar()
    with django_assert_num_queries(2):  # 2026 and 2027
        calendar.add_days(date(2026, 12, 30), 10, working=True, calendar=working)
        calendar.add_days(date(2026, 12, 1), 5, working=True, calendar=working)


def test_month_end_and_negative_calendar_days() -> None:
    assert month_end(date(2028, 2, 10)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert due_at(date(2026, 12, 8), -7, working=False) == local(2026, 12, 1, 23, 59, 59, 999_999)
