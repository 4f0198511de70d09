"""The public endpoints refuse what they must, in the shared error shape, never with a 500."""

import pytest
from django.core.cache import cache

from complaints.models import Complaint, ComplaintTopic
from config.public import PublicSubmitThrottle, tracking_code_digest

from .steps import COMPLAINT, submitted


def error_of(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    return dict(body["error"])


@pytest.mark.django_db
def test_topics_of_a_municipality_in_three_languages(api, demo) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/public/complaint-topics/", {"institution": "KLLOKOT"})
    assert response.status_code == 200
    topics = response.json()
    assert [topic["code"] for topic in topics] == [
        "water_irrigation",
        "roads",
        "waste",
        "public_lighting",
        "permits",
        "education",
        "health",
        "other",
    ]
    assert topics[0]["names"] == {
        "sq": "Uji dhe ujitja",
        "sr": "Voda i navodnjavanje",
        "en": "Water and irrigation",
    }
    # Topics are data: a municipality retires one and it is gone from the list and the form.
    ComplaintTopic.objects.filter(institution__code="KLLOKOT", code="health").update(active=False)
    codes = [t["code"] for t in api.get("/api/public/complaint-topics/?institution=kllokot").json()]
    assert "health" not in codes and len(codes) == 7
    refused = api.post("/api/public/complaints/", {**COMPLAINT, "topic": "health"}, format="json")
    assert error_of(refused, 400)["details"]["topic"]
    for params in ({}, {"institution": "MF"}, {"institution": "NO"}, {"institution": "x" * 99}):
        error_of(api.get("/api/public/complaint-topics/", params), 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"text": "<script>alert(1)</script>"}, "text"),
        ({"text": "Hello <b>world</b>"}, "text"),
        ({"name": "<img src=x onerror=alert(1)>"}, "name"),
        ({"location": "</td>"}, "location"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"name": "n" * 201}, "name"),
        ({"phone": "1" * 41}, "phone"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@" + "b" * 300 + ".org"}, "email"),
        ({"topic": "unknown"}, "topic"),
        ({"topic": ["water_irrigation"]}, "topic"),
        ({"institution": "MF"}, "institution"),
        ({"institution": "PRISHTINE", "topic": "nope"}, "topic"),
        ({"institution": None}, "institution"),
    ],
)
def test_bad_submissions_are_400_in_the_shared_shape(api, demo, fields, field) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/public/complaints/", {**COMPLAINT, **fields}, format="json")
    assert field in error_of(response, 400)["details"]
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_malformed_bodies_are_400(api, demo) -> None:  # type: ignore[no-untyped-def]
    error_of(api.post("/api/public/complaints/", "{not json", content_type="application/json"), 400)
    error_of(api.post("/api/public/complaints/", "[]", content_type="application/json"), 400)
    error_of(api.post("/api/public/complaints/", {}, format="json"), 400)


@pytest.mark.django_db
def test_a_wrong_tracking_code_is_404_and_only_the_digest_is_stored(api, demo) -> None:  # type: ignore[no-untyped-def]
    receipt = submitted(api)
    code = receipt["tracking_code"]
    complaint = Complaint.objects.get()
    assert complaint.tracking_digest == tracking_code_digest(code)
    assert code not in str(list(Complaint.objects.values()))
    for wrong in (code[:-1] + ("A" if code[-1] != "A" else "B"), "x", "%00", "a" * 65, "a" * 5000):
        error_of(api.get(f"/api/public/complaints/{wrong}/"), 404)
    # A code with something appended is not the code.
    error_of(api.get(f"/api/public/complaints/{code}{'x' * 64}/"), 404)
    assert api.get(f"/api/public/complaints/{code}/").status_code == 200


@pytest.mark.django_db
def test_anonymous_submission_keeps_no_contact(api, demo) -> None:  # type: ignore[no-untyped-def]
    submitted(api)
    complaint = Complaint.objects.get()
    assert not hasattr(complaint, "contact") or complaint.contact is None
    assert complaint.channel == "portal" and complaint.process.created_by is None


@pytest.mark.django_db
def test_a_bad_token_does_not_stop_the_public(api, demo) -> None:  # type: ignore[no-untyped-def]
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert api.get("/api/public/complaint-topics/", {"institution": "KLLOKOT"}).status_code == 200


@pytest.mark.django_db
def test_submissions_are_throttled_per_address(api, demo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rates = {**PublicSubmitThrottle.THROTTLE_RATES, "public_submit": "2/hour"}
    monkeypatch.setattr(PublicSubmitThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    try:
        for _ in range(2):
            submitted(api)
        error_of(api.post("/api/public/complaints/", COMPLAINT, format="json"), 429)
        assert Complaint.objects.count() == 2
        # Another address is not held back.
        other = api.post(
            "/api/public/complaints/", COMPLAINT, format="json", REMOTE_ADDR="10.9.9.9"
        )
        assert other.status_code == 201
    finally:
        cache.clear()


@pytest.mark.django_db
def test_the_schema_describes_the_complaints_endpoints(api_as) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.oneshop").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/public/complaint-topics/",
        "/api/public/complaints/",
        "/api/public/complaints/{tracking_code}/",
        "/api/processes/complaint/",
        "/api/complaints/statistics/",
    ):
        assert path in text, path
    assert "median_answer_days" in text
