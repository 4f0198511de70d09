"""Checks of what people type, shared by documents and workflows: a title or a text holding
characters nobody types (pasted from a broken file, or sent by a faulty client) is refused
rather than archived, since the archive's text exports would not pass as text."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# Every C0 control character and DEL; a text keeps its tabs and line ends, a title does not.
_IN_LINE = re.compile("[\x00-\x1f\x7f]")
_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_characters_refused(value: str, field: str, *, one_line: bool) -> str:
    """The value, or a ValidationError naming the field."""
    if "\x00" in value:
        raise ValidationError({field: [gettext("The text contains a NUL character.")]})
    if (_IN_LINE if one_line else _IN_TEXT).search(value):
        raise ValidationError({field: [gettext("The text contains a control character.")]})
    return value
