"""The longest message each list-like view can make, against Telegram's limit.

Telegram refuses a message showing more than 4,096 characters (UTF-16 units, after HTML
is parsed). This builds each view at its worst with the real framework: every one of
the 56 indicators tagged, the three suggestions with the longest indicator texts, texts
and names made of emoji (two units each) at their longest, the longest competence
title in a filtered heading, and prints how much of the limit each uses.

    .venv/bin/python benchmarks/message_sizes.py
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services import HistoryEntry, HistoryPage, TagView, history_filter
from bot.services.about import NAME_CHARS, NAMES_OFFERED, About, NameOffered
from bot.services.history import IndicatorCount
from bot.telegram import about_views, history_views, tag_views
from bot.telegram import callback_data as cd
from bot.telegram.views import MESSAGE_CHARS, shown_units
from framework import load_framework
from storage import Reflection, StoredSuggestion

LIMIT = 4096
WIDE = "😀"  # two UTF-16 units: the worst case for a limit counted in units
WHEN = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def reflection(rid: int = 1) -> Reflection:
    return Reflection(
        id=rid,
        user_id=1,
        kind="guided",
        question_set_id="what-so-what",
        question_set_version=2,
        status="done",
        started_at=WHEN,
        finished_at=WHEN,
        text=WIDE * 2000,
        about=WIDE * NAME_CHARS,
        session_date=date(2026, 11, 22),
    )


def main() -> None:
    framework = load_framework()
    indicators = [i for c in framework.competences for i in c.indicators]
    longest = sorted(indicators, key=lambda i: len(i.text), reverse=True)[:3]
    every = {i.id: "confirmed" for i in indicators}
    suggestions = [
        StoredSuggestion(1, i.id, 0.9, n, "model", WIDE * 2000) for n, i in enumerate(longest, 1)
    ]
    view = TagView(reflection(), suggestions, every)
    offered = [NameOffered(WIDE * NAME_CHARS, reflection_id=n) for n in range(NAMES_OFFERED)]
    about = About(reflection(), date(2026, 11, 23), offered, [date(2026, 11, 23)] * 7)
    heading = tag_views.past_heading(view.reflection, "Europe/London")
    widest = max(framework.competences, key=lambda c: (len(c.indicators), len(c.title)))
    title = max(framework.competences, key=lambda c: len(c.title))
    entries = [HistoryEntry(n, reflection(n), [i.id for i in indicators]) for n in range(1, 6)]
    filtered = HistoryPage(entries, 0, 3, 15, history_filter(framework, str(title.number)))
    counts = [IndicatorCount(i, 999) for i in widest.indicators]
    views = {
        "tag editor, every indicator tagged": tag_views.tags(
            view, framework, heading=heading, about=about, past=True
        ),
        "tag editor, done": tag_views.tags(
            view, framework, heading=heading, about=about, past=True, done=True
        ),
        "tag editor, one competence's indicators": tag_views.indicators(
            view, framework, widest.number
        ),
        "what it was about, chooser": about_views.chooser(about, past=True),
        "/history, a page": history_views.history(HistoryPage(entries, 0, 3, 15), "Europe/London"),
        "/history, a filtered page": history_views.history(filtered, "Europe/London"),
        "/history, one indicator's chooser": history_views.indicator_menu(
            widest, counts, cd.HistoryIndicatorMenu(0, str(widest.number))
        ),
    }
    print(f"{'view':44} {'shown':>6} {'of 4,096':>9}  {'under ours':>10}")
    for name, (text, _) in views.items():
        units = shown_units(text)
        fits = "yes" if units <= MESSAGE_CHARS else "NO"
        print(f"{name:44} {units:>6} {units / LIMIT:>8.0%}  {fits:>10}")


if __name__ == "__main__":
    main()
