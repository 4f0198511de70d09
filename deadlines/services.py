"""Writes about deadlines live by what drives them: `clock.py` (a process's events start,
pause, resume and meet its clocks) and `sweep.py` (reminders, overdue alerts, escalations).

`sweep` stays importable from here for the benchmarks' deadline scenario."""

from .sweep import sweep

__all__ = ["sweep"]
