from django.contrib import admin

from .models import ComplaintTopic


@admin.register(ComplaintTopic)
class ComplaintTopicAdmin(admin.ModelAdmin):
    """Each municipality's topics: renamed, reordered, added or retired (never deleted while a
    complaint names them)."""

    list_display = ("institution", "code", "name_sq", "name_sr", "name_en", "position", "active")
    list_filter = ("institution", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name_sq", "name_sr", "name_en")
