"""The work queue's institution filter is written in one pass (`queue._ManyOptions`): the same
select as Django's own widget, chosen option and escaping included."""

import re

from django import forms

from workflows.queue import _ManyOptions

CHOICES = [("", "All institutions"), ("KLLOKOT", "Komuna e Kllokotit"), ("A&B", 'Tom "<b>"')]


def normalised(html: str) -> str:
    return re.sub(r"\s*\n\s*", "", html)


def test_the_same_markup_as_djangos_select() -> None:
    for value in ("", "KLLOKOT", "A&B", None):
        ours = _ManyOptions(choices=CHOICES).render("institution", value, {"id": "id_inst"})
        django = forms.Select(choices=CHOICES).render("institution", value, {"id": "id_inst"})
        assert normalised(ours) == normalised(django), value
    chosen = _ManyOptions(choices=CHOICES).render("institution", "A&B")
    assert '<option value="A&amp;B" selected>Tom &quot;&lt;b&gt;&quot;</option>' in chosen
