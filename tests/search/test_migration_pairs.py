"""The phrase index the migrations wrote (their own frozen copy of `entry_pairs`) is the one the
search looks up: if the live keys change, a new migration must rewrite the pairs."""

from search.backends.postgresql import entry_pairs
from search.migrations import _pairs


def test_the_migrations_pairs_are_the_live_ones() -> None:
    title, body = "vendimi per buxhetin", "komuna e kllokotit miraton planin"
    assert _pairs.entry_pairs(title, body) == entry_pairs(title, body)
