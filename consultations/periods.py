"""The shortest period a consultation may stay open (`MinimumPeriod`, data with its legal
basis), counted on Kosovo's legal calendar (`deadlines.calendar`)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext

from deadlines import calendar
from deadlines.models import DayKind

from .models import MinimumPeriod

RULE_CODE = "public-consultation"
# Used only when the rule's row is missing (deleted in /admin/): Regulation No. 05/2016's figure.
FALLBACK_DAYS = 15


def minimum_period() -> MinimumPeriod:
    rule = MinimumPeriod.objects.filter(code=RULE_CODE, active=True).first()
    return rule or MinimumPeriod(
        code=RULE_CODE,
        days=FALLBACK_DAYS,
        day_kind=DayKind.WORKING,
        legal_basis="Regulation No. 05/2016 on Minimum Standards for Public Consultation",
    )


def earliest_closing_day(opening: datetime, rule: MinimumPeriod | None = None) -> date:
    """The first (local) day a consultation opened at `opening` may close on: the rule's
    number of days counted from the day after the opening."""
    rule = rule or minimum_period()
    return calendar.add_days(
        calendar.local_date(opening), rule.days, working=rule.day_kind == DayKind.WORKING
    )


def period_checked(*, opens_at: datetime, closes_at: datetime) -> None:
    """A ValidationError on `closes_at` when the period is shorter than the minimum."""
    rule = minimum_period()
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": [gettext("The closing time is before the opening.")]})
    earliest = earliest_closing_day(opens_at, rule)
    if calendar.local_date(closes_at) < earliest:
        kind = gettext("working days") if rule.day_kind == DayKind.WORKING else gettext("days")
        raise ValidationError(
            {
                "closes_at": [
                    gettext(
                        "A public consultation stays open at least %(days)s %(kind)s "
                        "(%(basis)s): close it on %(date)s or later."
                    )
                    % {
                        "days": rule.days,
                        "kind": kind,
                        "basis": rule.legal_basis,
                        "date": formats.date_format(earliest, "Y-m-d"),
                    }
                ]
            }
        )
