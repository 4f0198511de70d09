"""What the pages' forms share: a date picker, a period whose end may not come before its start
(the documents' and the processes' lists), and a service's refusal shown on the form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodFilter(forms.Form):
    """A list's filter with `date_from` and `date_to`, declared by the subclass with its labels."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data


def errors_shown(error: ValidationError, form: forms.Form) -> None:
    """A service's refusal on the form: each message beside its field, the rest (and a refusal
    that names no field) above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
