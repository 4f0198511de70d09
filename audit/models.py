from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One link of the append-only chain: its hash (an HMAC under AUDIT_HMAC_KEY) covers its
    content and the previous hash.

    The database refuses UPDATE and DELETE of these rows, see migrations 0002 and 0003.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    actor = models.CharField(_("actor"), max_length=150)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["seq"]
        # The action's index and the hashes' uniqueness declared here, not on the fields: on
        # PostgreSQL Django gives an indexed CharField a second, pattern-ops index for LIKE,
        # which nobody asks of a hash or an action; at a million rows each cost every audited
        # action a write to one more large index.
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"]),
            models.Index(fields=["action"], name="audit_entry_action"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_prev_hash_once"),
            models.UniqueConstraint(fields=["hash"], name="audit_entry_hash_once"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The chain's last link. Writers lock this row, so concurrent writers queue instead of
    forking the chain, and `verify` can tell when entries were cut off the end. The database
    lets it move forward only, to an entry of the chain, and never be deleted (migration 0003)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head at #{self.seq}"
