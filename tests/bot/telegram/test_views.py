"""Views that must respect Telegram's limits whatever the practitioner wrote."""

import html
import re
from datetime import UTC, date, datetime

from bot.services.history import AnswerItem, HistoryEntry, HistoryPage, ReflectionDetail
from bot.telegram import history_views as views
from storage import Answer, Reflection

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def detail_with(answers: list[str], kind: str = "guided") -> ReflectionDetail:
    reflection = Reflection(7, 1, kind, "gibbs", 1, "done", NOW, NOW, "\n\n".join(answers))
    items = [
        AnswerItem(n, f"Question {n}?", Answer(n, 7, f"q{n}", text, False, NOW, NOW))
        for n, text in enumerate(answers, start=1)
    ]
    return ReflectionDetail(reflection, "Gibbs' reflective cycle", items, ["2.6"])


def units(html_text: str) -> int:
    """What Telegram counts: the shown text (tags parsed, entities decoded), in UTF-16."""
    shown = html.unescape(re.sub(r"<[^>]+>", "", html_text))
    return len(shown.encode("utf-16-le")) // 2


def test_a_short_reflection_is_one_message_with_its_buttons():
    [(text, markup)] = views.reflection_detail(detail_with(["one", "two"]), "Europe/London")
    assert "<b>Question 1?</b>\n\none" in text and "Evidence: 2.6" in text
    assert markup is not None


def test_a_long_reflection_is_split_and_nothing_is_lost():
    answers = ["word & more " * 400, "🙂 emoji " * 900, "<b>not a tag</b> " * 300]
    pages = views.reflection_detail(detail_with(answers), "Europe/London")
    assert len(pages) > 2
    assert all(units(text) <= views.MESSAGE_CHARS for text, _ in pages)
    assert all(markup is None for _, markup in pages[:-1]) and pages[-1][1] is not None
    joined = " ".join(text for text, _ in pages)
    assert joined.count("word &amp; more") == 400
    assert joined.count("🙂 emoji") == 900
    assert joined.count("&lt;b&gt;not a tag&lt;/b&gt;") == 300
    assert "&am " not in joined and "&a\n" not in joined
    # Escaped characters count once, as Telegram counts them: pages are not cut short.
    assert len(pages) <= 8  # 20,000 units of answers: pieces of ~4,000, not ~900


def test_one_enormous_word_is_cut_hard():
    pages = views.reflection_detail(detail_with(["z" * 10_000]), "Europe/London")
    assert sum(text.count("z") for text, _ in pages) == 10_000
    assert all(units(text) <= views.MESSAGE_CHARS for text, _ in pages)


def entry(number: int, text: str, about: str | None = None) -> HistoryEntry:
    reflection = Reflection(
        number,
        1,
        "note",
        "quick",
        1,
        "done",
        NOW,
        NOW,
        text,
        about=about,
        session_date=date(2026, 11, 22) if about else None,
    )
    return HistoryEntry(number, reflection, [f"{c}.{i}" for c in range(1, 8) for i in range(1, 9)])


def test_a_page_of_long_entries_fits_by_cutting_their_excerpts_shorter():
    wide = "😀" * 2000  # two units each: the longest an excerpt can show
    page = HistoryPage([entry(n, wide, "🎈" * 60) for n in range(1, 6)], 0, 2, 10)
    text, _ = views.history(page, "Europe/London")
    assert units(text) <= views.MESSAGE_CHARS
    assert text.count("🎈" * 60) == 5 and text.count("session of Sun 22 Nov 2026") == 5
    assert "Evidence: 1.1, 1.2" in text and "7.8" in text  # every id is still listed
    ordinary, _ = views.history(HistoryPage([entry(1, "word " * 100)], 0, 1, 1), "Europe/London")
    assert ("word " * 31).strip() in ordinary  # a page that fits keeps its full excerpts
