"""An urgent notification is mailed by the real worker once its transaction commits."""

import pytest
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify
from roles.models import User
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


def test_the_worker_mails_an_escalation_after_commit(worker, demo: dict[str, User]) -> None:  # type: ignore[no-untyped-def]
    chair, assembly = demo["kllokot.chair"], demo["kllokot.assembly"]
    assembly.email = ""
    assembly.save(update_fields=["email"])
    with transaction.atomic():
        created = notify(
            recipients=[chair, assembly],
            kind="escalation",
            message=lambda: "Afati për dërgimin në MAPL ka kaluar",
            key="escalation:deadline:1",
        )
    assert created == 2
    # The worker's mail goes to its own (test) backend; what this process sees is the claim it
    # records when it sends: the chair's, not the addressless officer's.
    wait_for(lambda: Notification.objects.filter(user=chair, emailed_at__isnull=False).exists())
    assert Notification.objects.get(user=assembly).emailed_at is None
