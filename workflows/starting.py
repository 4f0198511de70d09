"""Starting a process from the browser: a form per flow an official may start (press statement,
assembly decision, meeting material), each sent to `services.process_start` exactly as the API's
`POST /api/processes/<type>/` sends it, so the flow checks the same rules and the same audit
entry is written. A flow the user's roles do not start has no page for them (404).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from documents.forms import Uploads, documents_picker
from roles.models import Institution
from roles.selectors import memberships_active

from . import services
from .files import kept_chosen, upload_kind
from .flows import FLOWS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINES = _("One per line.")


class StartForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)

    def __init__(self, *args: Any, user: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.fields["documents"] = documents_picker(
            user=user,
            institution=institution,
            selected=self.data.getlist("documents") if self.is_bound else (),  # type: ignore[attr-defined]
        )

    def flow_fields(self) -> dict[str, Any]:
        """What the flow's start receives, as the API's serializer would give it."""
        return {name: value for name, value in self.cleaned_data.items() if name != "documents"}


class PressStatementForm(StartForm):
    text_sq = forms.CharField(label=_("Text in Albanian"), widget=forms.Textarea)
    text_sr = forms.CharField(label=_("Text in Serbian"), widget=forms.Textarea)
    text_en = forms.CharField(label=_("Text in English"), widget=forms.Textarea, required=False)
    embargo_until = forms.DateTimeField(
        label=_("Embargo until"),
        required=False,
        help_text=_("Not published before this moment."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    government_level = forms.BooleanField(
        label=_("Government statement (also cleared by ZKP)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.institution.kind != Institution.Kind.MINISTRY:
            del self.fields["government_level"]  # ministries only


class AssemblyDecisionForm(StartForm):
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)


class MeetingMaterialForm(StartForm):
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DATE)
    key_messages = forms.CharField(
        label=_("Key messages"), widget=forms.Textarea(attrs={"rows": 3}), help_text=LINES
    )
    audiences = forms.CharField(
        label=_("Audiences"), widget=forms.Textarea(attrs={"rows": 2}), help_text=LINES
    )
    channels = forms.CharField(
        label=_("Channels"), widget=forms.Textarea(attrs={"rows": 2}), help_text=LINES
    )
    spokesperson = forms.CharField(label=_("Spokesperson"), max_length=500)
    timing = forms.CharField(label=_("Timing"), max_length=500)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=[("sq", _("Albanian")), ("sr", _("Serbian")), ("en", _("English"))],
        initial=["sq", "sr"],
        widget=forms.CheckboxSelectMultiple,
    )

    PLAN = ("key_messages", "audiences", "channels", "spokesperson", "timing", "languages")
    LISTS = ("key_messages", "audiences", "channels")

    def flow_fields(self) -> dict[str, Any]:
        fields = super().flow_fields()
        plan = {name: fields.pop(name) for name in self.PLAN}
        for name in self.LISTS:
            plan[name] = [line.strip() for line in plan[name].splitlines() if line.strip()]
        return {**fields, "communication_plan": plan}


# The flows officials start, each with its form (the monthly report is the system's).
FORMS: dict[str, type[StartForm]] = {
    "press_statement": PressStatementForm,
    "assembly_decision": AssemblyDecisionForm,
    "meeting_material": MeetingMaterialForm,
}
# Their pages' address names, spelled as in the API's addresses (`press-statement`).
SLUGS = {name.replace("_", "-"): name for name in FORMS}


def startable(user: Any) -> list[tuple[str, Any]]:
    """(address name, title) of the flows the user may start from the browser: those one of
    their active roles starts (`services.starting_institution`'s rule, in one query)."""
    roles = set(memberships_active(user=user).values_list("role__code", flat=True))
    flows: dict[str, Any] = {slug: FLOWS[name] for slug, name in SLUGS.items()}
    return [
        (slug, flow.process_title)
        for slug, flow in flows.items()
        if roles & set(flow.instance.starter_roles)
    ]


def _errors_shown(error: ValidationError, form: StartForm) -> None:
    """The flow's refusal on the page, each message on its field where the form has one (a
    communication plan's messages, which Django's ValidationError keeps without their parts'
    names, above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def process_new(request: HttpRequest, slug: str) -> HttpResponse:
    name = SLUGS.get(slug)
    if name is None:
        raise Http404
    flow_class: Any = FLOWS[name]
    institution = services.starting_institution(flow_class=flow_class, person=request.user)
    if institution is None:
        raise Http404  # not a flow the user's roles start
    form = FORMS[name](request.POST or None, user=request.user, institution=institution)
    uploads = Uploads(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() & uploads.is_valid():
        registered = uploads.register(
            actor=request.user, institution=institution, kind=upload_kind(name)
        )
        if registered is not None:
            for document in registered:
                messages.info(
                    request,
                    _("Registered as %(number)s.") % {"number": document.registration_number},
                )
            chosen = [document.pk for document in form.cleaned_data["documents"]]
            chosen += [document.pk for document in registered]
            try:
                process = services.process_start(
                    flow_class=flow_class,
                    actor=request.user,  # type: ignore[arg-type]
                    institution=institution,
                    fields=form.flow_fields(),
                    document_ids=chosen,
                )
            except (ValidationError, PermissionDenied) as error:
                if registered:  # registered now: chosen for the next try, not uploaded again
                    data = kept_chosen(request.POST, "documents", chosen)
                    form = FORMS[name](data, user=request.user, institution=institution)
                    form.is_valid()
                    uploads = Uploads()
                if isinstance(error, ValidationError):
                    _errors_shown(error, form)
                else:
                    form.add_error(None, str(error))
            else:
                messages.success(request, _("Started: %(title)s.") % {"title": process.title})
                return HttpResponseRedirect(reverse("work:process", args=[process.pk]))
    return render(
        request,
        "workflows/process_new.html",
        {
            "form": form,
            "uploads": uploads,
            "title": flow_class.process_title,
            "institution": institution,
        },
        status=400 if request.method == "POST" else 200,
    )
