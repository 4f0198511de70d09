"""What the public submits on the portal is registered under one account, whichever process it
starts: the portal's, inactive and without a password."""

from typing import Any

import pytest
from django.core.cache import cache

from documents.models import Registration
from roles.services import PORTAL_ACCOUNT, portal_account


@pytest.mark.django_db
def test_requests_and_complaints_from_the_portal_name_one_account(api: Any, demo: Any) -> None:
    cache.clear()  # the public limits start untouched
    request = api.post(
        "/api/public/access-requests/",
        {
            "institution": "KLLOKOT",
            "description": "Ugovori o održavanju puteva za 2026.",
            "requester_name": "Ana Jovanović",
            "email": "ana@example.org",
        },
        format="json",
    )
    complaint = api.post(
        "/api/public/complaints/",
        {"institution": "KLLOKOT", "topic": "roads", "text": "Gropa në rrugën për Mogillë."},
        format="json",
    )
    assert (request.status_code, complaint.status_code) == (201, 201)
    numbers = [request.json()["registration_number"], complaint.json()["registration_number"]]
    registrars = {
        registration.registered_by.username
        for registration in Registration.objects.filter(registration_number__in=numbers)
    }
    assert registrars == {PORTAL_ACCOUNT}
    account = portal_account()
    assert account.username == PORTAL_ACCOUNT
    assert not account.is_active and not account.has_usable_password()
    # Asked again, the same account; a password given by mistake is taken away.
    account.set_password("guessable")
    account.save(update_fields=["password"])
    assert portal_account().pk == account.pk
    account.refresh_from_db()
    assert not account.has_usable_password()
    cache.clear()
