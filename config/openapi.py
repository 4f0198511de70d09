"""The schema class of every API view (DEFAULT_SCHEMA_CLASS), in a module of its own: DRF
imports it while drf-spectacular's views are still loading."""

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, saying also that a text field which may not be blank needs a
    character other than white space: the serializer trims it first, so " " is refused."""

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = r"\S"
        return schema
