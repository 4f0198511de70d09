from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Document, DocumentVersion, Registration


class ReadOnlyAdmin(admin.ModelAdmin):
    """The registration book and the documents change only through the services (audited,
    numbered, checked at intake); the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
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
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "registration", "institution", "kind", "language", "created_at")
    list_filter = ("institution", "kind", "language", "classification")
    search_fields = ("title", "registration__registration_number")
    inlines = [VersionInline]
