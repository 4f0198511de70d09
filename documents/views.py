"""Document pages: the list of what the official may read, upload, and a document's page,
where the owner institution adds versions, shares the document and annuls its registration."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from viewflow.urls import Application

from config.errors import Conflict
from config.forms import DATE, PeriodFilter
from roles.models import Institution, Membership
from roles.permissions import acting_with_permission
from roles.selectors import memberships_active, self_and_principals

from . import intake, services
from .access import (
    CHANGE,
    FORWARDABLE,
    access_document_by_id,
    documents_attachable,
    documents_readable_ids,
    documents_visible,
)
from .forms import PICKER_FOUND, PREVIEWABLE, picker_documents, picker_label
from .models import Classification, Document, DocumentVersion, Kind, Language
from .selectors import documents_matching


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


PAGE_SIZE = 25
# The list's orders, by what a person sorts by: the registration's date, its number (the
# institution's code, the year and the number, as the number reads), the title.
SORTS = {
    "-date": (_("Newest first"), ("-created_at", "-pk")),
    "date": (_("Oldest first"), ("created_at", "pk")),
    "number": (_("Registration number"), ("registration__registration_number",)),
    "-number": (
        _("Registration number, descending"),
        ("-registration__registration_number",),
    ),
    "title": (_("Title, A to Z"), ("title", "pk")),
    "-title": (_("Title, Z to A"), ("-title", "-pk")),
}


def _institution_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_("All institutions"))),
        *((item.code, str(item)) for item in Institution.objects.order_by("code")),
    ]


class DocumentFilter(PeriodFilter):
    """The list's search, filters and order: all in the address, so a list can be bookmarked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words of the title, or a registration number."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), ("standing", _("Registered")), ("annulled", _("Annulled"))],
    )
    institution = forms.ChoiceField(
        label=_("Institution"), required=False, choices=_institution_choices
    )
    date_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Registered until"), required=False, widget=DATE)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
    )


def documents_filtered(user: Any, choice: dict[str, Any]) -> QuerySet[Document]:
    """What the user may see of the documents, narrowed and ordered as chosen."""
    documents = documents_visible(user=user)
    words = (choice.get("q") or "").split()
    for word in words:
        documents = documents.filter(
            Q(title__icontains=word) | Q(registration__registration_number__icontains=word)
        )
    for field in ("kind", "language"):
        if choice.get(field):
            documents = documents.filter(**{field: choice[field]})
    if choice.get("institution"):
        documents = documents.filter(institution__code=choice["institution"])
    if choice.get("state") == "standing":
        documents = documents.filter(registration__annulled_at__isnull=True)
    elif choice.get("state") == "annulled":
        documents = documents.filter(registration__annulled_at__isnull=False)
    if choice.get("date_from"):
        documents = documents.filter(created_at__date__gte=choice["date_from"])
    if choice.get("date_to"):
        documents = documents.filter(created_at__date__lte=choice["date_to"])
    return documents.order_by(*SORTS[choice.get("sort") or "-date"][1])


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    choice = DocumentFilter(request.GET)
    filtered = bool(request.GET.keys() - {"page"})
    context: dict[str, Any] = {"filter": choice, "filtered": filtered}
    if not choice.is_valid():
        return render(request, "documents/document_list.html", context, status=400)
    documents = documents_filtered(request.user, choice.cleaned_data)
    try:
        page = Paginator(documents, PAGE_SIZE).page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(_("No such page.")) from error
    query = request.GET.copy()
    query.pop("page", None)
    context |= {"page_obj": page, "object_list": page.object_list, "query": query.urlencode()}
    return render(request, "documents/document_list.html", context)


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
        "preview": preview_version(document, versions),
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


def preview_version(document: Document, versions: list[DocumentVersion]) -> Any:
    """The version a page previews: the latest, when the browser can show its type."""
    current = versions[0] if versions else None
    return current if current is not None and current.mime_type in PREVIEWABLE else None


@require_GET
def document_preview(request: HttpRequest, pk: int) -> FileResponse:
    """The latest version (or `?version=N`) shown inside the page that frames it: PDFs in the
    browser's own viewer, images and text as they are. Only the types the browser shows
    without running anything of the file's; the type is the intake's, never sniffed, and
    only this address may be framed, by our own pages."""
    document, _acting = access_document_by_id(pk, request.user)
    versions = document.versions.order_by("-number")
    number = request.GET.get("version", "")
    if number:
        if not number.isdigit() or len(number) > 9:
            raise Http404(_("No such version."))
        versions = versions.filter(number=int(number))
    version = versions.first()
    if version is None or version.mime_type not in PREVIEWABLE:
        raise Http404(_("No preview for this file."))
    content_type = version.mime_type
    if content_type == intake.TEXT:
        # The encoding the text extraction found (`text:cp1250`), until then UTF-8; a byte
        # order mark decides by itself in the browser.
        method = version.text_method or ""
        encoding = method.removeprefix("text:") if method.startswith("text:") else "utf-8"
        encoding = encoding.removesuffix("-sig")
        content_type += f"; charset={encoding}"
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=False,
        filename=version.filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"
    # Nothing of the file runs (no script, no form, no plugin beyond the browser's own PDF
    # viewer, which needs the document unsandboxed), and only our pages frame it.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
    )
    response["Cache-Control"] = "private, no-cache"
    return response


class PickerQuery(forms.Form):
    institution = forms.CharField(max_length=32)
    own = forms.BooleanField(required=False)
    q = forms.CharField(max_length=200, required=False)


@require_GET
def document_picker_search(request: HttpRequest) -> JsonResponse:
    """The document picker's search (`forms.documents_picker`): `{results: [{id, label}],
    more}`, the newest first, of the documents the official may attach to a process of the
    institution (`?institution=<code>`, `&own=1` for its own only) whose number, title or file
    name holds every word of `q`. Only for an institution the official (or whoever they act
    for) is a member of — any other is not found, like a document they may not see; the
    documents are always among those they may see (`access.documents_attachable`)."""
    query = PickerQuery(request.GET)
    if not query.is_valid():
        return JsonResponse({"errors": query.errors.get_json_data()}, status=400)
    members = Membership.objects.active().filter(user__in=self_and_principals(user=request.user))
    institution = Institution.objects.filter(
        code=query.cleaned_data["institution"], pk__in=members.values("institution_id")
    ).first()
    if institution is None:
        raise Http404(_("No such institution among yours."))
    attachable = documents_attachable(
        user=request.user, institution=institution, own=query.cleaned_data["own"]
    )
    found = list(
        documents_matching(picker_documents(attachable), query.cleaned_data["q"])[
            : PICKER_FOUND + 1
        ]
    )
    response = JsonResponse(
        {
            "results": [
                {"id": document.pk, "label": picker_label(document)}
                for document in found[:PICKER_FOUND]
            ],
            "more": len(found) > PICKER_FOUND,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


class DocumentsApplication(Application):
    app_name = "documents"
    title = _("Documents")
    icon = "description"
    menu_template_name = None  # pages, no viewsets: viewflow's menu would say so in red

    urlpatterns = [
        path("", document_list, name="index"),
        path("upload/", document_upload, name="upload"),
        path("picker/", document_picker_search, name="picker"),
        path("<int:pk>/", document_detail, name="detail"),
        path("<int:pk>/preview/", document_preview, name="preview"),
        path("<int:pk>/versions/", document_version_upload, name="version-upload"),
        path("<int:pk>/share/", document_share_page, name="share"),
        path("<int:pk>/annul/", document_annul_page, name="annul"),
    ]
