"""Writes about documents: intake, registration, versions, sharing, annulment. Each is audited."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, audit_record_many
from config.errors import Conflict
from config.text import control_characters_refused
from roles import permissions
from roles.models import Institution, User
from roles.selectors import user_is_read_only

from . import intake
from .access import CHANGE, FORWARD, FORWARDABLE, VIEW, documents_forwardable
from .events import document_changed
from .models import Classification, Document, DocumentVersion, RegisterCounter, Registration


def registration_allocate(*, actor: User, institution: Institution) -> Registration:
    """The next number of the institution's register for this year, in the caller's
    transaction: the counter row stays locked until it commits, so concurrent uploads queue,
    and a rolled-back upload gives its number back (no gaps, no duplicates)."""
    year = timezone.localdate().year
    number = _counter_advanced(institution, year)
    if number is None:  # the institution's first document this year
        RegisterCounter.objects.get_or_create(institution=institution, year=year)
        number = _counter_advanced(institution, year)
        assert number is not None  # the row exists now, committed or ours
    return Registration.objects.create(
        institution=institution,
        year=year,
        number=number,
        registration_number=f"{institution.code}-{year}-{number:06d}",
        registered_by=actor,
    )


def _counter_advanced(institution: Institution, year: int) -> int | None:
    """The counter's next number, taken and locked by one UPDATE … RETURNING (the ORM's update
    returns no values: reading the row locked first, then writing it, took two statements for
    every citizen's submission); None when the year has no counter yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE documents_registercounter SET last_number = last_number + 1 "
            "WHERE institution_id = %s AND year = %s RETURNING last_number",
            [institution.pk, year],
        )
        row = cursor.fetchone()
    return row[0] if row is not None else None


