import pytest


@pytest.fixture(autouse=True)
def _chain_from_its_start(request: pytest.FixtureRequest) -> None:
    """These tests read the chain from its first entry (tests/conftest.py: `audit_chain_empty`)."""
    if {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("audit_chain_empty")
