"""Files in place on the officials' pages: the documents a start or a task form takes — the
picker of those the official may attach, upload slots that register new ones in the
institution's book, and, on the step that asks for a corrected text, a new version of a
document the process carries. Each write goes through the documents' and the workflows'
services, as over the API; an upload is registered before the step is completed, so a step
the flow refuses keeps the registered file chosen for the next try.

An HTTP module like `views.py`, which it serves."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents.access import CHANGE, documents_attachable, documents_visible
from documents.forms import NewVersionForm, Uploads, documents_picker
from documents.models import Document, Kind
from documents.services import document_version_add
from roles.models import Institution
from roles.permissions import acting_with_permission, objects_with_permission

from .attachments import DocumentsStep
from .flows import process_type_of
from .models import CoordinationProcess

# The engine's own flows' steps whose forms take documents (a process app's flow names its own
# in `document_steps`, `attachments.DocumentsStep`).
DOCUMENT_STEPS = {
    "assembly_decision": {
        "revise": DocumentsStep(kind=Kind.DECISION),
        # The step that asks for a corrected text: a new version of a document it carries.
        "reconsider": DocumentsStep(kind=Kind.DECISION, version=True),
    },
    "meeting_material": {
        "revise": DocumentsStep(kind=Kind.MEETING_MATERIAL),
        "complete_languages": DocumentsStep(kind=Kind.MEETING_MATERIAL, required=True),
    },
}
# What an upload from a flow's start page is registered as.
UPLOAD_KIND = {
    "assembly_decision": Kind.DECISION,
    "meeting_material": Kind.MEETING_MATERIAL,
    "press_statement": Kind.PRESS_STATEMENT,
}


def documents_step(flow_class: Any, step: str) -> DocumentsStep | None:
    """How the step's page takes documents, or None for a step that takes none."""
    steps = getattr(flow_class, "document_steps", None)
    if steps is None:
        steps = DOCUMENT_STEPS.get(process_type_of(flow_class) or "", {})
    return steps.get(step)


def upload_kind(name: str) -> str:
    return str(UPLOAD_KIND.get(name, Kind.OTHER))


# Where the flows put their words about the documents given (`data.documents` for some).
DOCUMENT_FIELDS = ("documents", "data.documents")


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

    def __init__(
        self,
        *args: Any,
        user: Any,
        institution: Any,
        selected: Any,
        own: bool = False,
        label: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"] = documents_picker(
            user=user, institution=institution, own=own, selected=selected, label=label
        )
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


def lane_institution(task: Any, process: CoordinationProcess) -> Institution:
    """The institution whose official does the task (the lane each task records): uploads go
    into its book, and the picker offers what it may attach."""
    code = (getattr(task, "data", None) or {}).get("institution")
    if code and code != process.institution.code:
        found = Institution.objects.filter(code=code).first()
        if found is not None:
            return found
    return process.institution


class TaskFiles:
    """The file parts of a task's form, or nothing for a step that takes no documents."""

    def __init__(
        self,
        *,
        node: Any,
        process: CoordinationProcess,
        user: Any,
        task: Any = None,
        post: Any = None,
        files: Any = None,
    ) -> None:
        self.step = documents_step(process.flow_class, getattr(node, "name", ""))
        self.active = self.step is not None
        self.pick = self.uploads = self.version = None
        if self.step is None:
            return
        self.kind = self.step.kind
        self.required = self.step.required
        self.user = user
        self.institution = lane_institution(task, process)
        # What the picker shows chosen: the process's documents the official could choose
        # (the flow keeps the others, such as MAPL's receipts, itself); nothing on a step that
        # names documents of its own.
        self.current: list[int] = []
        if not self.step.adds:
            self.current = sorted(
                documents_attachable(user=user, institution=self.institution, own=self.step.own)
                .filter(processes=process, registration__annulled_at__isnull=True)
                .values_list("pk", flat=True)
            )
        self.pick = self._pick(post, self.current)
        self.uploads = Uploads(post, files)
        if self.step.version:
            self.versionable = versionable(process, user)
            self.version = NewVersionForm(post, files, documents=self.versionable)

    def _pick(self, data: Any, selected: Any) -> PickForm:
        assert self.step is not None
        return PickForm(
            data,
            user=self.user,
            institution=self.institution,
            own=self.step.own,
            label=self.step.label,
            selected=selected,
        )

    def is_valid(self) -> bool:
        if not self.active:
            return True
        forms_valid = [self.pick.is_valid(), self.uploads.is_valid()]  # type: ignore[union-attr]
        if self.version is not None:
            forms_valid.append(self.version.is_valid())
        return all(forms_valid)

    def refused(self, post: Any, error: ValidationError | None = None) -> ValidationError | None:
        """The flow refused the step after the files were registered: they stay chosen. Its
        words about the documents (`documents`, `data.documents`) go on the picker; the rest
        of what it said comes back, for the rest of the form."""
        if not self.active:
            return error
        assert self.pick is not None
        if hasattr(self, "chosen"):
            data = kept_chosen(post, "files-documents", self.chosen)
            self.pick = self._pick(data, self.chosen)
            self.pick.is_valid()
            self.uploads = Uploads()
            if self.version is not None:
                self.version = NewVersionForm(documents=self.versionable)
        if error is None or not hasattr(error, "error_dict"):
            return error
        messages = error.message_dict
        for field in DOCUMENT_FIELDS:
            if field in messages:
                self.pick.add_error("documents", messages[field])
        rest = {field: said for field, said in messages.items() if field not in DOCUMENT_FIELDS}
        return ValidationError(rest) if rest else None

    def applied(
        self, *, actor: Any, institution: Any = None
    ) -> tuple[dict[str, Any], list[str]] | None:
        """Register the uploads (in the book of the task's lane institution) and add the new
        version, then what the flow's `data` gets: `documents` when the choice changed (or the
        step requires it, or names documents of its own), with the new ones. Also what was
        done, for the page to say. None when the intake refused a file (the refusal is that
        field's error). `institution`: no longer read (the task's lane decides)."""
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
        registered = self.uploads.register(
            actor=actor, institution=self.institution, kind=self.kind
        )
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
        assert self.step is not None
        if self.step.adds or registered or self.required or sorted(chosen) != self.current:
            return {"documents": chosen}, done
        return {}, done
