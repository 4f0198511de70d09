from django.contrib import admin

from audit.admin import ReadOnlyModelAdmin

from .models import DigestSent, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "user", "kind", "message", "process", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("user", "process")
    search_fields = ("user__username", "key", "message")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "process", "task")
    readonly_fields = [field.name for field in Notification._meta.fields]


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyModelAdmin):
    list_display = ("day", "user", "count", "sent_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    date_hierarchy = "day"
    readonly_fields = [field.name for field in DigestSent._meta.fields]
