"""The roles app's part of the OpenAPI document: the institution codes a field accepts. A
post-processing hook named in SPECTACULAR_SETTINGS (after `config.schema.state_enforced_rules`),
so that config need not import the institutions."""

from typing import Any

from .models import Institution


def institution_codes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An `institution` in a query or a request body is the code of an existing institution
    (they are public, `/api/institutions/`; a lower-case code is read as upper case): the
    document lists the codes, so that a client can tell beforehand what the server refuses."""
    codes = sorted(Institution.objects.values_list("code", flat=True))
    if not codes:  # an empty enum would admit nothing, not even the first institution's code
        return result
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and parameter["name"] == "institution"
                    and schema.get("type") == "string"
                ):
                    _institution_code(schema, codes)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        institution = component.get("properties", {}).get("institution")
        if name.endswith("Request") and institution and institution.get("type") == "string":
            _institution_code(institution, codes)
    return result


def _institution_code(schema: dict[str, Any], codes: list[str]) -> None:
    schema.pop("pattern", None)
    schema["enum"] = list(codes)
