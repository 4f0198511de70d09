"""The domain's refusals. Services, selectors and permission helpers raise these; they know
nothing of HTTP. The API's exception handler (`config.api.exception_handler`) and, for the
pages, `config.error_pages.DomainErrorsAsPages` turn them into answers.

Django's own `ValidationError` (a field's or a model's rule, as `full_clean()` raises it) and
`PermissionDenied` (visible, but not the caller's to change) stay what they are: both are
Django's, not the web's, and both layers already answer them."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class ApplicationError(Exception):
    """A refusal in words the caller may read, with a machine code and optional details."""

    default_message: str | Promise = gettext_lazy("The action is not possible.")
    default_code = "error"

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.details = details or {}
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ApplicationError):
    """The object does not exist, or the caller may not see it: the two are one answer, so that
    a refusal never reveals that something exists."""

    default_message = gettext_lazy("Not found.")
    default_code = "not_found"


class Conflict(ApplicationError):
    """The object's current state no longer allows the action (a task already done, a
    registration already annulled)."""

    default_message = gettext_lazy(
        "The object changed meanwhile; the action is no longer possible."
    )
    default_code = "conflict"


class Invalid(ApplicationError):
    """The input breaks a rule; `details` names the fields, as {field: [message, ...]}."""

    default_message = gettext_lazy("Invalid input.")
    default_code = "invalid"
