"""The full-text index of `SearchEntry`, in each database's own engine.

PostgreSQL: a generated `tsvector` over the normalised title (weight A) and body (weight B)
with a GIN index, the group ids as a generated `integer[]` with a GIN index (visibility is part
of the same query), and a trigram index on the lexicon for near-miss suggestions.
SQLite: an external-content FTS5 table over the same columns, kept in step by triggers.
"""

from typing import Any

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_norm), 'A')
        || setweight(to_tsvector('simple', body_norm), 'B')) STORED""",
    """ALTER TABLE search_searchentry ADD COLUMN acl_ids integer[] GENERATED ALWAYS AS (
        string_to_array(acl, ' ')::integer[]) STORED""",
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (search_vector)",
    "CREATE INDEX search_entry_acl ON search_searchentry USING gin (acl_ids)",
    "CREATE INDEX search_term_trgm ON search_searchterm USING gin (word gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS acl_ids",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_norm, body_norm, acl, content='search_searchentry', content_rowid='id')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title_norm, body_norm, acl)
        VALUES (new.id, new.title_norm, new.body_norm, new.acl);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_norm, body_norm, acl)
        VALUES ('delete', old.id, old.title_norm, old.body_norm, old.acl);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_norm, body_norm, acl)
        VALUES ('delete', old.id, old.title_norm, old.body_norm, old.acl);
        INSERT INTO search_fts(rowid, title_norm, body_norm, acl)
        VALUES (new.id, new.title_norm, new.body_norm, new.acl);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
