"""OpenAPI details drf-spectacular cannot infer: our session scheme, the error responses every
operation may give, and an English document unless `?lang=` asks for another language."""

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
ERROR_RESPONSES = {
    "400": "Invalid input.",
    "401": "Not authenticated.",
    "403": "Visible, but the action is not the caller's.",
    "404": "Does not exist, or the caller may not see it.",
    "409": "Conflict with the object's current state.",
    "413": "File too large.",
    "415": "File type not allowed or not what its name says.",
    "429": "Too many requests.",
}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "roles.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation may answer with the error shape of API.md."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.GET.get("lang"):
            return super().get(request, *args, **kwargs)
        with translation.override("en"):
            return super().get(request, *args, **kwargs)
