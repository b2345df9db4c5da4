"""/history's filtered list and its choosers: what they say, where their buttons lead, and
that they stay within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import HistoryEntry, HistoryPage, IndicatorCount, history_filter
from bot.telegram import callback_data as cd
from bot.telegram import history_views as views
from framework import Competence, Indicator, load_framework
from storage import Reflection

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
FRAMEWORK = load_framework()


def data_of(markup) -> list[list[cd.Action | None]]:
    return [[cd.parse(b.callback_data) for b in row] for row in markup.inline_keyboard]


def texts_of(markup) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]


def entry(number: int, text: str, confirmed: list[str]) -> HistoryEntry:
    reflection = Reflection(number, 1, "note", "quick", 1, "done", NOW, NOW, text)
    return HistoryEntry(number, reflection, confirmed)


def test_a_filtered_page_says_what_it_is_filtered_by_and_keeps_the_filter():
    chosen = history_filter(FRAMEWORK, "2.3")
    entries = [entry(n, f"note {n}", ["2.3"]) for n in range(6, 11)]
    page = HistoryPage(entries, 1, 3, 12, chosen)
    text, markup = views.history(page, "Europe/London")
    short = FRAMEWORK.indicator("2.3").short
    assert text.startswith(f"<b>Your reflections evidencing 2.3 {short}</b> (6–10 of 12)")
    assert "<b>6.</b>" in text and "<b>10.</b>" in text
    rows = data_of(markup)
    assert rows[0] == [cd.HistoryOpen(n) for n in range(6, 11)]
    assert rows[1] == [cd.HistoryPageNav(0, "2.3"), cd.HistoryPageNav(2, "2.3")]
    assert rows[2] == [cd.HistoryFilterMenu(1, "2.3"), cd.HistoryIndicatorMenu(1, "2.3")]
    assert rows[3] == [cd.HistoryPageNav(0)]


def test_the_whole_list_offers_the_filter_on_a_row_of_its_own():
    page = HistoryPage([entry(1, "note", [])], 0, 1, 1)
    text, markup = views.history(page, "Europe/London")
    assert text.startswith("<b>Your reflections</b> (1–1 of 1)")
    assert data_of(markup)[-1] == [cd.HistoryFilterMenu(0)]
    assert texts_of(markup)[-1] == "🔎 Filter"


def test_an_empty_filtered_list_says_so_and_offers_all_reflections():
    page = HistoryPage([], 0, 1, 0, history_filter(FRAMEWORK, "7"))
    text, markup = views.history(page, "Europe/London")
    assert "None of your reflections evidences competence 7" in text
    assert cd.HistoryPageNav(0) in data_of(markup)[-1]
    assert views.history(HistoryPage([], 0, 1, 0), "Europe/London")[1] is None


def test_the_choosers_lead_to_filtered_lists_and_back():
    text, markup = views.filter_menu(FRAMEWORK, cd.HistoryFilterMenu(2, "3"))
    rows = data_of(markup)
    assert [row[0] for row in rows[:-1]] == [
        cd.HistoryPageNav(0, str(c.number)) for c in FRAMEWORK.competences
    ]
    assert rows[-1] == [cd.HistoryPageNav(0), cd.HistoryPageNav(2, "3")]
    assert texts_of(markup)[-2:] == ["✖ All reflections", "‹ Back"]

    competence = FRAMEWORK.competence(2)
    counts = [IndicatorCount(i, 4 if i.id == "2.3" else 0) for i in competence.indicators]
    text, markup = views.indicator_menu(competence, counts, cd.HistoryIndicatorMenu(1, "2.3"))
    assert f"2.3 {FRAMEWORK.indicator('2.3').short} (4)" in texts_of(markup)
    rows = data_of(markup)
    assert [row[0] for row in rows[:-1]] == [
        cd.HistoryPageNav(0, i.id) for i in competence.indicators
    ]
    assert rows[-1] == [cd.HistoryPageNav(0, "2"), cd.HistoryPageNav(1, "2.3")]


def test_what_can_follow_history_names_the_competence_numbers():
    text, markup = views.filter_help(FRAMEWORK)
    assert "(1, 2, 3, 4, 5, 6, 7)" in text and "/history 2.3" in text
    assert data_of(markup) == [[cd.HistoryFilterMenu(0)]]


def test_every_message_stays_within_telegrams_limit():
    longest = max(FRAMEWORK.indicators, key=lambda i: len(i.short))
    chosen = history_filter(FRAMEWORK, longest.id)
    every_indicator = list(FRAMEWORK.indicator_ids)
    entries = [entry(n, "😀 & <b>" * 400, every_indicator) for n in range(1, 6)]
    text, _ = views.history(HistoryPage(entries, 0, 200, 999, chosen), "Europe/London")
    assert views.shown_units(text) <= views.MESSAGE_CHARS
    for competence in FRAMEWORK.competences:
        counts = [IndicatorCount(i, 99_999) for i in competence.indicators]
        action = cd.HistoryIndicatorMenu(0, str(competence.number))
        text, _ = views.indicator_menu(competence, counts, action)
        assert views.shown_units(text) <= views.MESSAGE_CHARS
    # A framework with enormous indicators: the chooser's buttons still name them.
    huge = tuple(Indicator(f"9.{n}", 9, "long words " * 100, f"Short {n}") for n in range(1, 13))
    competence = Competence(9, "Huge", "", "", huge)
    counts = [IndicatorCount(i, 1) for i in huge]
    text, markup = views.indicator_menu(competence, counts, cd.HistoryIndicatorMenu(0, "9"))
    assert views.shown_units(text) <= views.MESSAGE_CHARS
    assert "9.12 Short 12 (1)" in texts_of(markup)
