"""What the pages' list filters share: a date picker and a period whose end may not come
before its start (the documents' and the processes' lists)."""

from typing import Any

from django import forms
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
