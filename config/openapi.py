"""The schema class of every API view (DEFAULT_SCHEMA_CLASS), in a module of its own: DRF
imports it while drf-spectacular's views are still loading."""

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers

from config.text import _NEVER as NEVER_TYPED

# Some character other than white space (Python trims what `\s` names and a few separators more)
# and no control character, byte-order mark or bidirectional override anywhere (config.text).
TEXT_PATTERN = f"^[^{NEVER_TYPED}]*[^{NEVER_TYPED}\\s\x1c-\x1f\x85][^{NEVER_TYPED}]*$"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, saying also that a text field which may not be blank needs a
    character other than white space (the serializer trims it first, so " " is refused) and
    no character nobody types (`config.text`). Only of what a request sends: an answer may
    carry an empty text. A one-line field (a title) also refuses tabs and line breaks, which
    this does not say: the services decide which fields are one line."""

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = TEXT_PATTERN
        return schema
