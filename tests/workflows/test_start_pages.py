"""Starting a process from the browser (/work/processes/new/<type>/): who reaches which form, and
a form's process started, refused and audited exactly as through the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from viewflow.workflow import STATUS

from audit.models import AuditEntry
from tests.documents import files
from workflows.models import CoordinationProcess

from .test_views import client_for, open_task, page_text

pytestmark = pytest.mark.usefixtures("demo")
TODAY = timezone.localdate()
PAGES = ("press-statement", "assembly-decision", "meeting-material")
# Who starts what: everyone else gets a 404 for the form.
STARTERS = {
    "press-statement": {"kllokot.info", "prishtine.info", "mf.comms"},
    "assembly-decision": {"kllokot.assembly", "prishtine.assembly"},
    "meeting-material": {"mf.comms"},
}
CALLERS = (
    "kllokot.info",
    "kllokot.assembly",
    "kllokot.mayor",
    "prishtine.info",
    "mf.comms",
    "mf.minister",
    "mapl.registry",
    "zkp.coordinator",
    "auditor",
)


def new_page(slug: str) -> str:
    return f"/work/processes/new/{slug}/"


def upload(username: str, title: str) -> int:
    response = client_for(username).post(
        "/documents/upload/",
        {
            "title": title,
            "kind": "decision",
            "language": "sq",
            "classification": "internal",
            "file": SimpleUploadedFile("vendim.pdf", files.pdf_with_text(title)),
        },
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.mark.django_db
@pytest.mark.parametrize("slug", PAGES)
@pytest.mark.parametrize("username", CALLERS)
def test_a_form_is_there_only_for_those_who_start_that_process(slug: str, username: str) -> None:
    client = client_for(username)
    expected = 200 if username in STARTERS[slug] else 404
    assert client.get(new_page(slug)).status_code == expected
    assert client.post(new_page(slug), {"title": "x"}).status_code in (
        (400,) if expected == 200 else (404,)
    )
    listed = page_text(client.get("/work/processes/"))
    assert (f'href="{new_page(slug)}"' in listed) is (expected == 200)


@pytest.mark.django_db
def test_unknown_types_and_anonymous_callers_get_no_form() -> None:
    assert client_for("kllokot.info").get(new_page("monthly-report")).status_code == 404
    assert client_for("kllokot.info").get(new_page("nothing")).status_code == 404
    response = client_for(None).get(new_page("press-statement"))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
def test_a_press_statement_started_on_the_page_waits_for_the_mayor() -> None:
    client = client_for("kllokot.info")
    assert 'href="/work/processes/new/press-statement/"' in page_text(client.get("/work/"))
    embargo = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client.post(
        new_page("press-statement"),
        {
            "title": "Rrugët e reja",
            "text_sq": "Komuna hap rrugët e reja.",
            "text_sr": "Opština otvara nove puteve.",
            "embargo_until": embargo.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    process = CoordinationProcess.objects.get(title="Rrugët e reja")
    assert response["Location"] == f"/work/processes/{process.pk}/"
    assert process.institution.code == "KLLOKOT"
    assert process.data["text_sr"] == "Opština otvara nove puteve."
    assert "Started: Rrugët e reja." in page_text(client.get(response["Location"]))
    assert open_task(process.pk, "approve").status == STATUS.NEW
    started = AuditEntry.objects.get(action="process.started", object_id=str(process.pk))
    assert started.actor == "kllokot.info"
    assert started.data["type"] == "press_statement"
    assert "embargo_until" in started.data["data"]
    mayor = page_text(client_for("kllokot.mayor").get("/work/"))
    assert "Rrugët e reja" in mayor


@pytest.mark.django_db
def test_a_statement_without_its_serbian_text_is_refused_on_its_field() -> None:
    response = client_for("kllokot.info").post(
        new_page("press-statement"), {"title": "Vetëm shqip", "text_sq": "Tekst."}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"text_sr": ["This field is required."]}
    assert not CoordinationProcess.objects.filter(title="Vetëm shqip").exists()


@pytest.mark.django_db
def test_only_a_ministry_is_offered_a_government_statement() -> None:
    assert (
        "government_level"
        not in client_for("kllokot.info").get(new_page("press-statement")).context["form"].fields
    )
    assert (
        "government_level"
        in client_for("mf.comms").get(new_page("press-statement")).context["form"].fields
    )


@pytest.mark.django_db
def test_a_decision_from_the_future_is_refused_by_the_flow_on_its_field() -> None:
    response = client_for("kllokot.assembly").post(
        new_page("assembly-decision"),
        {"title": "Vendimi i nesërm", "adopted_on": str(TODAY + timedelta(days=1))},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"adopted_on": ["This date cannot be in the future."]}
    assert not CoordinationProcess.objects.filter(title="Vendimi i nesërm").exists()


@pytest.mark.django_db
def test_a_decision_carries_the_documents_chosen_from_its_own_institution() -> None:
    own = upload("kllokot.assembly", "Vendimi për rrugët")
    other = upload("prishtine.assembly", "Vendimi i Prishtinës")
    client = client_for("kllokot.assembly")
    choices = dict(
        client.get(new_page("assembly-decision")).context["form"].fields["documents"].choices
    )
    assert own in choices and other not in choices
    refused = client.post(
        new_page("assembly-decision"),
        {"title": "Me dokument të huaj", "adopted_on": str(TODAY), "documents": [other]},
    )
    assert refused.status_code == 400 and "documents" in refused.context["form"].errors
    response = client.post(
        new_page("assembly-decision"),
        {"title": "Vendimi nr. 9", "adopted_on": str(TODAY), "documents": [own]},
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    process = CoordinationProcess.objects.get(title="Vendimi nr. 9")
    assert list(process.documents.values_list("pk", flat=True)) == [own]
    assert open_task(process.pk, "approve").status == STATUS.NEW


PLAN: dict[str, Any] = {
    "key_messages": "Buxheti rritet.\n\nInvestimet vazhdojnë.\n",
    "audiences": "qytetarët\nmediat",
    "channels": "konferencë për shtyp",
    "spokesperson": "Ministri",
    "timing": "pas mbledhjes",
}


@pytest.mark.django_db
def test_meeting_material_sends_its_plan_as_the_api_does() -> None:
    client = client_for("mf.comms")
    response = client.post(
        new_page("meeting-material"),
        {
            "title": "Projektligji për buxhetin",
            "meeting_date": str(TODAY + timedelta(days=7)),
            "languages": ["sq", "sr"],
            **PLAN,
        },
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    process = CoordinationProcess.objects.get(title="Projektligji për buxhetin")
    assert process.data["communication_plan"] == {
        "key_messages": ["Buxheti rritet.", "Investimet vazhdojnë."],
        "audiences": ["qytetarët", "mediat"],
        "channels": ["konferencë për shtyp"],
        "spokesperson": "Ministri",
        "timing": "pas mbledhjes",
        "languages": ["sq", "sr"],
    }


@pytest.mark.django_db
def test_a_plan_without_serbian_is_refused_by_the_flow() -> None:
    response = client_for("mf.comms").post(
        new_page("meeting-material"),
        {
            "title": "Pa serbisht",
            "meeting_date": str(TODAY + timedelta(days=7)),
            "languages": ["sq", "en"],
            **PLAN,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["Both official languages (sq, sr) are required."]
    }
    assert not CoordinationProcess.objects.filter(title="Pa serbisht").exists()
