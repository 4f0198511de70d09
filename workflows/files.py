"""Files in place on the officials' pages: the documents a start or a task form takes — the
picker of those the official may attach, upload slots that register new ones in the
institution's book, and, on the step that asks for a corrected text, a new version of a
document the process carries. Each write goes through the documents' and the workflows'
services, as over the API; an upload is registered before the step is completed, so a step
the flow refuses keeps the registered file chosen for the next try.

An HTTP module like `views.py`, which it serves."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents.access import CHANGE, documents_attachable, documents_visible
from documents.forms import NewVersionForm, Uploads, documents_picker
from documents.models import Document, Kind
from documents.services import document_version_add
from roles.permissions import acting_with_permission, objects_with_permission

from .flows import process_type_of
from .models import CoordinationProcess

# The steps whose forms take the process's documents (the flows read `data.documents` there),
# by flow and step name; and those that always send them (the flow requires the list).
DOCUMENT_STEPS = {
    "assembly_decision": {"revise", "reconsider"},
    "meeting_material": {"revise", "complete_languages"},
}
DOCUMENTS_REQUIRED = {"meeting_material": {"complete_languages"}}
# The step that asks for a corrected text: a new version of a document it carries.
VERSION_STEPS = {"assembly_decision": {"reconsider"}}
# What an upload from a flow's pages is registered as.
UPLOAD_KIND = {
    "assembly_decision": Kind.DECISION,
    "meeting_material": Kind.MEETING_MATERIAL,
    "press_statement": Kind.PRESS_STATEMENT,
}


def upload_kind(name: str) -> str:
    return str(UPLOAD_KIND.get(name, Kind.OTHER))


def kept_chosen(post: Any, field: str, chosen: list[int]) -> Any:
    """The form's data with these documents chosen: what was registered before the flow
    refused the step stays chosen for the next try, and is not uploaded again."""
    data = post.copy()
    data.setlist(field, [str(pk) for pk in chosen])
    for key in [key for key in data if key.startswith("upload-")]:
        del data[key]
    return data


class PickForm(forms.Form):
    """The picker alone, for a task's page (the start forms carry it among their fields)."""

    prefix = "files"

    def __init__(self, *args: Any, attachable: QuerySet[Document], selected: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["documents"] = documents_picker(attachable, selected=selected)
        # Sent with the page's form: only then is an empty choice a choice (a post without the
        # picker changes no documents).
        self.fields["shown"] = forms.BooleanField(
            required=False, initial=True, widget=forms.HiddenInput
        )
        self.initial = {"documents": list(selected), "shown": True}


def versionable(process: CoordinationProcess, user: Any) -> QuerySet[Document]:
    """The process's documents the user may add a version to: their institution's, standing."""
    carried = documents_visible(user=user).filter(
        processes=process, registration__annulled_at__isnull=True
    )
    return objects_with_permission(user=user, perm=CHANGE, queryset=carried).order_by("pk")


class TaskFiles:
    """The file parts of a task's form, or nothing for a step that takes no documents."""

    def __init__(
        self,
        *,
        node: Any,
        process: CoordinationProcess,
        user: Any,
        post: Any = None,
        files: Any = None,
    ) -> None:
        name = process_type_of(process.flow_class) or ""
        step = getattr(node, "name", "")
        self.kind = upload_kind(name)
        self.active = step in DOCUMENT_STEPS.get(name, set())
        self.required = step in DOCUMENTS_REQUIRED.get(name, set())
        self.pick = self.uploads = self.version = None
        if not self.active:
            return
        self.attachable = documents_attachable(user=user, institution=process.institution)
        # What the picker shows chosen: the process's documents the official could choose
        # (the flow keeps the others, such as MAPL's receipts, itself).
        self.current = sorted(
            self.attachable.filter(
                processes=process, registration__annulled_at__isnull=True
            ).values_list("pk", flat=True)
        )
        self.pick = PickForm(post, attachable=self.attachable, selected=self.current)
        self.uploads = Uploads(post, files)
        if step in VERSION_STEPS.get(name, set()):
            self.versionable = versionable(process, user)
            self.version = NewVersionForm(post, files, documents=self.versionable)

    def is_valid(self) -> bool:
        if not self.active:
            return True
        forms_valid = [self.pick.is_valid(), self.uploads.is_valid()]  # type: ignore[union-attr]
        if self.version is not None:
            forms_valid.append(self.version.is_valid())
        return all(forms_valid)

    def refused(self, post: Any) -> None:
        """The flow refused the step after the files were registered: they stay chosen."""
        if not self.active or not hasattr(self, "chosen"):
            return
        data = kept_chosen(post, "files-documents", self.chosen)
        self.pick = PickForm(data, attachable=self.attachable, selected=self.chosen)
        self.pick.is_valid()
        self.uploads = Uploads()
        if self.version is not None:
            self.version = NewVersionForm(documents=self.versionable)

    def applied(self, *, actor: Any, institution: Any) -> tuple[dict[str, Any], list[str]] | None:
        """Register the uploads and add the new version, then what the flow's `data` gets:
        `documents` when the choice changed (or the step requires it), with the new ones.
        Also what was done, for the page to say. None when the intake refused a file (the
        refusal is that field's error)."""
        if not self.active:
            return {}, []
        assert self.pick is not None and self.uploads is not None
        done: list[str] = []
        if self.version is not None and self.version.cleaned_data.get("version_file"):
            document = self.version.cleaned_data["version_of"]
            upload = self.version.cleaned_data["version_file"]
            acting = acting_with_permission(user=actor, perm=CHANGE, obj=document)
            if acting is None:  # lost the right since the form was drawn
                self.version.add_error("version_of", _("You may not change this document."))
                return None
            try:
                version = document_version_add(
                    actor=acting.user,
                    on_behalf_of=acting.on_behalf_of,
                    document=document,
                    upload=upload,
                    filename=upload.name or "",
                    size=upload.size or 0,
                )
            except intake.Refused as refusal:
                self.version.add_error("version_file", refusal.message)
                return None
            done.append(
                str(
                    _("Version %(number)s of %(document)s added.")
                    % {"number": version.number, "document": document.registration_number}
                )
            )
        registered = self.uploads.register(actor=actor, institution=institution, kind=self.kind)
        if registered is None:
            return None
        done += [
            str(_("Registered as %(number)s.") % {"number": document.registration_number})
            for document in registered
        ]
        chosen = [document.pk for document in self.pick.cleaned_data["documents"]]
        if not self.pick.cleaned_data["shown"]:
            chosen = list(self.current)
        chosen += [document.pk for document in registered]
        self.chosen = chosen
        if registered or self.required or sorted(chosen) != self.current:
            return {"documents": chosen}, done
        return {}, done
