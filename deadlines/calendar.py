"""Kosovo's legal calendar: days end at local midnight in Europe/Belgrade, and working days skip
weekends and public holidays.

Public holidays come from the `holidays` package (country `XK`, Law 03/L-064). The package lists
the holiday itself and, when it falls on a weekend, the next working day as "<name> (observed)"
(e.g. Independence Day on Sunday 17 February 2030 → Monday 18 February): both are days off here,
so a moved holiday needs no special case. The `HolidayOverride` table corrects the package per
day: adds ad-hoc days off (or a differently moved Easter Monday) and removes days it lists wrongly.

Times are built as local wall-clock times with zoneinfo, never by adding hours to an instant, so
a deadline across a daylight-saving change still ends at local midnight.
"""

import calendar as month_calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LEGAL_TIME_ZONE = ZoneInfo("Europe/Belgrade")
COUNTRY = "XK"
# A deadline of N days ends at the end of the Nth day, local time. We store the last instant of
# that day (inclusive), so "met" is simply `completed at <= due_at` everywhere. Midnight never
# falls in a daylight-saving gap in Europe/Belgrade (the clocks change at 02:00/03:00).
END_OF_DAY = time(23, 59, 59, 999_999)


def local_date(moment: datetime) -> date:
    """The legal (Belgrade) calendar day of an aware instant."""
    return moment.astimezone(LEGAL_TIME_ZONE).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LEGAL_TIME_ZONE)


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=month_calendar.monthrange(day.year, day.month)[1])


@lru_cache(maxsize=64)
def package_holidays(year: int) -> frozenset[date]:
    """The package's days off in a year, observed (moved) days included."""
    return frozenset(holidays.country_holidays(COUNTRY, years=year).keys())


def overrides_for_year(year: int) -> dict[date, bool]:
    from .models import HolidayOverride

    return dict(HolidayOverride.objects.filter(date__year=year).values_list("date", "is_holiday"))


class WorkingCalendar:
    """Working days, with the override table read once per year it is asked about (one query
    per year touched: a count across New Year reads two)."""

    def __init__(self, overrides: dict[int, dict[date, bool]] | None = None) -> None:
        # year → {date: is_holiday}; given explicitly in tests and by callers that cached it.
        self._overrides: dict[int, dict[date, bool]] = dict(overrides or {})

    def _year(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            self._overrides[year] = overrides_for_year(year)
        return self._overrides[year]

    def is_holiday(self, day: date) -> bool:
        override = self._year(day.year).get(day)
        return override if override is not None else day in package_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`th working day after `day` (before it when negative); the day itself is
        not counted, as the law counts from the day after the event."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day


def add_days(
    day: date, count: int, *, working: bool, calendar: WorkingCalendar | None = None
) -> date:
    """`count` calendar or working days from `day` (negative: before it)."""
    if not working:
        return day + timedelta(days=count)
    return (calendar or WorkingCalendar()).add_working_days(day, count)


def due_at(
    day: date, count: int, *, working: bool, calendar: WorkingCalendar | None = None
) -> datetime:
    """The end (local time) of the day `count` calendar or working days from `day`."""
    return end_of_day(add_days(day, count, working=working, calendar=calendar))
