"""The pieces of a form that takes documents, shared by every page that starts or completes
work with files: a searchable picker of the documents the official may attach, and upload
slots (drag and drop, or the plain file input) that register new ones through the same
service as the API (`services.document_create`: python-magic, the registration book, audit).
The page's script (`static/documents/files.js`) only adds the drop zone and the picker's
search, which asks the server (`views.document_picker_search`) for every attachable document
the typed words find; both work without it: the file input, and the newest documents'
checkboxes with a field for the registration numbers of any other."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from roles.models import Institution

from . import intake, services
from .access import documents_attachable
from .models import Classification, Document, Language
from .selectors import with_current_version

# The newest documents the page lists: what a browser without the script offers as boxes to
# tick, any other by its typed number (with the script the search box finds any of them,
# `PICKER_FOUND` at a time).
PICKER_SIZE = 300
# What one search shows: enough to scan, and a hint to type more when there are more.
PICKER_FOUND = 50
# The official languages first: a decision needs its Albanian and its Serbian text.
SLOT_LANGUAGES = (Language.ALBANIAN, Language.SERBIAN)
PREVIEWABLE = {intake.PDF, intake.PNG, intake.JPEG, intake.TEXT}


def picker_documents(attachable: QuerySet[Document]) -> QuerySet[Document]:
    """What the picker lists of the attachable documents: registrations that stand, each
    once with its latest version, and a byte-identical copy of another listed document not
    again (the earlier registration stands for both)."""
    standing = attachable.filter(registration__annulled_at__isnull=True)
    return (
        with_current_version(standing)
        # NULL is in no list: a document that copies none is kept by the first test.
        .filter(
            Q(current_duplicate_of__isnull=True)
            | ~Q(current_duplicate_of__in=standing.values("pk"))
        )
        .select_related("registration")
        .order_by("-pk")
    )


def picker_label(document: Document) -> str:
    language = document.get_language_display()
    filename = getattr(document, "current_filename", "") or ""
    number = getattr(document, "current_number", None)
    version = f", v{number}" if number and number > 1 else ""
    return f"{document.registration_number} — {document.title} ({language}; {filename}{version})"


def picker_search_url(*, institution: Institution, own: bool = False) -> str:
    """Where the picker's script asks for the documents the typed words find."""
    query = {"institution": institution.code} | ({"own": "1"} if own else {})
    return f"{reverse('documents:picker')}?{urlencode(query)}"


# A page without the script lists only the newest `PICKER_SIZE`: any other attachable document
# is chosen by typing its registration number (`<name>_numbers`), at most this many at once.
NUMBERS_SUFFIX = "_numbers"
NUMBERS_MAX = 50
NUMBERS_LENGTH = 2000
_NUMBER = re.compile(r"^(?P<code>.+)-(?P<year>\d{4})-(?P<number>\d{1,9})$")


class Picked(list[str]):
    """The picker's value from a form: the ids checked, and the registration numbers typed."""

    def __init__(self, ids: Any = (), *, numbers: str = "") -> None:
        super().__init__(ids)
        self.numbers = numbers


def registration_numbers(typed: str) -> list[str]:
    """The registration numbers typed (separated by commas, semicolons or spaces), written as
    the book writes them: upper case, the serial number with its zeros
    (`kllokot-2026-12` → `KLLOKOT-2026-000012`); each once, in the order typed."""
    numbers: list[str] = []
    for token in re.split(r"[,;\s]+", typed.strip()):
        if not token:
            continue
        token = token.upper()
        found = _NUMBER.match(token)
        if found:
            token = f"{found['code']}-{found['year']}-{int(found['number']):06d}"
        if token not in numbers:
            numbers.append(token)
    return numbers


class DocumentPicker(forms.CheckboxSelectMultiple):
    """Checkboxes under a search box; the script replaces the rows with what the server's
    search finds (`search_url`), keeping those chosen. Beside them a text field for
    registration numbers, which the script hides: without it, the way to any attachable
    document the list does not show."""

    template_name = "documents/widgets/picker.html"
    search_url = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Picked:
        checked = super().value_from_datadict(data, files, name)
        typed = data.get(name + NUMBERS_SUFFIX, "")
        return Picked(checked or (), numbers=typed if isinstance(typed, str) else "")

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        context["widget"]["numbers_name"] = name + NUMBERS_SUFFIX
        context["widget"]["numbers"] = getattr(value, "numbers", "")
        return context


class DocumentsPickerField(forms.ModelMultipleChoiceField):
    """The documents checked and those whose registration numbers were typed, each among the
    field's queryset (what the official may attach): a number outside it, whether it does not
    exist or is another's the official may not attach, is the same error."""

    widget = DocumentPicker

    def prepare_value(self, value: Any) -> Any:
        prepared = super().prepare_value(value)
        if isinstance(value, Picked):
            return Picked(prepared, numbers=value.numbers)
        return prepared

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(getattr(data, "numbers", "").strip()) or super().has_changed(initial, data)

    def clean(self, value: Any) -> Any:
        typed = getattr(value, "numbers", "")
        checked = super().clean(list(value or ()))
        numbers = registration_numbers(typed[: NUMBERS_LENGTH + 1])
        if not numbers:
            return checked
        if len(typed) > NUMBERS_LENGTH or len(numbers) > NUMBERS_MAX:
            raise ValidationError(
                self.error_messages["too_many_numbers"],
                code="too_many_numbers",
                params={"count": NUMBERS_MAX},
            )
        attachable = self.queryset
        assert attachable is not None
        found = dict(
            attachable.filter(registration__registration_number__in=numbers).values_list(
                "registration__registration_number", "pk"
            )
        )
        unknown = [number for number in numbers if number not in found]
        if unknown:
            raise ValidationError(
                self.error_messages["unknown_number"],
                code="unknown_number",
                params={"numbers": ", ".join(unknown)},
            )
        ids = {document.pk for document in checked} | set(found.values())
        return attachable.filter(pk__in=ids)


