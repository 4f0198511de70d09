"""Backups that restore: a backup taken while the app holds documents, audit entries, anchors and
a search index is restored into a fresh database and storage by another process; there the
audit chain verifies against the restored anchors, every document's content matches its SHA-256,
and a rebuilt index answers the same searches."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

TERMS = ["buxhet", "vendim", "kllokot", "njoftim"]

# Run in the restored installation: the checks a restore must pass, as JSON.
AFTER_RESTORE = """
import hashlib, json
from django.core.files.storage import storages
from documents.models import DocumentVersion
from roles.models import User
from search.backends.base import Filters
from search.selectors import search
storage = storages["default"]
versions = {}
for version in DocumentVersion.objects.order_by("pk"):
    with storage.open(version.file.name, "rb") as stored:
        versions[version.pk] = hashlib.sha256(stored.read()).hexdigest() == version.sha256
auditor = User.objects.get(username="auditor")
found = {}
for term in TERMS:
    count, results, _ = search(user=auditor, q=term, filters=Filters(), snippets=False)
    found[term] = [count, sorted([r.object_type, r.id, r.title] for r in results)]
print("RESULT" + json.dumps({"versions": versions, "found": found}))
"""


def searches() -> dict[str, Any]:
    from roles.models import User
    from search.backends.base import Filters
    from search.selectors import search

    auditor = User.objects.get(username="auditor")
    found = {}
    for term in TERMS:
        count, results, _ = search(user=auditor, q=term, filters=Filters(), snippets=False)
        found[term] = [count, sorted([r.object_type, r.id, r.title] for r in results)]
    return found


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A database URL of a new, empty database on the run's own server."""
    if connection.vendor == "sqlite":
        path = Path(settings.VAR_DIR) / f"restore-{uuid.uuid4().hex}.sqlite3"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    database = settings.DATABASES["default"]
    name = f"restore_{uuid.uuid4().hex[:12]}"
    credentials = f"{database['USER']}:{database['PASSWORD']}@" if database["PASSWORD"] else ""
    server = f"postgres://{credentials}{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    with psycopg.connect(f"{server}/{database['NAME']}", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/{database['NAME']}", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stored_names(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def manage(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_backup_restores_into_a_fresh_database_and_storage(  # type: ignore[no-untyped-def]
    api_as, tmp_path: Path, fresh_database: str
) -> None:
    official = api_as("kllokot.assembly")
    for title, name, content in [
        ("Vendim për buxhetin komunal", "vendimi.txt", "Kuvendi miraton buxhetin e vitit."),
        ("Njoftim për shtyp nga Kllokoti", "njoftim.txt", "Kryetari njofton qytetarët."),
        ("Vendim për rrugët", "rruget.txt", "Vendim i Kuvendit për rrugët lokale."),
    ]:
        response = official.post(
            "/api/documents/",
            {
                "title": title,
                "kind": "decision",
                "file": SimpleUploadedFile(name, content.encode()),
            },
            format="multipart",
        )
        assert response.status_code == 201, response.content
    anchors = tmp_path / "anchors.log"
    backup = tmp_path / "backup"
    with override_settings(AUDIT_ANCHOR_PATH=str(anchors)):
        call_command("verify_audit", stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert anchors.read_text().strip()
        call_command("rebuild_search_index", "--writers", "1", stdout=open(os.devnull, "w"))  # noqa: SIM115
        before = searches()
        assert before["buxhet"][0] == 1 and before["vendim"][0] == 2
        call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115

    stored = stored_names(Path(settings.MEDIA_ROOT))
    assert len(stored) >= 3  # the three uploads, and whatever else the app stored
    manifest = json.loads((backup / "manifest.json").read_text())
    assert set(manifest["parts"]) == {"database", "media", "anchors"}
    assert manifest["parts"]["media"]["files"] == len(stored)
    assert all(len(part["sha256"]) == 64 for part in manifest["parts"].values())
    call_command("backup", str(backup), check=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115

    # Another installation: a fresh database, storage and anchor file, the same audit key.
    media, restored_anchors = tmp_path / "restored-media", tmp_path / "restored-anchors.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(media),
        "AUDIT_ANCHOR_PATH": str(restored_anchors),
    }
    restored = manage(environment, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert restored_anchors.read_text() == anchors.read_text()
    assert stored_names(media) == stored

    verified = manage(environment, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Audit chain intact" in verified.stdout
    rebuilt = manage(environment, "rebuild_search_index", "--restart", "--writers", "1")
    assert rebuilt.returncode == 0, rebuilt.stderr
    checked = manage(environment, "shell", "-c", f"TERMS = {TERMS!r}\n{AFTER_RESTORE}")
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.split("RESULT", 1)[1])
    assert len(result["versions"]) >= 3 and all(result["versions"].values())
    assert result["found"] == json.loads(json.dumps(before))

    # A second restore into the now filled database is refused, and changes nothing.
    again = manage(environment, "restore", str(backup))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(  # type: ignore[no-untyped-def]
    api_as, tmp_path: Path, fresh_database: str
) -> None:
    api_as("kllokot.assembly")
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    with open(backup / "media.tar", "ab") as media:
        media.write(b"\0" * 512)
    with pytest.raises(CommandError, match=r"media part .* does not match its SHA-256"):
        call_command("backup", str(backup), check=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "AUDIT_ANCHOR_PATH": str(tmp_path / "anchors.log"),
    }
    refused = manage(environment, "restore", str(backup))
    assert refused.returncode == 1 and "Nothing was restored" in refused.stderr
    tables = "from django.db import connection as c; print(len(c.introspection.table_names()))"
    shown = manage(environment, "shell", "-c", tables)
    assert shown.stdout.strip().splitlines()[-1] == "0"  # nothing was written


def test_a_backup_of_an_installation_that_stored_no_file_yet(tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=str(tmp_path / "never-created")):
        call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["parts"]["media"]["files"] == 0
    assert "anchors" not in manifest["parts"]  # the test settings anchor nowhere
