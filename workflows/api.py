"""Processes and tasks over HTTP (API.md, "Processes and tasks")."""

from collections import defaultdict
from functools import partial
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.selectors import (
    deadlines_for_processes,
    tasks_overdue,
    tasks_with_deadline,
    tasks_with_late_start,
)
from deadlines.serializers import DeadlineSerializer
from documents.access import documents_readable_ids
from roles.models import Institution, User

from . import history, services
from .flows import FLOWS, process_type_of
from .models import PROCESS_STATUS, PROCESS_STATUS_STORED, CoordinationProcess
from .nodes import HumanTask
from .selectors import (
    OPEN,
    access_process_by_id,
    access_task_by_id,
    flow_ref,
    inbox_keys,
    inbox_tasks,
    process_tasks,
    process_tasks_of,
    processes_visible,
    task_overdue,
    tasks_with_context,
)


def _on_behalf_of(request: Request) -> User | None:
    return getattr(request, "on_behalf_of", None)


def _clocks(context: dict[str, Any], process_id: int) -> list[Any]:
    """The clocks of a process that the caller sees: the page's (read for all its processes
    at once, `deadlines_by_process`), else read once per answer and kept in the context, so
    a process's body, its tasks and their warnings share one read."""
    by_process = context.get("deadlines_by_process")
    if by_process is not None:
        return list(by_process.get(process_id, []))
    read = context.setdefault("clocks_read", {})
    if process_id not in read:
        request = context.get("request")
        read[process_id] = deadlines_for_processes(
            [process_id], user=getattr(request, "user", None)
        ).get(process_id, [])
    return list(read[process_id])


WARNINGS = serializers.ListField(child=serializers.CharField())


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    process_id = serializers.IntegerField()
    process_type = serializers.SerializerMethodField()
    process_title = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(
        help_text="new, assigned, started, done, canceled or error"
    )
    assignee = serializers.SerializerMethodField()
    institution = serializers.SerializerMethodField(
        help_text="Code of the institution whose role the task is open to."
    )
    role = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="created")
    due_at = serializers.DateTimeField(
        source="deadline_due_at",
        default=None,
        allow_null=True,
        help_text="The earliest running deadline (none while no deadline runs).",
    )
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="What `complete` accepts now.")
    completed_at = serializers.DateTimeField(source="finished", allow_null=True)
    completed_by = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    comment = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField(
        help_text="Why the step sent the item back (a return, a reconsideration)."
    )
    outcome = serializers.SerializerMethodField(help_text="What the step decided, if anything.")
    warnings = serializers.SerializerMethodField(
        help_text="What the task's process warns of, as the process's `warnings` (material "
        "submitted later than the lead time before its meeting): shown where the task is acted on."
    )

    def get_process_type(self, task: Task) -> str | None:
        return process_type_of(task.process.flow_class)

    def get_process_title(self, task: Task) -> str:
        return cast(CoordinationProcess, task.process.coordinationprocess).title  # type: ignore[attr-defined]

    def get_name(self, task: Task) -> str | None:
        return task.flow_task.name if task.flow_task else None

    def get_title(self, task: Task) -> str:
        return str(task.title or "")

    def get_status(self, task: Task) -> str:
        return str(task.status).lower()

    def get_assignee(self, task: Task) -> str | None:
        return task.owner.get_username() if task.owner_id else None

    def get_institution(self, task: Task) -> str | None:
        return task.data.get("institution")

    def get_role(self, task: Task) -> str | None:
        return task.data.get("role")

    def get_overdue(self, task: Task) -> bool:
        return task_overdue(task)

    def get_actions(self, task: Task) -> list[str]:
        node = task.flow_task
        if isinstance(node, HumanTask) and task.status in OPEN:
            return list(node.actions)
        return []

    def get_completed_by(self, task: Task) -> str | None:
        # Start tasks are done by viewflow, not `task_complete`: their owner started the process.
        done_by_owner = str(task.status) == STATUS.DONE and task.owner_id
        return task.data.get("completed_by") or (
            task.owner.get_username() if done_by_owner else None
        )

    def get_on_behalf_of(self, task: Task) -> str | None:
        return task.data.get("on_behalf_of")

    def get_action(self, task: Task) -> str | None:
        return task.data.get("action")

    def get_comment(self, task: Task) -> str | None:
        return task.data.get("comment")

    def get_reason(self, task: Task) -> str | None:
        return task.data.get("reason")

    def get_outcome(self, task: Task) -> str | None:
        return task.data.get("outcome")

    @extend_schema_field(WARNINGS)
    def get_warnings(self, task: Task) -> list[str]:
        return history.warnings(_clocks(cast(dict[str, Any], self.context), task.process_id))


class ProcessSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    type = serializers.SerializerMethodField()
    title = serializers.CharField()
    status = serializers.SerializerMethodField(help_text="active, done or canceled")
    institution = serializers.CharField(source="institution.code")
    created_at = serializers.DateTimeField(source="created")
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    finished_at = serializers.DateTimeField(source="finished", allow_null=True)
    documents = serializers.SerializerMethodField()
    data = serializers.JSONField()  # type: ignore[assignment]  # the field, not .data
    tasks = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text="What the record warns of: a step that began after its due time (material "
        "submitted later than the lead time before its meeting, a decision registered late)."
    )

    def get_type(self, process: CoordinationProcess) -> str | None:
        return process_type_of(process.flow_class)

    def get_status(self, process: CoordinationProcess) -> str:
        return PROCESS_STATUS.get(process.status, str(process.status).lower())

    def get_documents(self, process: CoordinationProcess) -> list[int]:
        """The attached documents the caller may read; the others are not even named."""
        attached = sorted(document.pk for document in process.documents.all())
        readable = self.context.get("readable_documents")
        if readable is None:
            request = self.context.get("request")
            if request is None:
                return []
            readable = documents_readable_ids(user=request.user, ids=attached)
        return [pk for pk in attached if pk in readable]

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, process: CoordinationProcess) -> list[dict[str, Any]]:
        by_process = self.context.get("tasks_by_process")
        tasks = (
            by_process.get(process.pk, [])
            if by_process is not None
            else list(
                tasks_with_deadline(
                    process_tasks(
                        process=process,
                        user=getattr(self.context.get("request"), "user", None),
                    )
                )
            )
        )
        # The same context: the tasks' warnings reuse the clocks the body reads.
        return TaskSerializer(tasks, many=True, context=self.context).data  # type: ignore[return-value]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, process: CoordinationProcess) -> list[dict[str, Any]]:
        clocks = _clocks(cast(dict[str, Any], self.context), process.pk)
        return DeadlineSerializer(clocks, many=True).data  # type: ignore[return-value]

    @extend_schema_field(WARNINGS)
    def get_warnings(self, process: CoordinationProcess) -> list[str]:
        return history.warnings(_clocks(cast(dict[str, Any], self.context), process.pk))

    def to_representation(self, instance: Any) -> Any:
        body = super().to_representation(instance)
        # A flow whose process many institutions share shows each caller its own part only
        # (`process_body_shown(process, body, *, user)`, e.g. the coordination request's).
        flow = getattr(instance.flow_class, "instance", None)
        shown = getattr(flow, "process_body_shown", None)
        if shown is not None:
            request = self.context.get("request")
            body = shown(instance, body, user=getattr(request, "user", None))
        return body


