"""Processes in /admin/: viewflow's own pages, which also announce an edit
(`events.process_changed`), so that what follows a process (the search index) sees it."""

from typing import Any

from django.contrib import admin
from viewflow.workflow.admin import ProcessAdmin as ViewflowProcessAdmin
from viewflow.workflow.models import Process

from .events import process_changed

admin.site.unregister(Process)


@admin.register(Process)
class ProcessAdmin(ViewflowProcessAdmin):
    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """After the process and its inline tasks are saved, in the admin's own transaction."""
        super().save_related(request, form, formsets, change)
        process_changed.send(sender=Process, process=form.instance, actor=request.user)
