from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import Deadline, DeadlineEvent, DeadlineRule, HolidayOverride


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "process_type",
        "days",
        "day_kind",
        "starts_on",
        "ends_on",
        "active",
    )
    list_filter = ("process_type", "day_kind", "active")
    search_fields = (
        "code",
        "name",
        "name_sq",
        "name_sr",
        "legal_basis",
        "legal_basis_sq",
        "legal_basis_sr",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    ("name_sq", "name_sr", "name"),
                    ("legal_basis_sq", "legal_basis_sr", "legal_basis"),
                    "process_type",
                    "active",
                )
            },
        ),
        (
            "Clock",
            {
                "fields": (
                    "starts_on",
                    "anchor",
                    "days",
                    "day_kind",
                    "ends_on",
                    "pauses_on",
                    "resumes_on",
                )
            },
        ),
        (
            "Alerts",
            {
                "fields": (
                    "reminders",
                    "grace_hours",
                    "responsible_role",
                    "escalate_to_role",
                    "monitoring_institution",
                )
            },
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rule that started clocks stays (deactivate it): the clocks name it.
        return super().has_delete_permission(request, obj) and not (
            obj is not None and obj.deadlines.exists()
        )


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(AuditedModelAdmin):
    list_display = ("date", "name", "is_holiday")
    list_filter = ("is_holiday",)
    date_hierarchy = "date"
    search_fields = ("name",)


class DeadlineEventInline(admin.TabularInline):
    model = DeadlineEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "data")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyModelAdmin):
    """Clocks move only through the workflows and the sweep."""

    list_display = ("pk", "rule", "process", "institution", "state", "due_at", "completed_at")
    list_filter = ("state", "process_type", "rule")
    search_fields = ("basis", "process__title", "institution__code")
    list_select_related = ("rule", "process", "institution")
    readonly_fields = [field.name for field in Deadline._meta.fields]
    inlines = [DeadlineEventInline]
