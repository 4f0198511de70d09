from django.contrib import admin

from audit.admin import AuditedModelAdmin

from .models import MinimumPeriod


@admin.register(MinimumPeriod)
class MinimumPeriodAdmin(AuditedModelAdmin):
    list_display = ("code", "days", "day_kind", "active")
    search_fields = ("code", "legal_basis")
