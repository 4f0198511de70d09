"""Writing every entry's phrase index (`pair_vector`, see `search.backends.postgresql`) from the
normalised text it holds (migrations 0004 and 0006); a module the migration loader skips."""

from typing import Any

BATCH = 2000


def write_pair_vectors(connection: Any) -> None:
    """Every row rewritten in batches, in the calling migration's one transaction, with the
    table locked meanwhile (about 6 minutes per million entries on 2 cores), so that no phrase
    search ever runs on entries whose pairs are missing or keyed otherwise."""
    from search.backends.postgresql import entry_pairs

    with connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT id, title_norm, body_norm FROM search_searchentry WHERE id > %s "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "UPDATE search_searchentry SET pair_vector = %s::tsvector WHERE id = %s",
                [(entry_pairs(title, body), pk) for pk, title, body in rows],
            )
            last = rows[-1][0]