def _process_body(
    process: CoordinationProcess, request: Request, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    process = (
        CoordinationProcess.objects.select_related("institution", "created_by")
        .prefetch_related("documents")
        .get(pk=process.pk)
    )
    context = {"request": request} if context is None else context
    return ProcessSerializer(process, context=context).data  # type: ignore[return-value]


def _task_body(task: Task, context: dict[str, Any]) -> dict[str, Any]:
    return TaskSerializer(
        tasks_with_deadline(tasks_with_context(Task.objects.filter(pk=task.pk))).get(),
        context=context,
    ).data  # type: ignore[return-value]


def _flow_class_asked(request: Request) -> str | None:
    """The stored flow reference `?type=` names, None without one; an unknown type is a 400."""
    process_type = request.query_params.get("type")
    if not process_type:
        return None
    try:
        return flow_ref(process_type)
    except KeyError as error:
        raise exceptions.ValidationError(
            {"type": [f"Choose one of: {', '.join(FLOWS)}."]}
        ) from error


def _type_filtered(queryset: QuerySet[Any], request: Request, field: str) -> QuerySet[Any]:
    flow_class = _flow_class_asked(request)
    return queryset if flow_class is None else queryset.filter(**{field: flow_class})


class ProcessList(generics.ListAPIView):
    """Processes the caller may see, newest first; `?type=` and `?status=` filter."""

    serializer_class = ProcessSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=list(FLOWS)),
            OpenApiParameter("status", str, enum=list(PROCESS_STATUS_STORED)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CoordinationProcess]:
        queryset = processes_visible(user=self.request.user).prefetch_related("documents")
        queryset = _type_filtered(queryset, self.request, "flow_class")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in PROCESS_STATUS_STORED:
                raise exceptions.ValidationError(
                    {"status": [f"Choose one of: {', '.join(PROCESS_STATUS_STORED)}."]}
                )
            queryset = queryset.filter(status=PROCESS_STATUS_STORED[wanted])
        return queryset.order_by("-created", "-pk")

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # The tasks of the whole page in one query, not one per process.
        if args and isinstance(args[0], list):
            grouped: dict[int, list[Task]] = defaultdict(list)
            tasks = tasks_with_deadline(
                process_tasks_of([process.pk for process in args[0]], user=self.request.user)
            ).order_by("created", "pk")
            for task in tasks:
                grouped[task.process_id].append(task)
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["tasks_by_process"] = grouped
            context["deadlines_by_process"] = deadlines_for_processes(
                [process.pk for process in args[0]], user=self.request.user
            )
            # Which of the page's documents the caller may read, in one query.
            context["readable_documents"] = documents_readable_ids(
                user=self.request.user,
                ids=(document.pk for process in args[0] for document in process.documents.all()),
            )
        return super().get_serializer(*args, **kwargs)


class ProcessDetail(generics.GenericAPIView):
    serializer_class = ProcessSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(_process_body(access_process_by_id(pk, request.user), request))


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why the process is withdrawn.")


class ProcessCancel(generics.GenericAPIView):
    """Withdraw a process that is not done, with its reason: the head of the institution that
    started it (403 for others who see it); its open steps close, its clocks stop, everyone
    who had a task is told. Done or withdrawn already: 409."""

    serializer_class = ProcessSerializer

    @extend_schema(request=CancelSerializer, responses=ProcessSerializer)
    def post(self, request: Request, pk: int) -> Response:
        process = access_process_by_id(pk, request.user)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        process = services.process_cancel(
            actor=cast(User, request.user),
            process_id=process.pk,
            reason=form.validated_data["reason"],
            on_behalf_of=_on_behalf_of(request),
        )
        return Response(_process_body(process, request))


DOCUMENT_IDS = serializers.ListField(
    child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
    required=False,
    default=list,
    max_length=200,
)
INSTITUTION = serializers.CharField(
    max_length=32, required=False, help_text="Code; default the caller's own institution."
)


BILINGUAL_DOCUMENT_IDS = serializers.ListField(
    child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
    required=False,
    default=list,
    max_length=200,
    help_text="Of `documents`, those holding both the Albanian and the Serbian text (a decision "
    "is signed off and sent, and material published, only in both official languages).",
)


def bilingual_validated(attrs: dict[str, Any]) -> dict[str, Any]:
    """Documents marked bilingual are among those attached (a 400 on `documents` else)."""
    stray = sorted(set(attrs.get("bilingual_documents") or []) - set(attrs.get("documents") or []))
    if stray:
        raise exceptions.ValidationError(
            {
                "documents": [
                    gettext("Marked bilingual but not attached: %s.") % ", ".join(map(str, stray))
                ]
            }
        )
    return attrs


class AssemblyDecisionStartSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    adopted_on = serializers.DateField(help_text="The decision date; not in the future.")
    issuing_body = serializers.ChoiceField(
        choices=["municipal_assembly", "mayor"],
        default="municipal_assembly",
        help_text="Who took the decision: the assembly's chair or the mayor signs it off.",
    )
    documents = DOCUMENT_IDS
    bilingual_documents = BILINGUAL_DOCUMENT_IDS
    institution = INSTITUTION

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return bilingual_validated(attrs)


class PressStatementStartSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    text_sq = serializers.CharField(max_length=100_000, help_text="Albanian text (required).")
    text_sr = serializers.CharField(max_length=100_000, help_text="Serbian text (required).")
    text_en = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    embargo_until = serializers.DateTimeField(required=False, allow_null=True)
    government_level = serializers.BooleanField(
        required=False, default=False, help_text="Ministries only: also cleared by ZKP."
    )
    documents = DOCUMENT_IDS
    institution = INSTITUTION


# Shown in the schema only: the flow checks the plan (`meeting_material.plan_checked`), so that
# the API and the page refuse alike.
class CommunicationPlanSerializer(serializers.Serializer):
    """A communication plan: every part present and not empty; the languages include
    both official ones (sq, sr)."""

    key_messages = serializers.JSONField(help_text="Text or list of texts.")
    audiences = serializers.JSONField(help_text="Text or list of texts.")
    channels = serializers.JSONField(help_text="Text or list of texts.")
    spokesperson = serializers.JSONField(help_text="Text.")
    timing = serializers.JSONField(help_text="Text.")
    languages = serializers.JSONField(help_text="Language codes; must include sq and sr.")


@extend_schema_field(CommunicationPlanSerializer)
class CommunicationPlanField(serializers.DictField):
    """An object passed on whole to the flow, shown in the schema with its parts."""


class MeetingMaterialStartSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    meeting_date = serializers.DateField(help_text="Not in the past.")
    documents = DOCUMENT_IDS
    bilingual_documents = BILINGUAL_DOCUMENT_IDS
    communication_plan = CommunicationPlanField(
        help_text="key_messages, audiences, channels, spokesperson, timing, languages: all "
        "required."
    )
    institution = INSTITUTION

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return bilingual_validated(attrs)


def start_form_read(
    view: generics.GenericAPIView, request: Request
) -> tuple[dict[str, Any], list[int], Institution | None]:
    """A start form's fields as its serializer checked them, apart from the two every start
    takes: the documents' ids and the institution named by its code (or None: the caller's
    own); an unknown code is a 400 on `institution`."""
    form = view.get_serializer(data=request.data)
    form.is_valid(raise_exception=True)
    fields = dict(form.validated_data)
    document_ids = fields.pop("documents", [])
    code = fields.pop("institution", None)
    institution = None
    if code:
        institution = Institution.objects.filter(code=code.upper()).first()
        if institution is None:
            raise exceptions.ValidationError({"institution": [gettext("No such institution.")]})
    return fields, document_ids, institution


class _ProcessStart(generics.GenericAPIView):
    """Start a process; the flow checks the fields (400), the caller's role (403)."""

    flow_class: Any = None

    def post(self, request: Request) -> Response:
        fields, document_ids, institution = start_form_read(self, request)
        process = services.process_start(
            flow_class=self.flow_class,
            actor=cast(User, request.user),
            on_behalf_of=_on_behalf_of(request),
            institution=institution,
            fields=fields,
            document_ids=document_ids,
        )
        return Response(_process_body(process, request), status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(request=AssemblyDecisionStartSerializer, responses={201: ProcessSerializer})
)
class AssemblyDecisionStart(_ProcessStart):
    """The assembly office registers a decision; the chair's sign-off task opens."""

    serializer_class = AssemblyDecisionStartSerializer
    flow_class = FLOWS["assembly_decision"]


