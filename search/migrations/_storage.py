"""How PostgreSQL stores a column of the index table (migrations 0003 and 0005); a module the
migration loader skips (its name starts with an underscore)."""

from collections.abc import Callable
from typing import Any


def column_storage(column: str, value: str) -> Callable[[Any, Any], None]:
    """A RunPython step setting the column's storage (MAIN, EXTENDED); nothing on SQLite."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE search_searchentry ALTER COLUMN {column} SET STORAGE {value}"
            )

    return run
