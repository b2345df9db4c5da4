"""Views that must respect Telegram's limits whatever the practitioner wrote."""

import html
import re
from datetime import UTC, datetime

from bot.services.history import AnswerItem, ReflectionDetail
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
