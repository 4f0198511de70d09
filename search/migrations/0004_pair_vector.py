"""PostgreSQL: the phrase index, `pair_vector` (see `search.backends.postgresql.entry_pairs`), a
`tsvector` of each entry's adjacent word pairs with a GIN index. Entries already indexed get
their pairs here (`_pairs.write_pair_vectors`)."""

from typing import Any

from django.db import migrations

from ._pairs import write_pair_vectors


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE search_searchentry ADD COLUMN pair_vector tsvector NOT NULL DEFAULT ''"
    )
    write_pair_vectors(schema_editor.connection)
    schema_editor.execute(
        "CREATE INDEX search_entry_pairs ON search_searchentry USING gin (pair_vector)"
    )


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS pair_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vector_inline")]

    operations = [migrations.RunPython(forward, backward)]
