"""What documents announce. Sent once per write, inside its own transaction, by
`documents/services.py` (a document registered, a version added, a registration annulled) and
`documents/tasks.py` (a version's text extracted). Who follows documents (the search index)
subscribes in its own app's `receivers.py`; this module names nobody."""

from django.dispatch import Signal

# A document's searchable content changed: `documents`, the Document instances.
document_changed = Signal()