def documents_picker(
    *,
    user: Any,
    institution: Institution,
    own: bool = False,
    selected: Any = (),
    label: Any = None,
) -> forms.ModelMultipleChoiceField:
    """A field that accepts any standing registration the user may attach to a process of the
    institution (`access.documents_attachable`; an id outside it is the form's error, never
    attached), lists the newest of them and those already `selected`, once each, and searches
    all of them as the official types."""
    attachable = documents_attachable(user=user, institution=institution, own=own)
    standing = attachable.filter(registration__annulled_at__isnull=True)
    field = DocumentsPickerField(
        label=label or _("Documents"),
        queryset=standing,
        required=False,
        help_text=(
            _("Registered documents of your institution, the newest first. Type to search.")
            if own
            else _(
                "Registered documents of your institution, and those other institutions let "
                "it send on, the newest first. Type to search."
            )
        ),
        error_messages={
            "invalid_choice": _("No document %(value)s among those you may attach."),
            "invalid_pk_value": _("“%(pk)s” is not a document number."),
            "unknown_number": _("No document numbered %(numbers)s among those you may attach."),
            "too_many_numbers": _("At most %(count)s registration numbers at once."),
        },
    )
    listed = list(picker_documents(attachable)[:PICKER_SIZE])
    chosen = {int(pk) for pk in selected or ()} - {document.pk for document in listed}
    if chosen:
        listed += list(with_current_version(standing.filter(pk__in=chosen)))
    field.widget.choices = [(document.pk, picker_label(document)) for document in listed]
    field.widget.search_url = picker_search_url(  # type: ignore[attr-defined]
        institution=institution, own=own
    )
    return field


class DropZone(forms.FileInput):
    """A file input the script turns into a zone to drop a file on."""

    template_name = "documents/widgets/drop_zone.html"


class NewDocumentForm(forms.Form):
    """One file to register in the institution's book, with what the book needs to know."""

    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True, widget=DropZone)
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        required=False,
        help_text=_("Up to 500 characters; the file's name when left empty."),
    )
    # Not required: a slot left without a file is not asked anything (a client that leaves
    # them out gets the slot's language and an internal document).
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, required=False)
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.INTERNAL,
        required=False,
    )


class Uploads:
    """A few upload slots (`upload-1-file`, …), each registered as a document of `kind`."""

    count = len(SLOT_LANGUAGES)

    def __init__(self, data: Any = None, files: Any = None) -> None:
        self.slots = [
            NewDocumentForm(
                data,
                files,
                prefix=f"upload-{number}",
                initial={"language": language},
            )
            for number, language in enumerate(SLOT_LANGUAGES, start=1)
        ]

    def __iter__(self) -> Any:
        return iter(self.slots)

    def is_valid(self) -> bool:
        # Every slot checked (a list, not a generator), so each shows its own errors.
        return all([slot.is_valid() for slot in self.slots])  # noqa: C419

    def register(self, *, actor: Any, institution: Any, kind: str) -> list[Document] | None:
        """Register each given file; None when the intake refused one (the refusal is its
        slot's error, worded for people: no file-type codes)."""
        given = [slot for slot in self.slots if slot.cleaned_data.get("file")]
        # Every file checked before any is registered: a refused second file leaves no first
        # one registered and unattached.
        for slot in given:
            upload = slot.cleaned_data["file"]
            try:
                intake.inspect(upload, upload.name or "", upload.size or 0)
            except intake.Refused as refusal:
                slot.add_error("file", refusal.message)
        if any(slot.errors for slot in given):
            return None
        documents = []
        for slot in given:
            upload = slot.cleaned_data["file"]
            name = upload.name or ""
            try:
                documents.append(
                    services.document_create(
                        actor=actor,
                        institution=institution,
                        upload=upload,
                        filename=name,
                        size=upload.size or 0,
                        title=slot.cleaned_data["title"] or name.rsplit(".", 1)[0] or name,
                        kind=kind,
                        language=slot.cleaned_data["language"] or slot.initial["language"],
                        classification=slot.cleaned_data["classification"]
                        or Classification.INTERNAL,
                    )
                )
            except intake.Refused as refusal:
                slot.add_error("file", refusal.message)
                return None
            except ValidationError as error:  # e.g. a title with a control character
                slot.add_error(None, error)
                return None
        return documents


class NewVersionForm(forms.Form):
    """A corrected file for one of the documents the task carries and the official may change."""

    version_of = forms.ModelChoiceField(
        label=_("New version of"), queryset=Document.objects.none(), required=False
    )
    version_file = forms.FileField(
        label=_("Corrected file"), required=False, allow_empty_file=True, widget=DropZone
    )

    prefix = "version"

    def __init__(self, *args: Any, documents: QuerySet[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["version_of"]
        field.queryset = documents
        field.label_from_instance = lambda document: (
            f"{document.registration_number} — {document.title}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("version_file") and not data.get("version_of"):
            self.add_error("version_of", _("Choose the document the file is a new version of."))
        return data
