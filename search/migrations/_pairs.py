"""Writing every entry's phrase index (`pair_vector`, see `search.backends.postgresql`) from the
normalised text it holds (migrations 0004 and 0006); a module the migration loader skips."""

from itertools import pairwise
from typing import Any

BATCH = 2000
# The keys of `search.backends.postgresql` when migration 0006 wrote them, frozen here: a
# migration must write what it wrote when it was made, whatever the live code does later.
FIRST_KEY, SECOND_KEY = 3, 4


def entry_pairs(title_norm: str, body_norm: str) -> str:
    """An entry's `pair_vector` as tsvector text (a copy of the backend's `entry_pairs`)."""
    words = f"{title_norm} {body_norm}".split()
    return " ".join(
        {f"'{first[:FIRST_KEY]}|{second[:SECOND_KEY]}'" for first, second in pairwise(words)}
    )


def write_pair_vectors(connection: Any) -> None:
    """Every row rewritten in batches, in the calling migration's one transaction, with the
    table locked meanwhile (about 6 minutes per million entries on 2 cores), so that no phrase
    search ever runs on entries whose pairs are missing or keyed otherwise."""
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
