"""The PDF export, read back with pypdf: the sections and their content, the footer and
metadata, embedded fonts, text in many languages without a missing glyph, very long and
unbroken text, and empty sections that say so."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from bot.portfolio import fonts, render, wording
from bot.portfolio import pdf as pdf_module
from bot.portfolio.document import Portfolio
from tests.bot.portfolio.portfolios import (
    RECORD_PARTS,
    SAMPLE,
    SECTION_TITLES,
    guided,
    with_reflections,
)

# Each line a language the practitioner or the people they work with might write in.
LATIN_GREEK_CYRILLIC_CJK_EMOJI = (
    "Zażółć gęślą jaźń: dziękuję za spotkanie.",
    "Ευχαριστούμε πολύ για τη συνάντηση.",
    "Дякуємо, побачимося в четвер у клубі.",
    "谢谢大家，下周见。",
    "Great session 🙂👏🏽",
)
SHAPED = (
    "شكرا جزيلا على المساعدة",  # Arabic
    "آپ کا بہت شکریہ",  # Urdu: letters DejaVu Sans lacks
    "धन्यवाद, अगले सप्ताह मिलते हैं",  # Hindi
    "ਤੁਹਾਡਾ ਧੰਨਵਾਦ",  # Punjabi
    "שלום וברכה",  # Hebrew
)


def text_of(data: bytes) -> str:
    """All the pages' text, whitespace runs (line breaks too) as one space."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def render_clean(portfolio: Portfolio, caplog: pytest.LogCaptureFixture) -> bytes:
    """The PDF, failing if fpdf2 logged a problem (it logs missing glyphs at output)."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = render(portfolio, "pdf")
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("fpdf")]
    assert not problems
    return data


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """Each font used on any page (its name without the subset prefix) -> whether the
    font program is embedded (a /FontFile2 in its descriptor)."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type0"
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            found[name] = "/FontFile2" in descriptor.get_object()
    return found


@pytest.fixture(scope="module")
def sample() -> bytes:
    return pdf_module.render(SAMPLE)


@pytest.fixture(scope="module")
def sample_text(sample: bytes) -> str:
    return text_of(sample)


def test_metadata_names_the_practitioner_and_reflectbot(sample: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample))
    assert reader.metadata.title == f"{wording.TITLE}: Morven Campbell"
    assert reader.metadata.author == "Morven Campbell"
    assert reader.metadata.creator == "ReflectBot"
    assert reader.pdf_header.startswith("%PDF-")
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_cover_says_who_when_what_and_how_much(sample: bytes) -> None:
    cover = " ".join(PdfReader(io.BytesIO(sample)).pages[0].extract_text().split())
    for expected in (
        wording.TITLE,
        "Morven Campbell",
        "Last 3 months",
        SAMPLE.period.describe(),
        wording.made_line(SAMPLE),
        wording.framework_line(SAMPLE),
        wording.summary_line(SAMPLE),
    ):
        assert expected in cover
    assert "page 1 of" not in cover  # no footer on the cover


def test_every_later_page_has_the_running_footer(sample: bytes) -> None:
    pages = PdfReader(io.BytesIO(sample)).pages
    for number, page in enumerate(pages[1:], start=2):
        footer = f"Morven Campbell · {wording.TITLE} · page {number} of {len(pages)}"
        assert footer in page.extract_text()


def test_sections_come_in_order(sample_text: str) -> None:
    positions = [sample_text.index(title) for title in SECTION_TITLES + RECORD_PARTS]
    assert positions == sorted(positions)


def test_sections_competences_and_indicators_are_in_the_outline(sample: bytes) -> None:
    outline = PdfReader(io.BytesIO(sample)).outline
    sections = [item.title for item in outline if not isinstance(item, list)]
    assert sections == SECTION_TITLES
    competences = next(item for item in outline if isinstance(item, list))
    assert competences[0].title.startswith("Competence 1: Know and understand")
    assert competences[1][0].title.startswith("1.2 investigate internal views")


def test_coverage_hours_and_goals(sample_text: str) -> None:
    assert "Competence 6: Develop and support collaborative working" in sample_text
    assert "Nothing yet for 6.2 Initiate work with other organisations, 6.5" in sample_text
    assert wording.FRAMEWORK_NOTE in sample_text
    for line in wording.requirement_lines(SAMPLE.hours):
        assert line in sample_text
    assert "11 h of 35 h required" in sample_text
    assert wording.period_hours_line(SAMPLE) in sample_text
    for goal in SAMPLE.goals:
        assert goal.text in sample_text
        assert wording.goal_line(goal) in sample_text
    assert "Review, 7 Nov 2026: Going well at youth club" in sample_text


