from typing import Any

from django import template

from ..selectors import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """How many of the signed-in person's notifications are unread (for the menu)."""
    return notifications_unread_count(user=context["request"].user)