@contextmanager
def _stored_files_removed_on_failure() -> Iterator[list[str]]:
    """Files written inside the block are deleted again if the block fails, so a failed
    upload leaves nothing behind. Yields the list to append stored names to."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        from django.core.files.storage import default_storage

        for name in stored:
            default_storage.delete(name)
        raise


def _add_version(
    *,
    actor: User,
    document: Document,
    upload: IO[bytes],
    checked: intake.Inspected,
    stored: list[str],
) -> DocumentVersion:
    number = (
        document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    duplicate = (
        DocumentVersion.objects.filter(
            sha256=checked.sha256, document__institution=document.institution
        )
        .exclude(document__registration__annulled_at__isnull=False)
        .order_by("pk")
        .first()
    )
    version = DocumentVersion(
        document=document,
        number=number,
        filename=checked.filename,
        size=checked.size,
        sha256=checked.sha256,
        mime_type=checked.mime_type,
        duplicate_of=duplicate,
        created_by=actor,
    )
    version.file.save(checked.filename, File(upload), save=False)
    stored.append(str(version.file.name))
    version.save(force_insert=True)
    from .tasks import extract_version_text

    extract_version_text.delay_on_commit(version.pk)
    return version


def _changes_allowed(actor: User | None, on_behalf_of: User | None) -> None:
    """Auditors have read-only access: they register, version, share and annul nothing, nor
    does anyone acting for them."""
    person = on_behalf_of or actor
    if person is not None and user_is_read_only(user=person):
        raise PermissionDenied(_("Auditors have read-only access."))


def document_create(
    *,
    actor: User,
    institution: Institution,
    upload: IO[bytes],
    filename: str,
    size: int,
    title: str,
    kind: str,
    language: str = "sq",
    classification: str = "internal",
    translation_of: Document | None = None,
    on_behalf_of: User | None = None,
) -> Document:
    """Intake, registration, storage and access in one transaction; text extraction follows
    in the background once it commits. Raises intake.Refused before anything is written.
    `translation_of`: the same text in another language, registered by the same institution."""
    _changes_allowed(actor, on_behalf_of)
    title = control_characters_refused(title.strip(), "title", one_line=True)
    if translation_of is not None:
        if translation_of.institution_id != institution.pk:
            raise ValidationError(
                {"translation_of": _("A translation belongs to the same institution's text.")}
            )
        if translation_of.language == language:
            raise ValidationError(
                {"translation_of": _("A translation is in another language than its original.")}
            )
    checked = intake.inspect(upload, filename, size)
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        registration = registration_allocate(actor=actor, institution=institution)
        document = Document(
            title=title,
            kind=kind,
            language=language,
            classification=classification,
            institution=institution,
            registration=registration,
            created_by=actor,
        )
        if translation_of is not None:
            document.translation_group = translation_of.translation_group
        # The related rows were just read or written here; only the document's own fields need
        # checking (saves four look-ups per upload).
        document.full_clean(exclude=["institution", "registration", "created_by"])
        document.save()
        version = _add_version(
            actor=actor, document=document, upload=upload, checked=checked, stored=stored
        )
        permissions.grant(
            actor=actor,
            on_behalf_of=on_behalf_of,
            perm=(VIEW, CHANGE),
            obj=document,
            group=permissions.institution_group(institution),
        )
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="document.registered",
            obj=document,
            new={
                "registration_number": registration.registration_number,
                "title": document.title,
                "kind": kind,
                "language": language,
                "institution": institution.code,
                "version": version_summary(version),
            },
        )
        document_changed.send(sender=Document, documents=[document])
    return document


def document_version_add(
    *,
    actor: User,
    document: Document,
    upload: IO[bytes],
    filename: str,
    size: int,
    on_behalf_of: User | None = None,
) -> DocumentVersion:
    _changes_allowed(actor, on_behalf_of)
    if document.registration.annulled_at is not None:
        raise Conflict(_("An annulled document takes no new versions."), code="annulled")
    checked = intake.inspect(upload, filename, size)
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        # One writer at a time per document, so version numbers never collide.
        Document.objects.select_for_update().get(pk=document.pk)
        version = _add_version(
            actor=actor, document=document, upload=upload, checked=checked, stored=stored
        )
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="document.version_added",
            obj=document,
            new=version_summary(version),
        )
        document_changed.send(sender=Document, documents=[document])
    return version


def document_share(
    *,
    actor: User,
    document: Document,
    institution: Institution,
    may_forward: bool | None = None,
    forwarded_by: Institution | None = None,
    on_behalf_of: User | None = None,
) -> None:
    """The other institution reads the document from now on. Sharing it again changes
    nothing and records nothing.

    `may_forward`, the owner's choice: True records its consent that the institution attaches
    the document to its own processes and sends it on with them (never for a confidential
    one), False withdraws that consent, None leaves it as it is. `forwarded_by`: the
    institution whose process carries the document there (workflows send documents so); a
    third party's document goes only with its owner's consent on record."""
    _changes_allowed(actor, on_behalf_of)
    if institution.pk == document.institution_id:
        raise ValidationError({"institution": _("The document is this institution's own.")})
    if may_forward and document.classification not in FORWARDABLE:
        refusal = ValidationError(
            {
                "may_forward": _(
                    "A confidential document is sent on only by its owner: no other "
                    "institution may be allowed to forward it."
                )
            }
        )
        document_refusal_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="document.forwarding_refused",
            documents=[document],
            extra={"institution": institution.code, "classification": document.classification},
        )
        raise refusal
    forwarding = forwarded_by is not None and forwarded_by.pk != document.institution_id
    if (
        forwarding
        and forwarded_by is not None
        and not documents_forwardable(institution=forwarded_by).filter(pk=document.pk).exists()
    ):
        raise DocumentsRefused(
            _("The owner has not consented to this document's being sent on."),
            action="document.forwarding_refused",
            documents=[document],
            extra={"institution": institution.code, "forwarded_by": forwarded_by.code},
        )
    with transaction.atomic():
        shared = permissions.grant(
            actor=actor,
            on_behalf_of=on_behalf_of,
            perm=VIEW,
            obj=document,
            group=permissions.institution_group(institution),
        )
        if shared:
            audit_record(
                actor=actor,
                on_behalf_of=on_behalf_of,
                action="document.shared",
                obj=document,
                extra={"institution": institution.code}
                | ({"forwarded_by": forwarded_by.code} if forwarding and forwarded_by else {}),
            )
        if may_forward is None:
            return
        if may_forward:
            changed = permissions.grant(
                actor=actor,
                on_behalf_of=on_behalf_of,
                perm=FORWARD,
                obj=document,
                group=permissions.institution_group(institution),
            )
        else:
            changed = permissions.revoke(
                actor=actor,
                on_behalf_of=on_behalf_of,
                perm=FORWARD,
                obj=document,
                group=permissions.institution_group(institution),
            )
        if changed:
            audit_record(
                actor=actor,
                on_behalf_of=on_behalf_of,
                action="document.forwarding_consented"
                if may_forward
                else "document.forwarding_withdrawn",
                obj=document,
                extra={"institution": institution.code},
            )


class DocumentsRefused(PermissionDenied):
    """Documents refused to an institution's process: attached, or sent on with it, without
    their owner's consent. `refusals_recorded` records it once the refused change rolled
    back, so the attempt stays on record while the change does not."""

    def __init__(
        self, message: str, *, action: str, documents: list[Document], extra: dict[str, Any]
    ) -> None:
        super().__init__(message)
        self.action, self.documents, self.extra = action, documents, extra


@contextmanager
def refusals_recorded(*, actor: User | None, on_behalf_of: User | None = None) -> Iterator[None]:
    """Around the whole transaction of a change that may raise DocumentsRefused (never inside
    another one, whose rollback would take the record with it)."""
    try:
        yield
    except DocumentsRefused as refusal:
        document_refusal_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=refusal.action,
            documents=refusal.documents,
            extra=refusal.extra,
        )
        raise


def document_refusal_record(
    *,
    actor: User | None,
    action: str,
    documents: list[Document],
    extra: dict[str, Any],
    on_behalf_of: User | None = None,
) -> None:
    """A refused attempt to attach or send documents, on each document's record. In a
    transaction of its own: call it outside (or after the rollback of) the refused change,
    so the refusal stays on record while the change does not."""
    with transaction.atomic():
        audit_record_many(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            objects=documents,
            extra=extra,
        )


def document_annul(
    *, actor: User, document: Document, reason: str, on_behalf_of: User | None = None
) -> Document:
    """A mistaken registration is annulled with a reason; its number stays in the book."""
    _changes_allowed(actor, on_behalf_of)
    reason = control_characters_refused(reason.strip(), "reason", one_line=False)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the annulment.")})
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=document.registration_id)
        if registration.annulled_at is not None:
            raise Conflict(_("The registration is already annulled."), code="annulled")
        registration.annulled_at = timezone.now()
        registration.annulled_by = actor
        registration.annulment_reason = reason[:500]
        registration.save(update_fields=["annulled_at", "annulled_by", "annulment_reason"])
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="document.annulled",
            obj=document,
            extra={
                "registration_number": registration.registration_number,
                "reason": registration.annulment_reason,
            },
        )
        document_changed.send(sender=Document, documents=[document])  # it leaves the index
    document.registration = registration
    return document


def documents_made_public(
    *,
    actor: User,
    institution: Institution,
    documents: list[Document],
    reason: str,
    on_behalf_of: User | None = None,
) -> list[Document]:
    """Reclassify these documents `public`: their owner, `institution`, publishes them (a
    consultation's draft approved for publication). Each change is an audit entry with the old
    classification and the reason. Another institution's document that is not public yet, or
    a confidential one, is refused (the callers check earlier; this is the last line). Returns
    the documents that changed."""
    _changes_allowed(actor, on_behalf_of)
    with transaction.atomic():
        locked = list(
            Document.objects.select_for_update()
            .filter(pk__in=[document.pk for document in documents])
            .order_by("pk")
        )
        changed = [d for d in locked if d.classification != Classification.PUBLIC]
        refused = [
            d.pk
            for d in changed
            if d.classification == Classification.CONFIDENTIAL or d.institution_id != institution.pk
        ]
        if refused:
            raise ValidationError(
                {
                    "documents": _(
                        "Only the institution's own internal documents are made public: not %s."
                    )
                    % ", ".join(map(str, refused))
                }
            )
        for document in changed:
            audit_record(
                actor=actor,
                on_behalf_of=on_behalf_of,
                action="document.reclassified",
                obj=document,
                old={"classification": document.classification},
                new={"classification": Classification.PUBLIC.value},
                extra={"reason": reason},
            )
            document.classification = Classification.PUBLIC
        Document.objects.bulk_update(changed, ["classification"])
        if changed:
            document_changed.send(sender=Document, documents=changed)
    return changed


def version_summary(version: DocumentVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "filename": version.filename,
        "mime_type": version.mime_type,
        "size": version.size,
        "sha256": version.sha256,
        "duplicate_of": version.duplicate_of.document_id if version.duplicate_of else None,
    }
