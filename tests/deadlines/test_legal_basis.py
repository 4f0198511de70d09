"""A rule's legal basis in the reader's language: the Albanian and Serbian texts beside the
English one, the Cyrillic made from the Latin, the English when a translation is missing; and
the migration that translates the default rules' bases only where their English is unchanged."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from deadlines.models import DeadlineRule
from roles.models import User

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("deadlines.migrations.0007_rule_legal_basis_translations")


def test_legal_basis_in_each_language_and_the_fallback() -> None:
    rule = DeadlineRule(
        legal_basis="Law No. 1 on Roads.",
        legal_basis_sq="Ligji nr. 1 për rrugët.",
        legal_basis_sr="Zakon br. 1 o putevima i džadama.",
    )
    assert rule.legal_basis_in("sq") == "Ligji nr. 1 për rrugët."
    assert rule.legal_basis_in("sr-latn") == "Zakon br. 1 o putevima i džadama."
    assert rule.legal_basis_in("sr") == "Закон бр. 1 о путевима и џадама."
    assert rule.legal_basis_in("en") == "Law No. 1 on Roads."
    with translation.override("sr"):
        assert rule.legal_basis_in() == "Закон бр. 1 о путевима и џадама."
    with translation.override("sq"):
        assert rule.legal_basis_in() == "Ligji nr. 1 për rrugët."
    # A translation left empty: the English text, in every script.
    untranslated = DeadlineRule(legal_basis="Law No. 1 on Roads.", legal_basis_sq="Ligji.")
    assert untranslated.legal_basis_in("sq") == "Ligji."
    assert untranslated.legal_basis_in("sr") == "Law No. 1 on Roads."
    assert untranslated.legal_basis_in("sr-latn") == "Law No. 1 on Roads."
    # A law's number reads as the Official Gazette writes it, in either script.
    numbered = DeadlineRule(legal_basis_sr="Zakon br. 03/L-040 o lokalnoj samoupravi, čl. 82.")
    assert numbered.legal_basis_in("sr") == "Закон бр. 03/L-040 о локалној самоуправи, чл. 82."


def test_every_default_rule_has_its_basis_translated(demo: dict[str, User]) -> None:
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    # Every rule a migration creates is in the translations, with its English as written.
    assert set(rules) == set(MIGRATION.LEGAL_BASES)
    for code, (english, albanian, serbian) in MIGRATION.LEGAL_BASES.items():
        rule = rules[code]
        assert (rule.legal_basis, rule.legal_basis_sq, rule.legal_basis_sr) == (
            english,
            albanian,
            serbian,
        ), code
        assert albanian != english and serbian != english


def test_the_migration_leaves_reworded_and_typed_texts_alone(demo: dict[str, User]) -> None:
    # An administrator reworded one basis, and typed an Albanian text of their own for another.
    DeadlineRule.objects.filter(code="monthly-report-to-mapl").update(
        legal_basis="Reworded.", legal_basis_sq="", legal_basis_sr=""
    )
    DeadlineRule.objects.filter(code="press-statement-approval").update(
        legal_basis_sq="Teksti i administratorit.", legal_basis_sr=""
    )
    before = {
        rule.code: (rule.legal_basis_sq, rule.legal_basis_sr)
        for rule in DeadlineRule.objects.exclude(code="press-statement-approval")
    }
    MIGRATION.translate(apps, None)
    MIGRATION.translate(apps, None)
    after = {rule.code: rule for rule in DeadlineRule.objects.all()}
    reworded = after["monthly-report-to-mapl"]
    assert (reworded.legal_basis_sq, reworded.legal_basis_sr) == ("", "")
    assert reworded.legal_basis_in("sq") == "Reworded."
    typed = after["press-statement-approval"]
    assert typed.legal_basis_sq == "Teksti i administratorit."
    assert typed.legal_basis_sr == MIGRATION.LEGAL_BASES["press-statement-approval"][2]
    # Run again, nothing else changed.
    assert {
        code: (rule.legal_basis_sq, rule.legal_basis_sr)
        for code, rule in after.items()
        if code != "press-statement-approval"
    } == before

    MIGRATION.untranslate(apps, None)
    assert not DeadlineRule.objects.exclude(legal_basis_sq="", legal_basis_sr="").exists()
    assert DeadlineRule.objects.get(code="monthly-report-to-mapl").legal_basis == "Reworded."
