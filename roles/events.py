"""What roles announce. `roles.permissions` is the only module that grants or revokes object
permissions, and it sends these, once per change, inside the change's own transaction. Who
follows them (the search index, which lists each entry's viewers) subscribes in its own app's
`receivers.py`; this module names nobody."""

from django.dispatch import Signal

# Who may see some objects changed (a `view_…` permission granted or revoked): `objects`, the
# model instances (all of one model) whose viewers changed.
view_permission_changed = Signal()
