"""What started a clock, as the pages show it: its stored basis ("task:<step> <time>",
"registered:<topic> <time>", "adopted on <day>") in words of the reader's language."""

from typing import Any

import pytest
from django.utils import translation

from deadlines.basis import basis_shown
from deadlines.models import Deadline
from roles.models import Institution
from workflows.flows import FLOWS

pytestmark = pytest.mark.django_db

AT = "2026-11-20 09:30"


def shown(language: str, basis: str, process_type: str, institution_id: Any = None) -> str:
    with translation.override(language):
        return basis_shown(basis, process_type, institution_id)


def test_a_step_by_its_title_and_the_start_in_words() -> None:
    step = FLOWS["public_consultation"].answer_comments.task_title
    with translation.override("sq"):
        title = str(step)
    assert title != "Answer every comment"
    assert shown("sq", f"task:answer_comments {AT}", "public_consultation") == (
        f"Hapi: {title}, nga {AT}"
    )
    assert shown("en", f"task:answer_comments {AT}", "public_consultation") == (
        f"Step: Answer every comment, from {AT}"
    )
    assert shown("sr-latn", f"started {AT}", "monthly_report") == f"Proces je pokrenut, od {AT}"
    assert shown("sr", f"started {AT}", "monthly_report") == f"Процес је покренут, од {AT}"


def test_a_date_by_its_fields_label_and_the_months_end() -> None:
    assert shown("en", "adopted on 2026-11-20", "assembly_decision") == "Adopted on: 2026-11-20"
    assert shown("sq", "month end 2026-11-30", "monthly_report") == "Fundi i muajit: 2026-11-30"


def test_a_flows_own_event_as_the_flow_names_it_else_only_its_time(demo: Any) -> None:
    kllokot = Institution.objects.get(code="KLLOKOT").pk
    assert shown("sq", f"registered:water_irrigation {AT}", "complaint", kllokot) == (
        f"Regjistruar, tema: Uji dhe ujitja, nga {AT}"
    )
    assert shown("en", f"registered:gone {AT}", "complaint", kllokot) == f"Registered, from {AT}"
    # An event nobody names, or a step the flow no longer has: no code, only the time.
    assert shown("sq", f"bench_never {AT}", "monthly_report") == f"Nga {AT}"
    assert shown("sq", f"task:no_such_step {AT}", "monthly_report") == f"Nga {AT}"
    # A basis of an unknown shape stays as stored.
    assert shown("sq", "something else", "monthly_report") == "something else"


def test_the_clock_shows_its_basis_in_words() -> None:
    deadline = Deadline(basis=f"started {AT}", process_type="monthly_report", institution_id=1)
    with translation.override("sq"):
        assert deadline.basis_shown == f"Procesi filloi, nga {AT}"
