"""What the pages show of a document's files."""

from django import template

from .. import intake

register = template.Library()


@register.filter
def file_kind(mime_type: str) -> str:
    """`{{ version.mime_type|file_kind }}`: "PDF", "Word document", … in the page's language."""
    return intake.file_kind(mime_type)
