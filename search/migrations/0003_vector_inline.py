"""PostgreSQL: keep each entry's `tsvector` in the row itself.

An entry of a few hundred words is over the 2 kB at which PostgreSQL starts moving values out of
the row, and the vector (which barely compresses) was the one moved out: every match then cost
the heap page and two or three TOAST pages when the vector was read for the recheck and for
`ts_rank`. With storage MAIN the texts (title, body and their normalised forms, which compress
well) are compressed or moved out first, and the vector stays in the heap row unless the row
cannot fit even then. Rows written before this migration keep their layout until rewritten
(`rebuild_search_index`, or `VACUUM FULL search_searchentry`).
"""

from django.db import migrations

from ._storage import column_storage


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [
        migrations.RunPython(
            column_storage("search_vector", "MAIN"), column_storage("search_vector", "EXTENDED")
        )
    ]
