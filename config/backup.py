"""Backups that restore: the database, the stored files and the audit anchors, in one folder
with a manifest giving each part's SHA-256 (`manage.py backup`, `manage.py restore`, `make
backup`, `make restore`).

- database.dump: PostgreSQL's custom format (`pg_dump -Fc`, restored by `pg_restore` into an
  empty database), or database.sqlite3: a consistent copy by SQLite's online backup API, taken
  while the application runs;
- media.tar: every file of the documents' storage, through Django's storage API (the local
  folder or any django-storages backend), under its stored name;
- audit-anchors.log: the file the audit chain's head is anchored in (AUDIT_ANCHOR_PATH).

The audit key (AUDIT_HMAC_KEY) is never in a backup: keep it apart, as the README says.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _storage() -> Storage:
    return storages["default"]


def _stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage nothing was ever stored in
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _stored_names(storage, f"{folder}/{sub}" if folder else sub)


def _is_sqlite() -> bool:
    return bool(connection.vendor == "sqlite")


def _pg_environment() -> dict[str, str]:
    database = settings.DATABASES["default"]
    environment = {**os.environ}
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _run(command: list[str], what: str) -> None:
    if not shutil.which(command[0]):
        raise BackupError(f"{command[0]} is missing: install Debian's postgresql-client")
    # The command is ours (pg_dump/pg_restore and paths); the credentials go by environment.
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup_create(folder: Path) -> dict[str, Any]:
    """Write a backup into `folder` (created; must be empty) and return its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give each backup a folder of its own")
    parts: dict[str, Any] = {}

    if _is_sqlite():
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        parts["database"] = {"file": target.name, "engine": "sqlite"}
    else:
        target = folder / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            "pg_dump",
        )
        parts["database"] = {"file": target.name, "engine": "postgresql"}

    storage, count = _storage(), 0
    with tarfile.open(folder / "media.tar", "w") as archive:
        for name in _stored_names(storage):
            with storage.open(name, "rb") as stored:
                content = stored.read()
            member = tarfile.TarInfo(name)
            member.size = len(content)
            member.mtime = int(timezone.now().timestamp())
            archive.addfile(member, io.BytesIO(content))
            count += 1
    parts["media"] = {"file": "media.tar", "files": count}

    anchors = Path(settings.AUDIT_ANCHOR_PATH) if settings.AUDIT_ANCHOR_PATH else None
    if anchors and anchors.exists():
        shutil.copyfile(anchors, folder / "audit-anchors.log")
        lines = len(anchors.read_text().splitlines())
        parts["anchors"] = {"file": "audit-anchors.log", "anchors": lines}

    for part in parts.values():
        path = folder / part["file"]
        part["sha256"], part["size"] = sha256_of(path), path.stat().st_size
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "parts": parts}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def backup_check(folder: Path) -> dict[str, Any]:
    """The manifest, once every part's SHA-256 matches it; BackupError otherwise."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, part in manifest["parts"].items():
        path = folder / part["file"]
        if not path.exists():
            raise BackupError(f"the {name} part {path} is missing")
        if sha256_of(path) != part["sha256"]:
            raise BackupError(f"the {name} part {path} does not match its SHA-256: damaged")
    return manifest


def backup_restore(folder: Path) -> dict[str, Any]:
    """Restore into an empty database and storage (refused otherwise: a restore never mixes
    two histories). Every part is checked against the manifest before anything is written."""
    manifest = backup_check(folder)
    parts = manifest["parts"]
    engine = "sqlite" if _is_sqlite() else "postgresql"
    if parts["database"]["engine"] != engine:
        raise BackupError(
            f"the backup holds a {parts['database']['engine']} database; this is {engine}"
        )
    if connection.introspection.table_names():
        raise BackupError(
            "the database is not empty: restore into a new, empty database (and a new storage)"
        )
    storage = _storage()
    with tarfile.open(folder / parts["media"]["file"]) as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        for member in members:
            if storage.exists(member.name):
                raise BackupError(f"the storage already holds {member.name}: use an empty one")
        anchors = Path(settings.AUDIT_ANCHOR_PATH) if settings.AUDIT_ANCHOR_PATH else None
        if "anchors" in parts and anchors and anchors.exists() and anchors.stat().st_size:
            raise BackupError(f"{anchors} already holds anchors: move it away first")

        source = folder / parts["database"]["file"]
        if engine == "sqlite":
            origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                connection.ensure_connection()
                origin.backup(connection.connection)
            finally:
                origin.close()
        else:
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", "--dbname", _pg_environment()["PGDATABASE"], str(source)],
                "pg_restore",
            )  # fmt: skip
        for member in members:
            extracted = archive.extractfile(member)
            assert extracted is not None
            saved = storage.save(member.name, ContentFile(extracted.read()))
            if saved != member.name:
                raise BackupError(f"the storage renamed {member.name} to {saved}")
    if "anchors" in parts and anchors:
        anchors.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / parts["anchors"]["file"], anchors)
    return manifest
