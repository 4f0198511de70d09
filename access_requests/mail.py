"""The requester is told by e-mail, when they gave one, whenever their request moves: an
extension (with its reason), a transfer, a decision, a refusal by silence, the agency's
decision. The message names the request by its registration number and sends them to the
portal; it never carries the tracking code (kept only as a digest)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext

from .models import AccessRequest

EVENTS = ("extended", "transferred", "decided", "deemed_refused", "complaint_decided")


def _what(event: str, data: dict) -> str:  # type: ignore[type-arg]
    if event == "extended":
        return gettext(
            "The time for the decision was extended by %(days)s days, until %(until)s: %(reason)s"
        ) % {
            "days": data.get("extended_days"),
            "until": data.get("extended_until"),
            "reason": data.get("extension_reason"),
        }
    if event == "transferred":
        return gettext(
            "Your request was transferred to the institution that holds the documents: "
            "%(institution)s. It decides within a new period."
        ) % {"institution": data.get("holder")}
    if event == "deemed_refused":
        return gettext(
            "No decision was given in time; by law this counts as a refusal. You may complain "
            "to the Information and Privacy Agency."
        )
    if event == "complaint_decided":
        return gettext("The Information and Privacy Agency decided your complaint.")
    return gettext("A decision was given on your request.")


def requester_email(access_request_id: int, event: str) -> int:
    """Send the notice; how many messages went (0 without an e-mail address)."""
    request = (
        AccessRequest.objects.select_related("process", "registration")
        .filter(pk=access_request_id)
        .first()
    )
    if request is None or not request.email or event not in EVENTS:
        return 0
    with translation.override(request.language or settings.LANGUAGE_CODE):
        number = request.registration.registration_number
        subject = gettext("Your request for public documents %(number)s") % {"number": number}
        body = "\n\n".join(
            [
                _what(event, request.process.data or {}),
                gettext("Follow it with your tracking code: %(url)s")
                % {"url": f"{settings.SITE_URL}/portal/access-requests/track/"},
            ]
        )
    return EmailMessage(subject, body, to=[request.email]).send()
