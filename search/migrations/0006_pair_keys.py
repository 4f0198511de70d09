"""PostgreSQL: the phrase index keyed anew (a pair's first word keeps three characters, see
`search.backends.postgresql.FIRST_KEY`), so that a phrase starting with a three-letter word is
looked up by its pairs too. Every entry's pairs are rewritten from the text it holds, then the
table is analysed: the search plans from the pairs' statistics. Going back needs
`rebuild_search_index` run by the older code, which keys pairs as it expects."""

from typing import Any

from django.db import migrations

from ._pairs import write_pair_vectors


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        write_pair_vectors(schema_editor.connection)
        schema_editor.execute("ANALYZE search_searchentry")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_pair_vector_inline")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
