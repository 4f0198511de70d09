"""Everything the complaints app follows, in one place (connected in `apps.ready`): a new
municipality gets the default complaint topics (editable afterwards in the admin)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from roles.models import Institution

from .services import complaint_topics_seed


@receiver(post_save, sender=Institution, dispatch_uid="complaints.institution_saved")
def topics_for_new_municipality(
    sender: Any, instance: Institution, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw and instance.kind == Institution.Kind.MUNICIPALITY:
        complaint_topics_seed(institution=instance)