@extend_schema_view(
    post=extend_schema(request=PressStatementStartSerializer, responses={201: ProcessSerializer})
)
class PressStatementStart(_ProcessStart):
    """The information (or ministry communications) officer drafts a statement in both
    official languages; the mayor's or minister's approval task opens."""

    serializer_class = PressStatementStartSerializer
    flow_class = FLOWS["press_statement"]


@extend_schema_view(
    post=extend_schema(request=MeetingMaterialStartSerializer, responses={201: ProcessSerializer})
)
class MeetingMaterialStart(_ProcessStart):
    """A ministry's communications officer submits material with its communication plan;
    the minister's approval task opens."""

    serializer_class = MeetingMaterialStartSerializer
    flow_class = FLOWS["meeting_material"]


class Inbox(generics.ListAPIView):
    """Tasks the caller can act on now, oldest first; `?type=`, `?overdue=true`."""

    serializer_class = TaskSerializer
    queryset = Task.objects.none()  # for the schema; `list` reads the inbox itself
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=list(FLOWS)),
            OpenApiParameter("overdue", bool),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The page's keys first (count and slice over two narrow index paths), then the
        # page's tasks with everything shown beside them: the cost of a page does not grow
        # with its depth or with the rest of the table.
        flow_class = _flow_class_asked(request)
        overdue = request.query_params.get("overdue")
        if overdue not in (None, "true", "false"):
            raise exceptions.ValidationError({"overdue": [gettext("Give true or false.")]})
        keys = inbox_keys(
            user=request.user,
            flow_class=flow_class,
            narrow=None if overdue is None else partial(tasks_overdue, overdue=overdue == "true"),
        )
        page = self.paginate_queryset(keys)
        assert page is not None  # the API always paginates
        tasks = list(tasks_with_late_start(tasks_with_deadline(inbox_tasks(page))))
        # The tasks' warnings: the clocks of the page's processes that have any, in one query
        # (none at all when no process of the page began a step late).
        late = {task.process_id for task in tasks if task.process_started_late}
        context = {
            **self.get_serializer_context(),
            "deadlines_by_process": (
                deadlines_for_processes(late, user=request.user) if late else {}
            ),
        }
        serializer = self.get_serializer(tasks, many=True, context=context)
        return self.get_paginated_response(serializer.data)


class CompleteSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=64)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]


class TaskResultSerializer(serializers.Serializer):
    task = TaskSerializer()
    process = ProcessSerializer()


class _TaskAction(generics.GenericAPIView):
    serializer_class = TaskResultSerializer

    def _answer(self, request: Request, task: Task) -> Response:
        process = access_process_by_id(task.process_id, request.user)
        # One context: the task and its process read the process's clocks once.
        context: dict[str, Any] = {"request": request}
        return Response(
            {
                "task": _task_body(task, context),
                "process": _process_body(process, request, context),
            }
        )


class TaskClaim(_TaskAction):
    @extend_schema(request=None, responses=TaskResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = access_task_by_id(pk, request.user)
        task = services.task_claim(
            actor=cast(User, request.user), task_id=task.pk, on_behalf_of=_on_behalf_of(request)
        )
        return self._answer(request, task)


class TaskUnclaim(_TaskAction):
    @extend_schema(request=None, responses=TaskResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = access_task_by_id(pk, request.user)
        task = services.task_unclaim(
            actor=cast(User, request.user), task_id=task.pk, on_behalf_of=_on_behalf_of(request)
        )
        return self._answer(request, task)


class TaskComplete(_TaskAction):
    @extend_schema(request=CompleteSerializer, responses=TaskResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = access_task_by_id(pk, request.user)
        form = CompleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        task = services.task_complete(
            actor=cast(User, request.user),
            task_id=task.pk,
            on_behalf_of=_on_behalf_of(request),
            **form.validated_data,
        )
        return self._answer(request, task)
