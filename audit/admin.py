from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from .models import AuditEntry
from .services import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin edits are writes like any other: each leaves an audit entry with old and new data."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        old = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self.after_save(obj)
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
                obj=obj,
                old=old,
                new=snapshot(obj),
                extra={"via": "admin"},
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            old, object_type, object_id = snapshot(obj), obj._meta.label_lower, str(obj.pk)
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.deleted",
                object_type=object_type,
                object_id=object_id,
                old=old,
                extra={"via": "admin"},
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def after_save(self, obj: Model) -> None:
        """Follow-up work inside the same transaction (e.g. permission groups)."""


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that change only through their services (audited, numbered, checked):
    the admin shows them and nothing more."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("seq", "at", "actor", "on_behalf_of", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor", "on_behalf_of", "object_id", "action")
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
