"""Who a coordination request goes to, and who answers it there."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from roles.models import Institution
from workflows.flows import common

from .models import RECIPIENTS_MAX

KINDS = (Institution.Kind.MUNICIPALITY, Institution.Kind.MINISTRY)


def recipients_resolved(value: Any, *, sender: Institution) -> list[Institution]:
    """The institutions named: a list of codes, or `{"kind": "municipality"|"ministry"}` for
    all of a kind. The sender is never its own recipient. Anything else is a 400."""
    if isinstance(value, dict):
        if set(value) != {"kind"} or value.get("kind") not in KINDS:
            raise ValidationError(
                {
                    "recipients": [
                        gettext(
                            'Give a list of institution codes or {"kind": '
                            '"municipality"} or {"kind": "ministry"}.'
                        )
                    ]
                }
            )
        found = list(
            Institution.objects.filter(kind=value["kind"]).exclude(pk=sender.pk).order_by("code")
        )
    elif isinstance(value, list | tuple):
        if len(value) > RECIPIENTS_MAX:
            raise ValidationError(
                {"recipients": [gettext("At most %d institutions.") % RECIPIENTS_MAX]}
            )
        if not all(isinstance(code, str) and 0 < len(code) <= 32 for code in value):
            raise ValidationError({"recipients": [gettext("Give institution codes.")]})
        codes = {code.strip().upper() for code in value}
        found = list(Institution.objects.filter(code__in=codes).order_by("code"))
        unknown = sorted(codes - {institution.code for institution in found})
        if unknown:
            raise ValidationError(
                {"recipients": [gettext("No such institution: %s.") % ", ".join(unknown)]}
            )
        if any(institution.pk == sender.pk for institution in found):
            raise ValidationError(
                {"recipients": [gettext("Your own institution cannot be a recipient.")]}
            )
    else:
        raise ValidationError(
            {"recipients": [gettext("Give a list of institution codes or a kind.")]}
        )
    if not found:
        raise ValidationError({"recipients": [gettext("Name at least one institution.")]})
    return found


def recipient_role(institution: Institution) -> str:
    """Who answers for the institution: a ministry's communications officer, anyone else's
    information officer."""
    if institution.kind == Institution.Kind.MINISTRY:
        return common.COMMUNICATIONS_OFFICER
    return common.INFORMATION_OFFICER


def head_role(institution: Institution) -> str:
    """The institution's head, who may answer too and is escalated to: mayor or minister."""
    if institution.kind == Institution.Kind.MUNICIPALITY:
        return common.MAYOR
    if institution.kind == Institution.Kind.MINISTRY:
        return common.MINISTER
    return ""
