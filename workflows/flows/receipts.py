"""MAPL's receipt of a municipal act: a one-page PDF in Albanian and Serbian (Latin script)
with both institutions' registration numbers and both times, registered in MAPL's book and
sent to the municipality — the proof of delivery the law's 7 days are judged by.

Built with fpdf2 and the DejaVu font (Debian's `fonts-dejavu-core`, which the Makefile
installs), which has every letter of both languages (ë, ç, č, ć, š, ž, đ)."""

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from roles.models import Institution

# fpdf2 embeds the font's subset through fontTools, which logs every glyph it keeps.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(getattr(settings, "RECEIPT_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
# Both official languages on one page, each label in Albanian / Serbian.
HEADING = "DËFTESË PRANIMI / POTVRDA O PRIJEMU"


def receipt_title(incoming_number: str, title: str) -> str:
    return f"Dëftesë pranimi / Potvrda o prijemu {incoming_number}: {title}"[:500]


def _when(at: datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "—"


def _person(user: Any) -> str:
    if user is None:
        return ""
    name = user.get_full_name() or ""
    return f"{name} ({user.get_username()})" if name else user.get_username()


def receipt_pdf(
    *,
    ministry: Institution,
    municipality: Institution,
    title: str,
    texts: list[dict[str, Any]],
    incoming_number: str,
    transmitted_at: datetime | None,
    received_at: datetime,
    received_by: Any,
    on_behalf_of: Any = None,
) -> bytes:
    """The receipt's bytes: the act, the municipality's numbers of its texts, MAPL's number,
    when the act was sent and when it was received, and who received it."""
    numbers = (
        ", ".join(f"{text['registration_number']} ({text['language']})" for text in texts) or "—"
    )
    receiver = _person(received_by)
    if on_behalf_of is not None:
        receiver += f" / në emër të · u ime: {_person(on_behalf_of)}"
    rows = [
        ("Akti / Akt", title),
        ("Komuna / Opština", f"{municipality.name_sq} / {municipality.name_sr}"),
        ("Numri i komunës / Broj opštine", numbers),
        (f"Numri në {ministry.code} / Broj u {ministry.code}", incoming_number),
        ("Dërguar më / Poslato", _when(transmitted_at)),
        ("Pranuar më / Primljeno", _when(received_at)),
        ("Pranoi / Primio", receiver),
    ]
    pdf = FPDF(format="A4")
    pdf.set_title(f"{HEADING} {incoming_number}")
    pdf.set_author(ministry.code)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=15)
    pdf.multi_cell(0, 9, HEADING, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(
        0,
        7,
        f"{ministry.name_sq} / {ministry.name_sr}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.multi_cell(
        0,
        6,
        f"{ministry.name_sq} vërteton pranimin e aktit të mëposhtëm.\n"
        f"{ministry.name_sr} potvrđuje prijem sledećeg akta.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    for label, value in rows:
        pdf.set_font("DejaVu", size=9)
        pdf.multi_cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
