"""Document pages: the list of what the official may read, upload, and a document's page."""

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.urls import Application

from roles.selectors import memberships_active

from . import intake, services
from .access import access_document_by_id, documents_visible
from .models import Classification, Document, Kind, Language


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.INTERNAL
    )
    file = forms.FileField(label=_("File"), allow_empty_file=True)


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


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document, _acting = access_document_by_id(pk, request.user)
    versions = list(document.versions.order_by("-number"))
    return render(
        request,
        "documents/document_detail.html",
        {"document": document, "versions": versions, "current": versions[0] if versions else None},
    )


class DocumentsApplication(Application):
    app_name = "documents"
    title = _("Documents")
    icon = "description"
    menu_template_name = None  # pages, no viewsets: viewflow's menu would say so in red

    urlpatterns = [
        path("", DocumentListView.as_view(), name="index"),
        path("upload/", document_upload, name="upload"),
        path("<int:pk>/", document_detail, name="detail"),
    ]
