"""Anchors of the chain's head outside the database: a chain cut, or rewritten with the key, no
longer reaches them."""

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from audit.models import AuditEntry
from audit.services import anchored_heads, audit_anchor, audit_verify, entry_hash
from audit.tasks import verify_audit_chain
from roles.models import User
from tests.audit.tampering import record_some, rewritten, tamper


@pytest.fixture
def anchors(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "anchors" / "audit-anchors.log"
    settings.AUDIT_ANCHOR_PATH = str(path)
    return path


def cut_after(seq: int) -> None:
    """The tail cut off and the head moved back to the new last entry: without anchors, a chain
    that verifies."""
    kept = AuditEntry.objects.get(seq=seq)
    tamper("DELETE FROM audit_auditentry WHERE seq > %s", [seq])
    tamper("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [seq, kept.hash])


def test_verifying_anchors_the_head_once_in_an_owner_only_file(db: None, anchors: Path) -> None:
    record_some(3)
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115  (same head)
    last = AuditEntry.objects.get(seq=3)
    assert [(a.seq, a.hash) for a in anchored_heads()] == [(3, last.hash)]
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    record_some(1)
    assert verify_audit_chain() is True  # the periodic check anchors too
    assert [a.seq for a in anchored_heads()] == [3, 4]
    assert audit_verify().ok


def test_a_broken_chain_is_never_anchored(db: None, anchors: Path) -> None:
    record_some(3)
    tamper("UPDATE audit_auditentry SET actor = %s WHERE seq = 2", ["forged"])
    report = audit_verify()
    assert not report.ok
    assert audit_anchor(report) is None
    assert verify_audit_chain() is False
    assert not anchors.exists()


def test_a_tail_cut_with_the_head_moved_back_is_detected_by_the_anchor(
    db: None, anchors: Path
) -> None:
    record_some(6)
    assert verify_audit_chain() is True  # anchors the head at #6, records #7
    cut_after(4)
    report = audit_verify()
    assert (report.ok, report.entries, report.first_bad_seq) == (False, 4, 5)
    assert "anchored outside the database" in report.reason
    with pytest.raises(CommandError, match="broken at entry 5"):
        call_command("verify_audit")
    assert [a.seq for a in anchored_heads()] == [6]  # nothing anchored for the cut chain


def test_without_anchors_the_same_cut_goes_unnoticed(db: None, settings: Any) -> None:
    """Why the anchors exist: the chain alone cannot tell its own end was cut off."""
    settings.AUDIT_ANCHOR_PATH = ""
    record_some(6)
    cut_after(4)
    assert audit_verify().ok


def test_a_chain_rewritten_with_the_key_differs_from_its_anchor(db: None, anchors: Path) -> None:
    record_some(5)
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115
    record_some(2)

    def forged(entry: AuditEntry) -> None:
        if entry.seq == 2:
            entry.data = {"new": {"number": 99}}

    rewritten(start=2, hash_function=entry_hash, change=forged)
    report = audit_verify()
    assert (report.ok, report.first_bad_seq) == (False, 5)
    assert "differs from the one anchored" in report.reason


def test_the_api_reports_a_chain_that_no_longer_reaches_its_anchor(
    db: None, anchors: Path, api: APIClient
) -> None:
    record_some(4)
    assert verify_audit_chain() is True
    cut_after(2)
    api.force_authenticate(User.objects.create_superuser("root", "root@example.org", "x"))
    body = api.get("/api/audit/verify/").json()
    assert body["ok"] is False
    assert body["first_bad_seq"] == 3
    assert body["entries"] == 2
    assert "anchored" in body["reason"]


def test_an_unreadable_anchor_file_fails_verification(db: None, anchors: Path) -> None:
    record_some(2)
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with anchors.open("a") as file:
        file.write("not an anchor\n")
    report = audit_verify()
    assert report.ok is False and "line 2" in report.reason
    with pytest.raises(CommandError, match="Audit chain broken in"):
        call_command("verify_audit")


def test_an_anchor_file_lists_json_lines(db: None, anchors: Path) -> None:
    record_some(1)
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (line,) = anchors.read_text().splitlines()
    assert json.loads(line).keys() == {"seq", "hash", "at"}
