"""The answer by e-mail to whoever gave an address: the complainant, and those who reported
the same problem (linked to it)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from config.celery import Task

from .models import Complaint, ComplaintContact

logger = logging.getLogger(__name__)


def _message(contact: ComplaintContact, answered: Complaint) -> EmailMessage:
    complaint = contact.complaint
    with translation.override(complaint.language or settings.LANGUAGE_CODE):
        subject = gettext("Answer to your complaint %(number)s") % {
            "number": complaint.registration_number
        }
        body = "\n\n".join(
            [
                gettext("Your complaint %(number)s to the municipality has been answered:")
                % {"number": complaint.registration_number},
                answered.answer,
                gettext("You can also read the answer with your tracking code on the portal."),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=[contact.email])


def answers_email(process_id: int) -> int:
    """Mail the answer of complaint `process_id` to its complainant and to those linked to it,
    each once: the contact row is claimed (`answer_mailed_at`) before the mail leaves and given
    back when sending fails, for the retry."""
    answered = Complaint.objects.filter(pk=process_id).first()
    if answered is None or not answered.answer:
        return 0
    contacts = ComplaintContact.objects.filter(
        Q(complaint_id=process_id) | Q(complaint__linked_to_id=process_id),
        answer_mailed_at__isnull=True,
    ).exclude(email="")
    sent = 0
    for contact_id in contacts.values_list("pk", flat=True):
        with transaction.atomic():
            contact = (
                ComplaintContact.objects.select_for_update()
                .select_related("complaint")
                .filter(pk=contact_id, answer_mailed_at__isnull=True)
                .first()
            )
            if contact is None:
                continue
            contact.answer_mailed_at = timezone.now()
            contact.save(update_fields=["answer_mailed_at"])
            _message(contact, answered).send()  # an error rolls the claim back
            sent += 1
    return sent


@shared_task(base=Task, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def answer_mail(process_id: int) -> int:
    return answers_email(process_id)
