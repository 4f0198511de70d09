"""PostgreSQL: keep each entry's phrase index (`pair_vector`) in the row itself, as 0003 does
for `search_vector`.

Left to the default storage, the pairs (which barely compress) were moved out of the row: a
phrase search that checks its pairs on many rows read two or three TOAST pages per row (at 1M
entries, 3.8 million buffers for one phrase of common words). With storage MAIN the texts are
moved out first. Rows written before this migration keep their layout until rewritten
(`rebuild_search_index`, or `VACUUM FULL search_searchentry`).
"""

from typing import Any

from django.db import migrations


def _storage(value: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE search_searchentry ALTER COLUMN pair_vector SET STORAGE {value}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_pair_vector")]

    operations = [migrations.RunPython(_storage("MAIN"), _storage("EXTENDED"))]