def test_reflections_under_their_indicators_with_questions_and_answers(sample_text: str) -> None:
    evidence = sample_text[sample_text.index(wording.EVIDENCE_TITLE) :]
    assert "1.2 investigate internal views and information relating to the area" in evidence
    assert "So what? What did it tell you about the people" in evidence
    assert "It is the first time the Polish families have spoken at the council." in evidence
    assert "„Biblioteka to nasze serce”" in evidence
    assert "Evidence for: 1.2, 5.2, 6.3" in evidence
    assert "20 Oct 2026 · What? So what? Now what?" in evidence
    assert "22 Sep 2026 · Quick note · ESOL Entry 2" in evidence  # the session is named
    assert "Professional learning: Course, 6.5 h" in evidence


def test_a_reflection_is_printed_once_and_referred_to_under_later_indicators(
    sample_text: str,
) -> None:
    assert sample_text.count("Community council meeting about the closure of the library") == 3
    assert sample_text.count("(see 1.2)") == 2  # under 5.2 and 6.3
    assert sample_text.count("Residents were listened to because they had prepared") == 1


def test_references_link_to_the_full_reflection(sample: bytes) -> None:
    links = [
        annotation.get_object()
        for page in PdfReader(io.BytesIO(sample)).pages
        for annotation in page.get("/Annots", [])
    ]
    assert links and all(link["/Subtype"] == "/Link" for link in links)
    assert all("/Dest" in link or "/A" in link for link in links)


def test_untagged_reflection_is_under_other_reflections(sample_text: str) -> None:
    other = sample_text.index(wording.OTHER_TITLE)
    untagged = sample_text.index("Mileage and room bookings sorted for next term")
    assert other < untagged < sample_text.index(wording.RECORD_TITLE)


def test_learning_record_activities_impact_and_verifier(sample_text: str) -> None:
    record = sample_text[sample_text.index(wording.RECORD_TITLE) :]
    assert "Trauma-informed practice, a one-day course run by the council's CLD team." in record
    assert "Course 6.5 h" in record and "Shadowing 3 h" in record
    assert wording.total_line(SAMPLE) == "Total: 11 h"
    assert "Total: 11 h" in record
    assert "I will start each club night with the plan on the wall" in record  # impact
    assert "Alison Reid (accepted by the practitioner)" in record
    assert "agreed next goal on evaluation methods" in record
    assert "Signature:" not in record  # a review is recorded: no blank form


def test_fonts_are_embedded(sample: bytes) -> None:
    found = embedded_fonts(sample)
    assert {"DejaVuSansBook", "DejaVuSansBold"} <= set(found)
    assert all(found.values())


def test_the_same_portfolio_gives_the_same_bytes(sample: bytes) -> None:
    assert pdf_module.render(SAMPLE) == sample


