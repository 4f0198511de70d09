"""The search tables: the database backend's index, the outbox every change writes to, the
lexicon for near-miss suggestions, and the checkpoint of a rebuild.

`SearchEntry` holds, per document or process, the original text (for snippets) and its
normalised form (`search.analysis.normalize`), which the full-text engine indexes: on
PostgreSQL a generated `tsvector` column with a GIN index, on SQLite an FTS5 table kept in step
by triggers (see migration 0002). `acl` lists the ids of the groups that may see the object, so
visibility is a condition of the full-text query itself.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ObjectType(models.TextChoices):
    DOCUMENT = "document", _("document")
    PROCESS = "process", _("process")


class SearchEntry(models.Model):
    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField(blank=True)  # as written: the snippets quote it
    title_norm = models.TextField(blank=True)
    body_norm = models.TextField(blank=True)
    institution = models.CharField(max_length=32)  # code
    kind = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, blank=True)
    process_type = models.CharField(max_length=64, blank=True)
    date = models.DateField()
    year = models.PositiveSmallIntegerField()
    # Space-separated ids of the groups holding the view permission on the object.
    acl = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="search_entry_once")
        ]
        indexes = [models.Index(fields=["date"], name="search_entry_date")]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class SearchOutbox(models.Model):
    """An object to (re)index, written in the transaction that changed it; drained in bulk by
    `search.tasks.drain_search_outbox`. A row stays until its object reached the index."""

    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class SearchTerm(models.Model):
    """Every indexed word once: what a near-miss query is compared with (pg_trgm)."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.word


class RebuildCheckpoint(models.Model):
    """Where `rebuild_search_index` got to, so an interrupted rebuild resumes."""

    backend = models.CharField(max_length=32, unique=True)
    target = models.CharField(max_length=200, blank=True)  # the new index (Elasticsearch)
    started_at = models.DateTimeField(default=timezone.now)
    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    last_id = models.BigIntegerField(default=0)
    done = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.backend}: {self.object_type} > {self.last_id}"
