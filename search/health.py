"""The search engine's part of /healthz (registered in SearchConfig.ready): whether the backend
answers now."""

from config.health import OK

from .backends import get_backend


def check_search() -> str:
    try:
        get_backend().ping()
    except Exception:
        return "unreachable"
    return OK
