"""The organisation as data: institutions, units, roles, people's memberships and the directory's
groups read from a YAML or CSV file (`import_organisation`), checked whole, then applied in one
transaction through the services, each change with its audit entry.

YAML (see roles/data/organisation.yaml and README.md, "Organisation data"):

    roles:            [{code, names: {sq, sr, en}}]
    unit_templates:   {name: [{code, names, parent?}]}
    institutions:     [{code, kind, names, parent?, unit_templates?: [name], units?: [...]}]
    people:           [{username, first_name?, last_name?, email?, active?,
                        memberships: [{institution, unit?, role, valid_from?, valid_until?}]}]
    directory_groups: [{group, institution, unit?, role}]

CSV: one record a row, the column `record` saying which (role, institution, unit, membership,
person, directory_group), the other columns named as the YAML keys (`name_sq`, `name_sr`,
`name_en` for the names; a unit's `institution`; a membership row carries its person's
`username` and names).

A section that is present is the whole truth for what it lists: a person's memberships not in
the file are ended (never deleted), and when `directory_groups` is present, mappings not in it
are removed. Sections that are absent change nothing. Memberships that the directory gives
(those of a mapped group's role, unit and institution) are the directory's, not the file's.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import services
from .models import DirectoryGroup, Institution, Membership, Role, Unit, User

LANGUAGES = ("sq", "sr", "en")
KINDS = {choice.value for choice in Institution.Kind}


class OrganisationFileError(Exception):
    """The file cannot be applied: each message names the file and line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Names:
    sq: str
    sr: str
    en: str

    def fields(self) -> dict[str, str]:
        return {"name_sq": self.sq, "name_sr": self.sr, "name_en": self.en}


@dataclass
class RoleRow:
    where: str
    code: str
    names: Names


@dataclass
class InstitutionRow:
    where: str
    code: str
    kind: str
    names: Names
    parent: str


@dataclass
class UnitRow:
    where: str
    institution: str
    code: str
    names: Names
    parent: str


@dataclass
class MembershipRow:
    where: str
    institution: str
    unit: str
    role: str
    valid_from: date | None
    valid_until: date | None


@dataclass
class PersonRow:
    where: str
    username: str
    first_name: str
    last_name: str
    email: str
    active: bool
    memberships: list[MembershipRow] = field(default_factory=list)


@dataclass
class GroupRow:
    where: str
    name: str
    institution: str
    unit: str
    role: str


