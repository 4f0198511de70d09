"""Work in progress for the demo organisation: processes of every type left at different steps,
some of them overdue, so every page a newcomer opens has something to show.

Everything goes through the services the API uses (start, claim, complete), so the clocks,
notifications, permissions and audit entries are exactly those of real work. Running it again
changes nothing: it stops when its first process exists.
"""

import io
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from documents.services import document_create
from roles.models import User
from roles.selectors import memberships_active
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.services import monthly_reports_start, process_start, task_claim, task_complete

# The first process started: its presence means the work was seeded already.
MARKER_TITLE = "Vendimi për buxhetin komunal të vitit 2027"

PLAN = {
    "key_messages": "Buxheti mbështet shërbimet publike në të gjitha komunat.",
    "audiences": "Qytetarët, mediat, komunat",
    "channels": "Konferencë për shtyp, faqja e ministrisë, rrjetet sociale",
    "spokesperson": "Zëdhënësi i ministrisë",
    "timing": "Pas mbledhjes së qeverisë",
    "languages": "sq, sr",
}


def _open_task(process: CoordinationProcess, step: str) -> Task:
    for task in Task.objects.filter(
        process_id=process.pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).order_by("pk"):
        if task.flow_task.name == step:
            return task
    raise CommandError(f"Process {process.pk} has no open step {step!r}.")


def _done(
    process: CoordinationProcess,
    step: str,
    person: User,
    action: str,
    comment: str = "",
    **data: Any,
) -> None:
    task_complete(
        actor=person,
        task_id=_open_task(process, step).pk,
        action=action,
        comment=comment,
        data=data,
    )


def _decision_texts(office: User, title: str) -> list[int]:
    """The decision's registered texts in Albanian and Serbian (nothing is signed off or sent
    without both), as the assembly office registers them."""
    membership = memberships_active(user=office).first()
    assert membership is not None
    ids = []
    for language, text in (
        ("sq", f"{title}. Kuvendi Komunal miratoi këtë vendim."),
        ("sr", f"{title}. Скупштина општине усвојила је ову одлуку."),
    ):
        content = text.encode()
        document = document_create(
            actor=office,
            institution=membership.institution,
            upload=io.BytesIO(content),
            filename=f"vendimi-{language}.txt",
            size=len(content),
            title=title if language == "sq" else f"{title} ({language})",
            kind="decision",
            language=language,
        )
        ids.append(document.pk)
    return ids


