"""The demo's work in progress for page tests, with the default deadline rules in place (a
transactional test elsewhere in the run may have flushed the migration's rows)."""

import io

from django.core.management import call_command

from deadlines.models import DeadlineRule
from tests.deadlines.conftest import DEFAULT_RULES, translated


def default_rules_present() -> None:
    for rule in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(code=rule["code"], defaults=translated(rule))


def demo_work_seeded() -> None:
    default_rules_present()
    call_command("seed_demo_work", stdout=io.StringIO())
