from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import ReadOnlyModelAdmin

from .models import Document, DocumentVersion, Registration


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyModelAdmin):
    list_display = (
        "registration_number",
        "institution",
        "registered_at",
        "registered_by",
        "annulled_at",
        "annulment_reason",
    )
    list_filter = ("institution", "year")
    search_fields = ("registration_number", "annulment_reason")


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ("number", "filename", "mime_type", "size", "sha256", "text_status", "created_at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyModelAdmin):
    list_display = ("title", "registration", "institution", "kind", "language", "created_at")
    list_filter = ("institution", "kind", "language", "classification")
    search_fields = ("title", "registration__registration_number")
    inlines = [VersionInline]
