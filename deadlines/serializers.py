"""A clock as the API shows it: /api/deadlines/ lists them, and a process's API body shows its
own clocks the same way (workflows.api)."""

from rest_framework import serializers

from .models import Deadline
from .selectors import STATES


class DeadlineSerializer(serializers.Serializer):
    """A clock; `state` is its state now (the sweep only sends what follows from it)."""

    id = serializers.IntegerField(source="pk")
    process_id = serializers.IntegerField()
    process_type = serializers.CharField()
    task_id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(source="rule.code", help_text="The deadline rule's code.")
    rule_name = serializers.SerializerMethodField(help_text="In the request's language.")
    legal_basis = serializers.SerializerMethodField(help_text="In the request's language.")
    basis = serializers.CharField(help_text='What started the clock, e.g. "adopted on 2026-11-20".')
    institution = serializers.CharField(
        source="institution.code", help_text="The institution that answers for it."
    )
    role = serializers.CharField(help_text="The role there that answers for it.")
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="The last instant of the due day, local time.")
    paused_at = serializers.DateTimeField(allow_null=True)
    paused_seconds = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=STATES, source="state_now")

    def get_rule_name(self, deadline: Deadline) -> str:
        return deadline.rule.name_in()

    def get_legal_basis(self, deadline: Deadline) -> str:
        return deadline.rule.legal_basis_in()