def test_many_languages_and_emoji_render_with_every_glyph(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reflection = guided(*LATIN_GREEK_CYRILLIC_CJK_EMOJI, *SHAPED, confirmed=("2.3", "7.4"))
    reflection = replace(reflection, session="Група батьків 👪")
    portfolio = replace(with_reflections(reflection), practitioner="Ольга Kowalczyk-Ng")
    data = render_clean(portfolio, caplog)
    text = text_of(data)
    for line in LATIN_GREEK_CYRILLIC_CJK_EMOJI:
        assert line in text
    assert "Група батьків 👪" in text
    assert "Ольга Kowalczyk-Ng · Reflective practice portfolio · page 2 of" in text
    found = embedded_fonts(data)
    assert all(found.values())
    for fallback in ("NotoSansArabic", "NotoSansDevanagari", "NotoSansGurmukhi"):
        assert fallback in found  # the shaped scripts came from their own fonts
    assert {"DroidSansFallback", "Symbola"} <= set(found)


def test_a_missing_glyph_is_logged_so_render_clean_would_catch_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pdf = FPDF()
    fonts.setup_fonts(pdf, fallbacks=())  # DejaVu Sans alone has no Chinese
    pdf.add_page()
    pdf.multi_cell(0, 5, "谢谢")
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf.output()
    assert any("missing" in record.getMessage() for record in caplog.records)


def test_every_field_may_hold_any_language(caplog: pytest.LogCaptureFixture) -> None:
    """The fallback fonts are picked from all the portfolio's text: a script found in one
    field only still gets its font (render_clean fails on a missing glyph)."""
    reflections = tuple(
        replace(
            r,
            set_name=f"{r.set_name} 谢谢",
            session="ขอบคุณ",  # Thai
            items=tuple(replace(i, question=f"{i.question} 🎉") for i in r.items),
            learning=r.learning
            and replace(r.learning, description="ਧੰਨਵਾਦ", impact="धन्यवाद"),  # Punjabi, Hindi
        )
        for r in SAMPLE.reflections
    )
    goals = tuple(replace(g, text="நன்றி", review="ধন্যবাদ") for g in SAMPLE.goals)  # Tamil, Bengali
    verifications = tuple(replace(v, verifier="شکریہ", note="🦉") for v in SAMPLE.verifications)
    portfolio = replace(
        SAMPLE,
        practitioner="ሰላም Campbell",  # Tigrinya
        reflections=reflections,
        goals=goals,
        verifications=verifications,
    )
    every_fallback = {
        "NotoSansArabic",
        "NotoSansDevanagari",
        "NotoSansBengali",
        "NotoSansGurmukhi",
        "NotoSansTamil",
        "NotoSansThai",
        "NotoSansEthiopic",
        "DroidSansFallback",
        "Symbola",
    }
    assert len(every_fallback) == len(fonts.FALLBACKS)
    assert every_fallback <= set(embedded_fonts(render_clean(portfolio, caplog)))


def test_characters_no_font_has_show_as_replacement_characters(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = render_clean(with_reflections(guided("Korean: 안녕하세요 and a bell \x07.")), caplog)
    assert "Korean: \ufffd\ufffd\ufffd\ufffd\ufffd and a bell ." in text_of(data)


def test_a_very_long_reflection_and_an_unbroken_string_wrap(
    caplog: pytest.LogCaptureFixture,
) -> None:
    long_answer = " ".join(f"sentence {n} of a long reflection." for n in range(700))
    assert len(long_answer) > 20_000
    url = "https://example.org/" + "abcdefghij" * 28
    data = render_clean(with_reflections(guided(long_answer, url, "The end.")), caplog)
    text = text_of(data)
    assert "sentence 0 of a long reflection." in text
    assert "sentence 699 of a long reflection. Question 2?" in text
    assert url in "".join(text.split())  # broken across lines, every character kept
    assert "The end." in text
    assert len(PdfReader(io.BytesIO(data)).pages) > 8


def test_empty_sections_say_so_and_the_review_has_lines_to_fill_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reflections = tuple(replace(r, learning=None) for r in SAMPLE.reflections)
    empty = replace(SAMPLE, goals=(), verifications=(), reflections=reflections)
    text = text_of(render_clean(empty, caplog))
    record = text[text.index(wording.RECORD_TITLE) :]
    assert wording.NO_GOALS in text and wording.NO_GOALS in record
    assert record.count(wording.NO_ACTIVITIES) == 2  # the activities and their impact
    assert wording.NO_VERIFICATIONS in record
    for label in ("Date:", "Verifier:", "Signature:", "Note:"):
        assert label in record


def test_a_portfolio_without_reflections_says_so(caplog: pytest.LogCaptureFixture) -> None:
    text = text_of(render_clean(with_reflections(), caplog))
    assert wording.NO_EVIDENCE in text
    assert wording.NO_OTHER in text
    assert "Nothing yet for 1.1" in text


def test_text_shaping_only_where_a_script_needs_it() -> None:
    assert not fonts.needs_shaping("Plain English, Polski, Ελληνικά, Українська, 中文 🙂")
    for text in SHAPED:
        assert fonts.needs_shaping(text)
    assert fonts.base_family("آپ کا بہت شکریہ") == fonts.ARABIC_FAMILY
    assert fonts.base_family("شكرا جزيلا") == fonts.FAMILY  # DejaVu has Arabic
    assert fonts.is_right_to_left("شكرا, thanks") and not fonts.is_right_to_left("Hi شكرا")
    assert fonts.printable("a\tb\r\nc\x00d") == "a    b\ncd"


def test_a_missing_font_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    missing = tmp_path / "NotoSansNowhere-Regular.ttf"
    monkeypatch.setattr(fonts, "FALLBACKS", (*fonts.FALLBACKS, fonts.FontFile("x", "", missing)))
    with pytest.raises(fonts.FontError, match="NotoSansNowhere-Regular.ttf"):
        pdf_module.render(SAMPLE)
