"""`import_organisation`: the shipped organisation, people's memberships over time, dry runs,
and files with mistakes, which change nothing and say where the mistake is."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_verify
from roles.models import DirectoryGroup, Institution, Membership, Unit, User
from roles.selectors import memberships_active

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "roles" / "data" / "organisation.yaml"
EXAMPLE = ROOT / "roles" / "data" / "people.example.yaml"


def run(*files: Path | str, dry_run: bool = False) -> str:
    out = io.StringIO()
    call_command("import_organisation", *map(str, files), dry_run=dry_run, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts() -> tuple[int, ...]:
    return (
        Institution.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        DirectoryGroup.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_shipped_file_has_every_municipality_and_the_government_in_three_languages() -> None:
    output = run(SHIPPED)
    assert output.strip().endswith("changes.")
    municipalities = Institution.objects.filter(kind="municipality")
    assert municipalities.count() == 38
    assert Institution.objects.filter(kind="ministry").count() >= 12
    for code in ["ZKM", "MAPL", "MF", "AIP", "KLLOKOT", "PRISHTINE", "MITROVICE-VERIUT"]:
        assert Institution.objects.filter(code=code).exists(), code
    for institution in Institution.objects.all():
        assert institution.name_sq and institution.name_sr and institution.name_en
    kllokot = Institution.objects.get(code="KLLOKOT")
    assert kllokot.name_in("sr") == "Општина Клокот"
    assert set(kllokot.units.values_list("code", flat=True)) >= {
        "assembly-office", "assembly", "zimp", "mayor-office"
    }  # fmt: skip
    assert set(Unit.objects.filter(institution__code="ZKM").values_list("code", flat=True)) >= {
        "zkp", "government-secretariat", "internal-audit"
    }  # fmt: skip
    assert Institution.objects.get(code="ABGJ").parent == Institution.objects.get(code="ZKM")
    # Every change is in the audit log, and the chain holds.
    created = AuditEntry.objects.filter(action="institution.created").count()
    assert created == Institution.objects.count()
    assert audit_verify().ok


def test_importing_again_changes_nothing_and_writes_no_audit_entry() -> None:
    run(SHIPPED, EXAMPLE)
    before = counts()
    output = run(SHIPPED, EXAMPLE)
    assert output.strip() == "Organisation changed: 0 changes."
    assert counts() == before


def test_the_demo_and_the_shipped_file_agree_on_codes(demo: dict[str, User]) -> None:
    demo_institutions = set(Institution.objects.values_list("code", flat=True))
    demo_units = set(Unit.objects.values_list("institution__code", "code"))
    run(SHIPPED)
    # Nothing of the demo's is duplicated: its institutions and units are the file's.
    assert demo_institutions <= set(Institution.objects.values_list("code", flat=True))
    assert demo_units <= set(Unit.objects.values_list("institution__code", "code"))
    assert Institution.objects.get(code="MF").name_en == "Ministry of Finance, Labour and Transfers"
    assert AuditEntry.objects.filter(action="institution.updated", object_id=str(
        Institution.objects.get(code="MF").pk
    )).exists()  # fmt: skip
    # The demo's people keep their memberships (the file lists no people).
    assert memberships_active(user=demo["kllokot.mayor"]).filter(role__code="mayor").exists()


def test_a_dry_run_prints_the_changes_and_changes_nothing(empty_database: None) -> None:
    before = counts()
    output = run(SHIPPED, EXAMPLE, dry_run=True)
    assert "+ institution DECAN (Municipality of Deçan)" in output
    assert "+ membership kllokot.mayor: mayor in KLLOKOT/mayor-office from 2025-11-20" in output
    assert "would change" in output
    assert counts() == before
    assert run(SHIPPED, EXAMPLE).splitlines()[:-1] == output.splitlines()[:-1]


def test_a_membership_the_file_drops_is_ended_not_deleted(tmp_path: Path) -> None:
    run(SHIPPED)
    first = write(
        tmp_path,
        "people.yaml",
        """
people:
  - username: arta.k
    first_name: Arta
    memberships:
      - {institution: PRIZREN, unit: zimp, role: information_officer, valid_from: 2025-01-01}
      - {institution: PRIZREN, unit: zimp, role: spokesperson, valid_from: 2025-01-01}
""",
    )
    run(first)
    arta = User.objects.get(username="arta.k")
    assert not arta.has_usable_password()  # signs in through the directory
    assert memberships_active(user=arta).count() == 2

    second = write(
        tmp_path,
        "people2.yaml",
        """
people:
  - username: arta.k
    memberships:
      - {institution: PRIZREN, unit: zimp, role: information_officer, valid_from: 2025-01-01,
         valid_until: 2099-12-31}
      - {institution: GJILAN, unit: zimp, role: information_officer}
