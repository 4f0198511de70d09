"""The processes the engine runs, by the name the API gives them (`Process.type`).

A process app registers its flows in its `AppConfig.ready()` with `register_flow`; the engine's
own four are registered by `workflows`. Everything that lists, names or recognises a process type
asks this registry (at request time, never in a module-level constant, because apps above
`workflows` register after it is imported).
"""

from typing import Any

FLOWS: dict[str, Any] = {}


def register_flow(process_type: str, flow_class: Any) -> None:
    """Installs a flow under its API name; registering the same flow again changes nothing."""
    registered = FLOWS.get(process_type)
    if registered is not None and registered is not flow_class:
        raise ValueError(f"Process type {process_type!r} is already {registered!r}.")
    FLOWS[process_type] = flow_class


def process_types() -> list[str]:
    return sorted(FLOWS)


def process_type_spellings() -> list[str]:
    """What a query parameter accepts for a process type: as the API names it, or as URLs
    spell it (`assembly-decision`)."""
    return sorted({*FLOWS, *(name.replace("_", "-") for name in FLOWS)})


def process_type_of(flow_class: Any) -> str | None:
    """The API name of a flow class (as viewflow stores it on a process row), or None."""
    for name, candidate in FLOWS.items():
        if candidate is flow_class:
            return name
    return None


def process_type_name(process_type: str) -> Any:
    """The type's name for people, in the active language; an unknown type shows its code."""
    return getattr(FLOWS.get(process_type), "process_title", process_type)
