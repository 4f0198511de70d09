"""What a process's page shows of its record beside the steps: its withdrawal, its clocks with
their legal basis (and the warning a clock gives when its step began after its due time, such
as material submitted later than the lead time before a meeting), and, for a decision sent to
MAPL, each round — texts, transmission, receipt number, review and reasons, the assembly's
answer, the court — so that an auditor can follow the whole story on one page.

The clocks are read by the page (`views.process_detail`, which may read the deadlines'
selectors) and handed in; nothing here imports a higher app."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import dateparse, timezone
from django.utils.translation import gettext_lazy as _

from roles.models import User

from .models import CoordinationProcess, LegalOutcome, MeetingOutcome

# What a step decided, as its row of the history words it.
OUTCOME_LABELS: dict[str, Any] = {
    **dict(MeetingOutcome.choices),
    **dict(LegalOutcome.choices),
    "readopted": _("adopted again"),
    "refer_to_court": _("referred to court"),
    "no_referral": _("not referred to court"),
}


def outcome_label(value: Any) -> Any:
    return OUTCOME_LABELS.get(value, value) if value else ""


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return dateparse.parse_datetime(value)
    return None


def people_named(usernames: Iterable[str | None]) -> dict[str, User]:
    names = {name for name in usernames if name}
    return {user.username: user for user in User.objects.filter(username__in=names)}


def cancellation(process: CoordinationProcess) -> dict[str, Any] | None:
    """Who withdrew the process, when, for whom and why; None while it was not."""
    record = (process.data or {}).get("cancellation")
    if not record:
        return None
    people = people_named([record.get("by"), record.get("on_behalf_of")])
    return {
        **record,
        "at": _moment(record.get("at")),
        "by": people.get(record.get("by") or "") or record.get("by"),
        "on_behalf_of": people.get(record.get("on_behalf_of") or "") or record.get("on_behalf_of"),
    }


def started_late(deadline: Any) -> bool:
    """The clock began after its due time: its step came too late from the start (material
    submitted later than the lead time, a decision registered after its 7 days)."""
    return deadline.starts_at > deadline.due_at


def clocks(deadlines: Iterable[Any]) -> list[dict[str, Any]]:
    """Each clock with its rule's name and legal basis, its times and its state now."""
    return [
        {
            "deadline": deadline,
            "name": deadline.rule.name_in(),
            "legal_basis": deadline.rule.legal_basis_in(),
            "state": deadline.state_now,
            "state_label": dict(type(deadline).state.field.choices).get(
                deadline.state_now, deadline.state_now
            ),
            "started_late": started_late(deadline),
        }
        for deadline in deadlines
    ]


def warnings(deadlines: Iterable[Any]) -> list[str]:
    """What the process and its tasks warn of: each clock whose step began after its due
    time, accepted but late."""
    return [
        str(
            _("Late: %(rule)s — due %(due)s, began %(started)s.")
            % {
                "rule": deadline.rule.name_in(),
                "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
                "started": timezone.localtime(deadline.starts_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
        for deadline in deadlines
        if started_late(deadline)
    ]


def rounds(process: CoordinationProcess, deadlines: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """A decision's rounds to MAPL, in order, each with its people resolved, its times as
    times and the clocks that ran in it; a round re-adopted but not yet sent comes last, with
    its transmission clock."""
    recorded = (process.data or {}).get("rounds") or []
    if not recorded:
        return []
    people = people_named(
        name
        for entry in recorded
        for name in (
            entry.get("transmitted_by"),
            entry.get("received_by"),
            (entry.get("review") or {}).get("by"),
            (entry.get("reconsideration") or {}).get("by"),
            (entry.get("court") or {}).get("by"),
        )
    )
    times = [_moment(entry.get("transmitted_at")) for entry in recorded]
    by_round: dict[int, list[dict[str, Any]]] = {}
    for clock in clocks(deadlines):
        by_round.setdefault(_round_of(clock["deadline"], times), []).append(clock)
    shown = []
    for number, entry in enumerate(recorded, start=1):
        parts = {}
        for key in ("review", "reconsideration", "court"):
            part = dict(entry.get(key) or {})
            if part:
                part["at"] = _moment(part.get("at"))
                part["by"] = people.get(part.get("by") or "") or part.get("by")
                part["outcome_label"] = outcome_label(part.get("outcome"))
            parts[key] = part
        shown.append(
            {
                **entry,
                **parts,
                "number": number,
                "transmitted_at": times[number - 1],
                "transmitted_by": people.get(entry.get("transmitted_by") or "")
                or entry.get("transmitted_by"),
                "received_at": _moment(entry.get("received_at")),
                "received_by": people.get(entry.get("received_by") or "")
                or entry.get("received_by"),
                "clocks": by_round.get(number, []),
            }
        )
    pending = by_round.get(len(recorded) + 1)
    if pending:
        shown.append({"number": len(recorded) + 1, "pending": True, "clocks": pending})
    return shown


def _round_of(deadline: Any, times: list[datetime | None]) -> int:
    """The round (1, 2, …) a clock ran in, by the transmissions' times: the process's own
    clock times the first transmission; a step's clock that ends on a transmission times the
    next one; any other belongs to the round it started in."""
    if deadline.task_id is None:
        return 1
    started = deadline.starts_at
    if deadline.rule.ends_on == "transmitted":
        return 1 + sum(1 for at in times if at is not None and at < started)
    return max(1, sum(1 for at in times if at is not None and at <= started))