""",
    )
    output = run(second)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert f"- membership arta.k: spokesperson in PRIZREN ends on {yesterday}" in output
    assert "~ membership arta.k: information_officer in PRIZREN/zimp ends on 2099-12-31" in output
    # History is kept: the spokesperson membership is still there, with its end.
    spokesperson = Membership.objects.get(user=arta, role__code="spokesperson")
    assert spokesperson.valid_until == yesterday
    active = {(m.institution.code, m.role.code) for m in memberships_active(user=arta)}
    assert active == {("PRIZREN", "information_officer"), ("GJILAN", "information_officer")}
    assert AuditEntry.objects.filter(
        action="membership.ended", object_id=str(spokesperson.pk)
    ).exists()
    # The account is disabled by the file, and enabled again.
    write(tmp_path, "off.yaml", "people: [{username: arta.k, active: false, memberships: []}]")
    run(tmp_path / "off.yaml")
    arta.refresh_from_db()
    assert not arta.is_active
    assert AuditEntry.objects.filter(action="user.disabled", object_id=str(arta.pk)).exists()


def test_a_file_with_mistakes_changes_nothing_and_names_each_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        """institutions:
  - code: NEWAGENCY
    kind: agency
    names: {sq: Agjencia e Re, sr: Nova agencija, en: New Agency}
  - code: BROKEN
    kind: planet
    names: {sq: X, en: X}
people:
  - username: someone
    memberships:
      - {institution: NOWHERE, role: officer}
      - {institution: NEWAGENCY, role: officer, valid_from: 2025-13-01}
""",
    )
    before = counts()
    with pytest.raises(CommandError) as refused:
        run(bad)
    message = str(refused.value)
    assert refused.value.returncode == 1
    assert "Nothing was changed" in message
    assert f"{bad}:5: unknown kind 'planet'" in message
    assert f"{bad}:5: the name in 'sr' is missing" in message
    assert f"{bad}:11: unknown institution 'NOWHERE'" in message
    assert f"{bad}:12: 'valid_from' must be a date" in message
    assert counts() == before
    assert not Institution.objects.filter(code="NEWAGENCY").exists()


def test_a_rule_broken_while_applying_rolls_everything_back(tmp_path: Path) -> None:
    run(SHIPPED)
    before = counts()
    # The first person is fine; the second's username is not one Django accepts.
    bad = write(
        tmp_path,
        "people.yaml",
        """people:
  - username: good.person
    memberships: [{institution: PEJE, role: officer}]
  - username: "no spaces allowed"
    memberships: [{institution: PEJE, role: officer}]
""",
    )
    with pytest.raises(CommandError) as refused:
        run(bad)
    assert f"{bad}:4: username:" in str(refused.value)
    assert counts() == before
    assert not User.objects.filter(username="good.person").exists()


def test_not_yaml_says_where(tmp_path: Path) -> None:
    bad = write(tmp_path, "broken.yaml", "institutions:\n  - code: [unclosed\n")
    with pytest.raises(CommandError) as refused:
        run(bad)
    assert f"{bad}:3: not valid YAML" in str(refused.value)


def test_csv_gives_the_same_organisation(tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        "organisation.csv",
        "record,code,kind,parent,institution,name_sq,name_sr,name_en,username,first_name,"
        "unit,role,valid_from,valid_until,group\n"
        "institution,AGJ,agency,,,Agjencia,Agencija,Agency,,,,,,,\n"
        "unit,registry,,,AGJ,Protokolli,Pisarnica,Registry,,,,,,,\n"
        "membership,,,,AGJ,,,,drita.b,Drita,registry,registry_clerk,2025-02-01,,\n"
        "directory_group,,,,AGJ,,,,,,registry,registry_clerk,,,cn=agj-registry\n"
        "membership,,,,AGJ,,,,drita.b,,registry,officer,2025-02-01,2024-01-01,\n",
    )
    with pytest.raises(CommandError) as refused:
        run(csv_file)
    assert f"{csv_file}:6: 'valid_until' precedes 'valid_from'" in str(refused.value)
    text = csv_file.read_text().splitlines()
    csv_file.write_text("\n".join(text[:-1]) + "\n")
    output = run(csv_file)
    assert "+ institution AGJ (Agency)" in output
    drita = User.objects.get(username="drita.b")
    assert drita.first_name == "Drita"
    assert memberships_active(user=drita).get().unit.code == "registry"  # type: ignore[union-attr]
    assert DirectoryGroup.objects.get().name == "cn=agj-registry"
    assert run(csv_file).strip() == "Organisation changed: 0 changes."


def test_the_shipped_files_are_valid_yaml_with_a_sources_header() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert "03/L-041" in text and "kryeministri.rks-gov.net" in text
    document = yaml.safe_load(text)
    codes = [item["code"] for item in document["institutions"]]
    assert len(codes) == len(set(codes))
    yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
