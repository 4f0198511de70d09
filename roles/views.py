"""The people pages: the language switch, the institutions directory, and delegations — a
principal hands their work to an acting official of their institution for a period (leave,
absence), sees what they gave and received, and revokes it. The API (`/api/delegations/`)
offers the same to other clients; both go through `services`."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import check_for_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from viewflow.urls import ReadonlyModelViewset

from config.api import UTCDateTimeField

from . import selectors, services
from .models import Delegation, Institution, Membership, User
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


MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_SHOWN = "%Y-%m-%d %H:%M"


def deputies_for(user: Any) -> QuerySet[User]:
    """Who may act for the user: the other active members of the user's institutions."""
    institutions = selectors.memberships_active(user=user).values("institution_id")
    members = Membership.objects.active().filter(institution_id__in=institutions)
    return (
        User.objects.filter(is_active=True, memberships__in=members)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class DeputyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class DelegationForm(forms.Form):
    deputy = DeputyChoice(
        label=_("Acting official"),
        queryset=User.objects.none(),
        to_field_name="username",
    )
    # Read as the UTC instant they name: a moment no database holds (year 1 at +01:00) is a
    # form error, not a server error.
    starts_at = UTCDateTimeField(label=_("Starts at"), widget=MOMENT)
    ends_at = UTCDateTimeField(label=_("Ends at"), widget=MOMENT)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, principal: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies_for(principal)  # type: ignore[attr-defined]


def _state(delegation: Delegation, now: Any) -> Any:
    if delegation.revoked_at is not None:
        return gettext("revoked")
    if delegation.ends_at <= now:
        return gettext("ended")
    if delegation.starts_at > now:
        return gettext("upcoming")
    return gettext("active")


@require_http_methods(["GET", "POST"])
def delegation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DelegationForm(request.POST or None, principal=user)
    if request.method == "POST" and form.is_valid():
        try:
            delegation = services.delegation_create(
                actor=user,  # type: ignore[arg-type]
                principal=user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                gettext("%(deputy)s acts for you from %(starts_at)s until %(ends_at)s.")
                % {
                    "deputy": delegation.deputy.get_full_name() or delegation.deputy.username,
                    "starts_at": timezone.localtime(delegation.starts_at).strftime(MOMENT_SHOWN),
                    "ends_at": timezone.localtime(delegation.ends_at).strftime(MOMENT_SHOWN),
                },
            )
            return HttpResponseRedirect(reverse("work:delegations"))
    now = timezone.now()
    delegations = [
        (delegation, _state(delegation, now))
        for delegation in selectors.delegations_visible(user=user).order_by("-starts_at", "-pk")
    ]
    return render(
        request,
        "roles/delegations.html",
        {"form": form, "delegations": delegations, "now": now},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the principal revokes; to anybody else the delegation is not theirs to see (404)
    # or not theirs to end (the service refuses: shown as a message).
    delegation = get_object_or_404(selectors.delegations_visible(user=request.user), pk=pk)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)  # type: ignore[arg-type]
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("The delegation is revoked."))
    return HttpResponseRedirect(reverse("work:delegations"))
