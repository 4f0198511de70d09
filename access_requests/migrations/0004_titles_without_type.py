"""Access requests registered before: their titles, written with the process type in the
language of the submission ("Access request: …"), become what is asked for, as new ones are
(`services.access_request_register`)."""

from typing import Any

from django.db import migrations

TITLE_LENGTH = 120


def titles_without_type(apps: Any, schema_editor: Any) -> None:
    Process = apps.get_model("workflows", "CoordinationProcess")
    AccessRequest = apps.get_model("access_requests", "AccessRequest")
    changed = []
    ids = AccessRequest.objects.values("process_id")
    for process in Process.objects.filter(pk__in=ids).iterator():
        what = " ".join(str((process.data or {}).get("description") or "").split())
        if not what:
            continue
        title = what if len(what) <= TITLE_LENGTH else what[: TITLE_LENGTH - 1] + "…"
        if title != process.title:
            process.title = title
            changed.append(process)
    Process.objects.bulk_update(changed, ["title"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("access_requests", "0003_accessrequest_language"),
        ("workflows", "0001_initial"),
    ]

    operations = [migrations.RunPython(titles_without_type, migrations.RunPython.noop)]
