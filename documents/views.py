"""Document pages: the list of what the official may read, upload, and a document's page,
where the owner institution adds versions, shares the document and annuls its registration."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.http import require_POST
from viewflow.urls import Application

from config.errors import Conflict
from roles.models import Institution
from roles.permissions import acting_with_permission
from roles.selectors import memberships_active

from . import intake, services
from .access import (
    CHANGE,
    FORWARDABLE,
    access_document_by_id,
    documents_readable_ids,
    documents_visible,
)
from .models import Classification, Document, Kind, Language


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.INTERNAL
    )
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class ShareForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), to_field_name="code"
    )
    may_forward = forms.BooleanField(
        label=_("May attach it to its own processes and send it on"),
        help_text=_(
            "The owner's consent, recorded in the audit log. Not for confidential documents."
        ),
        required=False,
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Institution.objects.exclude(pk=document.institution_id).order_by("code")
        self.fields["institution"].queryset = others  # type: ignore[attr-defined]
        if document.classification not in FORWARDABLE:
            del self.fields["may_forward"]  # a confidential document goes on only from its owner


class AnnulForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea)


class DocumentListView(generic.ListView):
    template_name = "documents/document_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Document]:
        return documents_visible(user=self.request.user).order_by("-pk")


def document_upload(request: HttpRequest) -> HttpResponse:
    membership = memberships_active(user=request.user).first()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if membership is None:
            form.add_error(None, _("You belong to no institution."))
        else:
            upload = form.cleaned_data["file"]
            try:
                document = services.document_create(
                    actor=request.user,  # type: ignore[arg-type]
                    institution=membership.institution,
                    upload=upload,
                    filename=upload.name or "",
                    size=upload.size or 0,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    language=form.cleaned_data["language"],
                    classification=form.cleaned_data["classification"],
                )
            except intake.Refused as refusal:
                form.add_error("file", refusal.message)
            except ValidationError as refusal:  # e.g. a title with a control character
                form.add_error(None, refusal)
            else:
                messages.success(
                    request,
                    _("Registered as %(number)s.") % {"number": document.registration_number},
                )
                return HttpResponseRedirect(reverse("documents:detail", args=[document.pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_upload.html",
        {"form": form, "membership": membership},
        status=status,
    )


def _detail_page(
    request: HttpRequest, document: Document, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The document's page; with the forms of its changes for whoever may make them (a form
    given bound comes back with its errors)."""
    versions = list(document.versions.select_related("duplicate_of").order_by("-number"))
    # An earlier copy is named only to those who may read it.
    duplicates = {v.duplicate_of.document_id for v in versions if v.duplicate_of is not None}
    readable = documents_readable_ids(user=request.user, ids=duplicates)
    for version in versions:
        duplicate = version.duplicate_of.document_id if version.duplicate_of else None
        version.duplicate_shown = duplicate if duplicate in readable else None  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "document": document,
        "versions": versions,
        "current": versions[0] if versions else None,
    }
    may_change = acting_with_permission(user=request.user, perm=CHANGE, obj=document) is not None
    if may_change and document.registration.annulled_at is None:
        context |= {
            "version_form": VersionForm(),
            "share_form": ShareForm(document=document),
            "annul_form": AnnulForm(),
        }
    context |= bound  # after an annulment too: its refusal says why
    return render(request, "documents/document_detail.html", context, status=status)


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document, _acting = access_document_by_id(pk, request.user)
    return _detail_page(request, document)


@require_POST
def document_version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    document, acting = access_document_by_id(pk, request.user, for_write=True)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.document_version_add(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                document=document,
                upload=upload,
                filename=upload.name or "",
                size=upload.size or 0,
            )
        except intake.Refused as refusal:
            form.add_error("file", refusal.message)
        except ValidationError as error:
            form.add_error(None, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            return _detail_page(request, document, status=409, version_form=form)
        else:
            messages.success(request, _("Version %(number)s added.") % {"number": version.number})
            return HttpResponseRedirect(reverse("documents:detail", args=[document.pk]))
    return _detail_page(request, document, status=400, version_form=form)


@require_POST
def document_share_page(request: HttpRequest, pk: int) -> HttpResponse:
    document, acting = access_document_by_id(pk, request.user, for_write=True)
    form = ShareForm(request.POST, document=document)
    if form.is_valid():
        institution = form.cleaned_data["institution"]
        try:
            services.document_share(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                document=document,
                institution=institution,
                # Unticked leaves an earlier consent as it is; the API withdraws one.
                may_forward=form.cleaned_data.get("may_forward") or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Shared with %(institution)s.") % {"institution": institution}
            )
            return HttpResponseRedirect(reverse("documents:detail", args=[document.pk]))
    return _detail_page(request, document, status=400, share_form=form)


@require_POST
def document_annul_page(request: HttpRequest, pk: int) -> HttpResponse:
    document, acting = access_document_by_id(pk, request.user, for_write=True)
    form = AnnulForm(request.POST)
    if form.is_valid():
        try:
            services.document_annul(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                document=document,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            return _detail_page(request, document, status=409, annul_form=form)
        else:
            messages.success(request, _("The registration is annulled."))
            return HttpResponseRedirect(reverse("documents:detail", args=[document.pk]))
    return _detail_page(request, document, status=400, annul_form=form)


class DocumentsApplication(Application):
    app_name = "documents"
    title = _("Documents")
    icon = "description"
    menu_template_name = None  # pages, no viewsets: viewflow's menu would say so in red

    urlpatterns = [
        path("", DocumentListView.as_view(), name="index"),
        path("upload/", document_upload, name="upload"),
        path("<int:pk>/", document_detail, name="detail"),
        path("<int:pk>/versions/", document_version_upload, name="version-upload"),
        path("<int:pk>/share/", document_share_page, name="share"),
        path("<int:pk>/annul/", document_annul_page, name="annul"),
    ]
