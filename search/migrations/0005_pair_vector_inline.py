"""PostgreSQL: keep each entry's phrase index (`pair_vector`) in the row itself, as 0003 does
for `search_vector`.

Left to the default storage, the pairs (which barely compress) were moved out of the row: a
phrase search that checks its pairs on many rows read two or three TOAST pages per row (at 1M
entries, 3.8 million buffers for one phrase of common words). With storage MAIN the texts are
moved out first. Rows written before this migration keep their layout until rewritten
(`rebuild_search_index`, or `VACUUM FULL search_searchentry`).
"""

from django.db import migrations

from ._storage import column_storage


class Migration(migrations.Migration):
    dependencies = [("search", "0004_pair_vector")]

    operations = [
        migrations.RunPython(
            column_storage("pair_vector", "MAIN"), column_storage("pair_vector", "EXTENDED")
        )
    ]