def demo_work_in_progress_seed(people: dict[str, User]) -> list[CoordinationProcess]:
    """Start the demo's processes and drive each to its step; returns them."""
    today = timezone.localdate()
    days_ago = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731
    in_days = lambda days: (today + timedelta(days=days)).isoformat()  # noqa: E731
    assembly, press, meeting = (
        FLOWS["assembly_decision"],
        FLOWS["press_statement"],
        FLOWS["meeting_material"],
    )
    started: list[CoordinationProcess] = []

    def decision(office: str, title: str, adopted_days_ago: int) -> CoordinationProcess:
        process = process_start(
            flow_class=assembly,
            actor=people[office],
            fields={"title": title, "adopted_on": days_ago(adopted_days_ago)},
            document_ids=_decision_texts(people[office], title),
        )
        started.append(process)
        return process

    # Assembly decisions: the 7-day clock runs from the adoption date.
    # Waiting for the chair, 3 days past the limit.
    decision("kllokot.assembly", MARKER_TITLE, 10)
    # Signed off, waiting to be transmitted: 2 days left.
    signed = decision("kllokot.assembly", "Vendimi për ndriçimin publik në Kllokot", 5)
    _done(signed, "approve", people["kllokot.chair"], "approve")
    # Transmitted, waiting for MAPL's registry.
    sent = decision("kllokot.assembly", "Vendimi për planin rregullues të qendrës", 4)
    _done(sent, "approve", people["kllokot.chair"], "approve")
    _done(sent, "transmit", people["kllokot.assembly"], "transmit")
    # Received, under legal review, claimed by the reviewer.
    reviewed = decision("kllokot.assembly", "Vendimi për tarifat e tregut komunal", 15)
    _done(reviewed, "approve", people["kllokot.chair"], "approve")
    _done(reviewed, "transmit", people["kllokot.assembly"], "transmit")
    _done(reviewed, "acknowledge", people["mapl.registry"], "acknowledge")
    task_claim(actor=people["mapl.legal"], task_id=_open_task(reviewed, "review").pk)
    # Returned by MAPL for reconsideration.
    returned = decision("kllokot.assembly", "Vendimi për emërtimin e rrugëve", 20)
    _done(returned, "approve", people["kllokot.chair"], "approve")
    _done(returned, "transmit", people["kllokot.assembly"], "transmit")
    _done(returned, "acknowledge", people["mapl.registry"], "acknowledge")
    _done(
        returned,
        "review",
        people["mapl.legal"],
        "reconsider",
        reasons="Mungon baza ligjore për emërtimin e dy rrugëve.",
    )
    # Found lawful: done, on time.
    lawful = decision("kllokot.assembly", "Vendimi për orarin e punës së administratës", 25)
    _done(lawful, "approve", people["kllokot.chair"], "approve")
    _done(lawful, "transmit", people["kllokot.assembly"], "transmit")
    _done(lawful, "acknowledge", people["mapl.registry"], "acknowledge")
    _done(lawful, "review", people["mapl.legal"], "lawful")
    # Prishtina: one overdue at the chair, one returned by the chair to its office.
    decision("prishtine.assembly", "Vendimi për subvencionet në bujqësi", 12)
    sent_back = decision("prishtine.assembly", "Vendimi për parkingun publik", 2)
    _done(
        sent_back,
        "approve",
        people["prishtine.chair"],
        "return",
        "Të shtohet teksti në gjuhën serbe.",
    )

    # Press statements.
    def statement(officer: str, title: str, **fields: Any) -> CoordinationProcess:
        process = process_start(
            flow_class=press,
            actor=people[officer],
            fields={
                "title": title,
                "text_sq": f"{title}: njoftim për qytetarët.",
                "text_sr": f"{title}: обавештење за грађане.",
                **fields,
            },
        )
        started.append(process)
        return process

    statement("kllokot.info", "Mbyllja e përkohshme e rrugës kryesore")
    redo = statement("kllokot.info", "Fushata e vaksinimit në shkolla")
    _done(redo, "approve", people["kllokot.mayor"], "return", "Të saktësohen datat.")
    statement("prishtine.info", "Orari i ri i transportit publik")
    cleared = statement("mf.comms", "Pagesa e pagave për muajin dhjetor", government_level=True)
    _done(cleared, "approve", people["mf.minister"], "approve")

    # Government-meeting material: submission is due 7 days before the meeting.
    def material(title: str, meeting_in_days: int) -> CoordinationProcess:
        process = process_start(
            flow_class=meeting,
            actor=people["mf.comms"],
            fields={
                "title": title,
                "meeting_date": in_days(meeting_in_days),
                "communication_plan": PLAN,
            },
        )
        started.append(process)
        return process

    material("Projektligji për buxhetin e vitit 2027", 4)  # already late
    reviewing = material("Korniza afatmesme e shpenzimeve", 12)
    _done(reviewing, "approve", people["mf.minister"], "approve")
    scheduling = material("Raporti për borxhin publik", 20)
    _done(scheduling, "approve", people["mf.minister"], "approve")
    _done(scheduling, "zkp_review", people["zkp.coordinator"], "approve")
    deciding = material("Rregullorja për prokurimin elektronik", 9)
    _done(deciding, "approve", people["mf.minister"], "approve")
    _done(deciding, "zkp_review", people["zkp.coordinator"], "approve")
    _done(deciding, "schedule", people["sq.secretary"], "schedule", agenda_item="5")

    # Last month's reports of the mayors' decisions, waiting for the mayors.
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    started.extend(monthly_reports_start(month=last_month))
    return started


class Command(BaseCommand):
    help = "Leaves the demo's processes at different steps, some overdue; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is never loaded with production settings.")
        if CoordinationProcess.objects.filter(title=MARKER_TITLE).exists():
            self.stdout.write("Demo work in progress already there.")
            return
        people = {user.username: user for user in User.objects.all()}
        missing = {"kllokot.assembly", "mapl.legal", "mf.comms", "sq.secretary"} - set(people)
        if missing:
            raise CommandError("Run seed_demo first: the demo people are missing.")
        with transaction.atomic():
            started = demo_work_in_progress_seed(people)
        self.stdout.write(self.style.SUCCESS(f"Demo work in progress: {len(started)} processes."))
