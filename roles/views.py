from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from viewflow.urls import ReadonlyModelViewset

from .models import Institution
from .services import user_language_set


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers a signed-in user's choice."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        return HttpResponseBadRequest("Unsupported language.")
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_language_set(actor=request.user, language=language)  # type: ignore[arg-type]
    return response


class InstitutionViewset(ReadonlyModelViewset):
    model = Institution
    title = _("Institutions")
    icon = "account_balance"
    list_columns = ("code", "name_sq", "name_sr", "name_en", "kind", "parent_institution")
    list_filter_fields = ("kind",)
    queryset = Institution.objects.select_related("parent")

    def parent_institution(self, institution: Institution) -> str:
        # A column named `parent` would show the viewset's own `parent` (its application).
        return institution.parent.code if institution.parent else ""

    parent_institution.short_description = Institution._meta.get_field("parent").verbose_name  # type: ignore[attr-defined]

    def has_view_permission(self, user, obj=None):  # type: ignore[no-untyped-def]
        return bool(user.is_authenticated)