@dataclass
class Organisation:
    roles: list[RoleRow] = field(default_factory=list)
    institutions: list[InstitutionRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    groups: list[GroupRow] | None = None  # None: the file says nothing about groups


# --- Reading ------------------------------------------------------------------------------------


class _Mapping(dict[str, Any]):
    line = 0


class _Loader(yaml.SafeLoader):
    pass


def _mapping_with_line(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    mapping.line = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
# Dates stay text until checked (`_Reader.day`), so an impossible one is an error with its line.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_scalar)  # type: ignore[type-var]


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[str] = []

    def where(self, item: Any) -> str:
        return f"{self.path}:{getattr(item, 'line', 0) or '?'}"

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, item: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = item.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.error(where, f"'{key}' is missing")
            return ""
        if isinstance(value, dict | list):
            self.error(where, f"'{key}' must be text")
            return ""
        return str(value).strip()

    def names(self, item: dict[str, Any], where: str) -> Names:
        names = item.get("names")
        if names is None:  # CSV: name_sq, name_sr, name_en
            names = {language: item.get(f"name_{language}") for language in LANGUAGES}
        if not isinstance(names, dict):
            self.error(where, "'names' must map sq, sr and en to names")
            return Names("", "", "")
        found = {}
        for language in LANGUAGES:
            value = names.get(language)
            if value is None or not str(value).strip():
                self.error(where, f"the name in '{language}' is missing")
            found[language] = str(value or "").strip()
        return Names(**found)

    def day(self, item: dict[str, Any], key: str, where: str) -> date | None:
        value = item.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(where, f"'{key}' must be a date like 2026-01-31, not {value!r}")
            return None

    def membership(self, item: dict[str, Any], where: str) -> MembershipRow:
        row = MembershipRow(
            where=where,
            institution=self.text(item, "institution", where).upper(),
            unit=self.text(item, "unit", where, required=False),
            role=self.text(item, "role", where),
            valid_from=self.day(item, "valid_from", where),
            valid_until=self.day(item, "valid_until", where),
        )
        if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
            self.error(where, "'valid_until' precedes 'valid_from'")
        return row

    def person(self, item: dict[str, Any], where: str) -> PersonRow:
        active = item.get("active", True)
        if isinstance(active, str):
            active = active.strip().lower() not in {"false", "no", "0", "n"}
        return PersonRow(
            where=where,
            username=self.text(item, "username", where),
            first_name=self.text(item, "first_name", where, required=False),
            last_name=self.text(item, "last_name", where, required=False),
            email=self.text(item, "email", where, required=False),
            active=bool(active),
        )

    def group(self, item: dict[str, Any], where: str) -> GroupRow:
        return GroupRow(
            where=where,
            name=self.text(item, "group", where),
            institution=self.text(item, "institution", where).upper(),
            unit=self.text(item, "unit", where, required=False),
            role=self.text(item, "role", where),
        )

    def unit(self, item: dict[str, Any], institution: str, where: str) -> UnitRow:
        return UnitRow(
            where=where,
            institution=institution,
            code=self.text(item, "code", where),
            names=self.names(item, where),
            parent=self.text(item, "parent", where, required=False),
        )

    def institution(self, item: dict[str, Any], where: str) -> InstitutionRow:
        row = InstitutionRow(
            where=where,
            code=self.text(item, "code", where).upper(),
            kind=self.text(item, "kind", where),
            names=self.names(item, where),
            parent=self.text(item, "parent", where, required=False).upper(),
        )
        if row.kind and row.kind not in KINDS:
            self.error(where, f"unknown kind {row.kind!r} (one of {', '.join(sorted(KINDS))})")
        return row

    # YAML
    def read_yaml(self, content: str, organisation: Organisation) -> None:
        try:
            document = yaml.load(content, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else "?"
            self.error(f"{self.path}:{line}", f"not valid YAML: {getattr(error, 'problem', error)}")
            return
        if document is None:
            return
        if not isinstance(document, dict):
            self.error(f"{self.path}:1", "the file must be a mapping of sections")
            return
        known = {"roles", "unit_templates", "institutions", "people", "directory_groups"}
        for key in document:
            if key not in known:
                self.error(f"{self.where(document)}", f"unknown section {key!r}")
        for item in self.items(document, "roles"):
            where = self.where(item)
            organisation.roles.append(
                RoleRow(where, self.text(item, "code", where), self.names(item, where))
            )
        templates = document.get("unit_templates") or {}
        if not isinstance(templates, dict):
            self.error(self.where(document), "'unit_templates' must map names to unit lists")
            templates = {}
        for item in self.items(document, "institutions"):
            where = self.where(item)
            row = self.institution(item, where)
            organisation.institutions.append(row)
            units: list[Any] = []
            for name in item.get("unit_templates") or []:
                if name not in templates:
                    self.error(where, f"unknown unit template {name!r}")
                    continue
                units += templates[name] or []
            units += item.get("units") or []
            for unit in units:
                if not isinstance(unit, dict):
                    self.error(where, "each unit must be a mapping")
                    continue
                organisation.units.append(self.unit(unit, row.code, self.where(unit)))
        for item in self.items(document, "people"):
            where = self.where(item)
            person = self.person(item, where)
            for membership in item.get("memberships") or []:
                if not isinstance(membership, dict):
                    self.error(where, "each membership must be a mapping")
                    continue
                person.memberships.append(self.membership(membership, self.where(membership)))
            organisation.people.append(person)
        if "directory_groups" in document:
            organisation.groups = organisation.groups or []
            for item in self.items(document, "directory_groups"):
                organisation.groups.append(self.group(item, self.where(item)))

    def items(self, document: dict[str, Any], section: str) -> Iterable[dict[str, Any]]:
        items = document.get(section) or []
        if not isinstance(items, list):
            self.error(self.where(document), f"'{section}' must be a list")
            return []
        good = []
        for item in items:
            if isinstance(item, dict):
                good.append(item)
            else:
                self.error(self.where(document), f"each entry of '{section}' must be a mapping")
        return good

    # CSV
    def read_csv(self, content: str, organisation: Organisation) -> None:
        reader = csv.DictReader(io.StringIO(content))
        if not reader.fieldnames or "record" not in reader.fieldnames:
            self.error(f"{self.path}:1", "the first row must name the columns, 'record' among them")
            return
        people: dict[str, PersonRow] = {}
        for row in reader:
            where = f"{self.path}:{reader.line_num}"
            item = {key: (value or "").strip() for key, value in row.items() if key}
            record = item.get("record", "")
            if record == "role":
                organisation.roles.append(
                    RoleRow(where, self.text(item, "code", where), self.names(item, where))
                )
            elif record == "institution":
                organisation.institutions.append(self.institution(item, where))
            elif record == "unit":
                institution = self.text(item, "institution", where).upper()
                organisation.units.append(self.unit(item, institution, where))
            elif record in {"person", "membership"}:
                username = self.text(item, "username", where)
                if username not in people:
                    people[username] = self.person(item, where)
                    organisation.people.append(people[username])
                if record == "membership":
                    people[username].memberships.append(self.membership(item, where))
            elif record == "directory_group":
                organisation.groups = organisation.groups or []
                organisation.groups.append(self.group(item, where))
            else:
                self.error(where, f"unknown record {record!r}")


def organisation_read(paths: Iterable[str | Path]) -> Organisation:
    """Read and check the files (YAML by default, CSV by the `.csv` suffix); raises
    OrganisationFileError listing every problem with its file and line."""
    organisation = Organisation()
    errors: list[str] = []
    for path in paths:
        reader = _Reader(str(path))
        try:
            content = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            errors.append(f"{path}: cannot be read: {error}")
            continue
        if str(path).lower().endswith(".csv"):
            reader.read_csv(content, organisation)
        else:
            reader.read_yaml(content, organisation)
        errors += reader.errors
    errors += _references_checked(organisation)
    if errors:
        raise OrganisationFileError(errors)
    return organisation


def _references_checked(organisation: Organisation) -> list[str]:
    errors: list[str] = []

    def unique(rows: Iterable[Any], key: Any, what: str) -> None:
        seen: dict[Any, str] = {}
        for row in rows:
            if key(row) in seen:
                errors.append(f"{row.where}: {what} {key(row)} is already at {seen[key(row)]}")
            seen.setdefault(key(row), row.where)

    unique(organisation.roles, lambda row: row.code, "role")
    unique(organisation.institutions, lambda row: row.code, "institution")
    unique(organisation.units, lambda row: (row.institution, row.code), "unit")
    unique(organisation.people, lambda row: row.username, "person")
    unique(organisation.groups or [], lambda row: row.name.lower(), "directory group")

    roles = {row.code for row in organisation.roles} | set(
        Role.objects.values_list("code", flat=True)
    )
    institutions = {row.code for row in organisation.institutions} | set(
        Institution.objects.values_list("code", flat=True)
    )
    units = {(row.institution, row.code) for row in organisation.units} | set(
        Unit.objects.values_list("institution__code", "code")
    )
    for row in organisation.institutions:
        if row.parent and row.parent not in institutions:
            errors.append(f"{row.where}: unknown parent institution {row.parent!r}")
    for unit in organisation.units:
        if unit.parent and (unit.institution, unit.parent) not in units:
            errors.append(f"{unit.where}: unknown parent unit {unit.parent!r}")

    def reference(row: MembershipRow | GroupRow) -> None:
        if row.institution and row.institution not in institutions:
            errors.append(f"{row.where}: unknown institution {row.institution!r}")
        elif row.unit and (row.institution, row.unit) not in units:
            errors.append(f"{row.where}: unknown unit {row.unit!r} of {row.institution}")
        if row.role and row.role not in roles:
            errors.append(f"{row.where}: unknown role {row.role!r}")

    for person in organisation.people:
        for membership in person.memberships:
            reference(membership)
    for group in organisation.groups or []:
        reference(group)
    return errors


# --- Applying -----------------------------------------------------------------------------------


def directory_managed(membership: Membership) -> bool:
    """Whether the directory gives this membership (a mapped group's institution, unit, role)."""
    groups = DirectoryGroup.objects.filter(
        institution_id=membership.institution_id, role_id=membership.role_id
    )
    if membership.unit_id is None:
        return groups.filter(unit__isnull=True).exists()
    return groups.filter(unit_id=membership.unit_id).exists()


class _Applier:
    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.changes: list[str] = []
        self.institutions: dict[str, Institution] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.roles: dict[str, Role] = {}

    def institution(self, code: str) -> Institution:
        if code not in self.institutions:
            self.institutions[code] = Institution.objects.get(code=code)
        return self.institutions[code]

    def unit(self, institution: str, code: str) -> Unit | None:
        if not code:
            return None
        if (institution, code) not in self.units:
            self.units[(institution, code)] = Unit.objects.get(
                institution__code=institution, code=code
            )
        return self.units[(institution, code)]

    def role(self, code: str) -> Role:
        if code not in self.roles:
            self.roles[code] = Role.objects.get(code=code)
        return self.roles[code]

    def apply(self, organisation: Organisation) -> None:
        for role_row in organisation.roles:
            self.at(role_row.where, self.apply_role, role_row)
        for institution_row in _parents_first(organisation.institutions, lambda r: r.code):
            self.at(institution_row.where, self.apply_institution, institution_row)
        for unit_row in _parents_first(organisation.units, lambda r: (r.institution, r.code)):
            self.at(unit_row.where, self.apply_unit, unit_row)
        if organisation.groups is not None:
            self.apply_groups(organisation.groups)
        for person_row in organisation.people:
            self.at(person_row.where, self.apply_person, person_row)

    def at(self, where: str, function: Any, row: Any) -> None:
        try:
            function(row)
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(map(str, texts))}"
                for name, texts in getattr(error, "message_dict", {"": error.messages}).items()
            )
            raise OrganisationFileError([f"{where}: {messages}"]) from error

    def apply_role(self, row: RoleRow) -> None:
        role = Role.objects.filter(code=row.code).first()
        if role is None:
            role = services.role_create(actor=self.actor, code=row.code, **row.names.fields())
            self.changes.append(f"+ role {row.code}")
        elif changed := services.role_update(actor=self.actor, role=role, **row.names.fields()):
            self.changes.append(f"~ role {row.code}: {', '.join(changed)}")
        self.roles[row.code] = role

    def apply_institution(self, row: InstitutionRow) -> None:
        parent = self.institution(row.parent) if row.parent else None
        institution = Institution.objects.filter(code=row.code).first()
        if institution is None:
            institution = services.institution_create(
                actor=self.actor, code=row.code, kind=row.kind, parent=parent, **row.names.fields()
            )
            self.changes.append(f"+ institution {row.code} ({row.names.en})")
        elif changed := services.institution_update(
            actor=self.actor,
            institution=institution,
            kind=row.kind,
            parent=parent,
            **row.names.fields(),
        ):
            self.changes.append(f"~ institution {row.code}: {', '.join(changed)}")
        self.institutions[row.code] = institution

    def apply_unit(self, row: UnitRow) -> None:
        institution = self.institution(row.institution)
        parent = self.unit(row.institution, row.parent)
        unit = Unit.objects.filter(institution=institution, code=row.code).first()
        if unit is None:
            unit = services.unit_create(
                actor=self.actor,
                institution=institution,
                code=row.code,
                parent=parent,
                **row.names.fields(),
            )
            self.changes.append(f"+ unit {row.institution}/{row.code}")
        elif changed := services.unit_update(
            actor=self.actor, unit=unit, parent=parent, **row.names.fields()
        ):
            self.changes.append(f"~ unit {row.institution}/{row.code}: {', '.join(changed)}")
        self.units[(row.institution, row.code)] = unit

    def apply_groups(self, rows: list[GroupRow]) -> None:
        listed = set()
        for row in rows:
            listed.add(row.name.strip().lower())

            def set_group(row: GroupRow = row) -> None:
                _, changed = services.directory_group_set(
                    actor=self.actor,
                    name=row.name,
                    institution=self.institution(row.institution),
                    unit=self.unit(row.institution, row.unit),
                    role=self.role(row.role),
                )
                if changed == ["created"]:
                    self.changes.append(f"+ directory group {row.name}")
                elif changed:
                    self.changes.append(f"~ directory group {row.name}: {', '.join(changed)}")

            self.at(row.where, lambda _row: set_group(), row)
        for group in DirectoryGroup.objects.exclude(name__in=listed):
            services.directory_group_remove(actor=self.actor, group=group)
            self.changes.append(f"- directory group {group.name}")

    def apply_person(self, row: PersonRow) -> None:
        user = User.objects.filter(username=row.username).first()
        if user is None:
            user = services.person_create(
                actor=self.actor,
                username=row.username,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
            )
            self.changes.append(f"+ person {row.username}")
        elif changed := services.person_update(
            actor=self.actor,
            user=user,
            first_name=row.first_name or user.first_name,
            last_name=row.last_name or user.last_name,
            email=row.email or user.email,
        ):
            self.changes.append(f"~ person {row.username}: {', '.join(changed)}")
        if user.is_active != row.active:
            services.person_active_set(actor=self.actor, user=user, active=row.active)
            state = "enabled" if row.active else "disabled"
            self.changes.append(f"~ person {row.username}: {state}")
        self.apply_memberships(user, row)

    def apply_memberships(self, user: User, row: PersonRow) -> None:
        today = timezone.localdate()
        kept: set[int] = set()
        for wanted in row.memberships:
            institution = self.institution(wanted.institution)
            unit = self.unit(wanted.institution, wanted.unit)
            role = self.role(wanted.role)
            label = (
                f"{row.username}: {role.code} in {institution.code}"
                f"{'/' + unit.code if unit else ''}"
            )
            same = Membership.objects.filter(
                user=user, institution=institution, unit=unit, role=role
            )
            existing = None
            if wanted.valid_from:
                existing = same.filter(valid_from=wanted.valid_from).first()
            if existing is None:  # the current one, whenever it began
                existing = (
                    same.filter(valid_until__isnull=True).first()
                    or same.filter(valid_until__gte=today).order_by("-valid_from").first()
                )
            if existing is None:
                membership = services.membership_create(
                    actor=self.actor,
                    user=user,
                    institution=institution,
                    unit=unit,
                    role=role,
                    valid_from=wanted.valid_from or today,
                    valid_until=wanted.valid_until,
                )
                kept.add(membership.pk)
                until = f" until {wanted.valid_until}" if wanted.valid_until else ""
                self.changes.append(f"+ membership {label} from {membership.valid_from}{until}")
                continue
            kept.add(existing.pk)
            if wanted.valid_until and existing.valid_until != wanted.valid_until:

                def end(existing: Membership = existing, wanted: MembershipRow = wanted) -> None:
                    services.membership_end(
                        actor=self.actor, membership=existing, on=wanted.valid_until
                    )

                self.at(wanted.where, lambda _row: end(), wanted)
                self.changes.append(f"~ membership {label} ends on {wanted.valid_until}")
        current = Membership.objects.filter(user=user).exclude(pk__in=kept)
        current = current.exclude(valid_until__lt=today).select_related(
            "institution", "unit", "role"
        )
        for membership in current:
            if directory_managed(membership):
                continue
            day = services.membership_end_day(membership, today)
            services.membership_end(actor=self.actor, membership=membership, on=day)
            self.changes.append(
                f"- membership {row.username}: {membership.role.code} in "
                f"{membership.institution.code} ends on {day}"
            )


def _parents_first(rows: list[Any], key: Any) -> list[Any]:
    """Rows ordered so that a parent listed in the file comes before its children."""
    by_key = {key(row): row for row in rows}
    ordered: list[Any] = []
    placed: set[Any] = set()

    def place(row: Any, depth: int = 0) -> None:
        if key(row) in placed or depth > len(rows):
            return
        parent_key = (
            ((row.institution, row.parent) if isinstance(row, UnitRow) else row.parent)
            if row.parent
            else None
        )
        if parent_key in by_key:
            place(by_key[parent_key], depth + 1)
        placed.add(key(row))
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def organisation_import(
    *, actor: Any, organisation: Organisation, dry_run: bool = False
) -> list[str]:
    """Apply the organisation in one transaction; the changes made (or, with dry_run, those
    that would be made: everything is applied and then rolled back)."""
    applier = _Applier(actor)
    with transaction.atomic():
        applier.apply(organisation)
        if dry_run:
            transaction.set_rollback(True)
    return applier.changes
