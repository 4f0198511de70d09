from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model
from django.http import HttpRequest
from guardian.admin import GuardedModelAdminMixin

from audit.admin import AuditedModelAdmin

from .models import Delegation, Institution, Membership, Role, Unit, User
from .permissions import membership_groups_sync


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("institution", "unit", "role")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # memberships end (valid until), they are not deleted


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (None, {"fields": ("preferred_language",)}))
    inlines = [MembershipInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        membership_groups_sync(user=form.instance)


@admin.register(Institution)
class InstitutionAdmin(GuardedModelAdminMixin, AuditedModelAdmin):  # type: ignore[misc]
    list_display = ("code", "name_sq", "name_sr", "name_en", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name_sq", "name_sr", "name_en")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("code", "institution", "name_sq", "name_sr", "name_en")
    list_filter = ("institution",)
    search_fields = ("code", "name_sq", "name_sr", "name_en", "institution__code")
    autocomplete_fields = ("institution", "parent")


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    list_display = ("code", "name_sq", "name_sr", "name_en")
    search_fields = ("code", "name_sq", "name_sr", "name_en")


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "institution", "unit", "role", "valid_from", "valid_until")
    list_filter = ("institution", "role")
    search_fields = ("user__username", "institution__code", "role__code")
    autocomplete_fields = ("user", "institution", "unit", "role")

    def after_save(self, obj: Model) -> None:
        assert isinstance(obj, Membership)
        membership_groups_sync(user=obj.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delegation)
class DelegationAdmin(AuditedModelAdmin):
    list_display = ("principal", "deputy", "starts_at", "ends_at", "revoked_at", "reason")
    search_fields = ("principal__username", "deputy__username", "reason")
    autocomplete_fields = ("principal", "deputy")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        assert isinstance(obj, Delegation)
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
