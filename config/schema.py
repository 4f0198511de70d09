"""OpenAPI details drf-spectacular cannot infer: our session scheme, the error responses every
operation may give, the rules the server enforces beyond the serializers' own (no blank query
parameters, JSON bodies), and an English document unless `?lang=` asks for another language.
The institution codes a field accepts are the roles app's to state (`roles.schema`), in a hook
of its own that SPECTACULAR_SETTINGS names."""

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import BLANK_ALLOWED

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
    "405": "Method not allowed: the path answers only the methods documented for it (`Allow`).",
    "406": "Not acceptable: the API answers in JSON only.",
    "409": "Conflict with the object's current state.",
    "413": "File too large.",
    "415": "File type not allowed or not what its name says.",
    "429": "Too many requests.",
}
# Answers only some operations can give, by path prefix.
SOME_ERROR_RESPONSES = {
    "/api/search/": {"503": "The search engine cannot be reached now; try again later."},
}
# Media types of a form: only the uploads take them; every other body is JSON (API.md).
FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "roles.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation may answer with the error shape of API.md."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            some = [
                errors for prefix, errors in SOME_ERROR_RESPONSES.items() if path.startswith(prefix)
            ]
            for errors in [ERROR_RESPONSES, *some]:
                for status, description in errors.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": reference}},
                        },
                    )
    return result


def state_enforced_rules(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """What the server refuses, said in the document so that a client can tell beforehand:

    - a query parameter given without a value is a 400 (`config.api.blank_parameters`),
      except those whose empty value means something (`q`);
    - a body is JSON, except for the uploads: forms cannot carry the nulls, lists and objects
      the other bodies hold, so they are not offered there.

    (That an `institution` is the code of an existing one is stated by
    `roles.schema.institution_codes`, the hook after this one.)"""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or schema.get("type") != "string":
                    continue
                if parameter["name"] not in BLANK_ALLOWED:
                    schema["minLength"] = max(1, schema.get("minLength", 0))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in FORM_MEDIA_TYPES:
                    content.pop(media_type, None)
    return result


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its script served apart (as the Content-Security-Policy wants) at
    `?script=`: a parameter with no value, which the API's own endpoints refuse."""

    blank_parameters_allowed = True


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.GET.get("lang"):
            return super().get(request, *args, **kwargs)
        with translation.override("en"):
            return super().get(request, *args, **kwargs)
