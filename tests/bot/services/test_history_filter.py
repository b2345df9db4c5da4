"""/history filtered by a competence or an indicator: which filters exist, and the pages
and counts the history service gives for them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import NotFound, history_filter
from tests.bot.services.conftest import ANN, BO, local, write

START = local(2026, 11, 2, 19, 0)


def note(services, n, user_id=ANN, confirmed=(), rejected=()):
    """A quick note ``n`` hours after START, with these tags."""
    return write(
        services,
        user_id,
        START + timedelta(hours=n),
        "quick",
        [("note", f"note {n}")],
        confirmed=confirmed,
        rejected=rejected,
    )


def texts(page):
    return [e.reflection.text for e in page.entries]


def test_a_filter_is_a_competence_or_an_indicator_of_the_framework(services):
    framework = services.framework
    assert history_filter(framework, None) is None
    competence = history_filter(framework, "3")
    assert competence.competence.number == 3 and competence.indicator is None
    assert competence.key == "3"
    assert competence.indicator_ids == tuple(i.id for i in framework.competence(3).indicators)
    indicator = history_filter(framework, "2.3")
    assert (indicator.competence.number, indicator.indicator.id) == (2, "2.3")
    assert indicator.key == "2.3" and indicator.indicator_ids == ("2.3",)
    for key in ["", "foo", "9", "0", "03", "2.99", "2.", "2.03", "3 4", "<b>"]:
        with pytest.raises(NotFound):
            history_filter(framework, key)


def test_a_competence_filter_lists_reflections_with_one_of_its_indicators_confirmed(services):
    services.users.agree(ANN, "Ann")
    note(services, 0, confirmed=["2.6"])
    note(services, 1, confirmed=["3.1"])
    note(services, 2, rejected=["2.3"])  # rejected: not evidence
    note(services, 3)
    note(services, 4, confirmed=["2.1", "2.3"])
    page = services.history.page(ANN, 0, history_filter(services.framework, "2"))
    assert texts(page) == ["note 4", "note 0"]
    assert [e.number for e in page.entries] == [1, 2]  # positions in the filtered list
    assert (page.total, page.pages, page.has_older) == (2, 1, False)
    assert page.entries[0].confirmed == ["2.1", "2.3"]
    assert page.filter.key == "2"
    assert services.history.page(ANN, 0).filter is None
    assert services.history.page(ANN, 0).total == 5


def test_a_filtered_history_pages_and_clamps(services):
    services.users.agree(ANN, "Ann")
    for n in range(8):
        note(services, n, confirmed=["2.3"] if n != 4 else ["2.6"])
    chosen = history_filter(services.framework, "2.3")
    first = services.history.page(ANN, 0, chosen)
    assert texts(first) == ["note 7", "note 6", "note 5", "note 3", "note 2"]
    assert (first.total, first.pages, first.has_newer, first.has_older) == (7, 2, False, True)
    second = services.history.page(ANN, 1, chosen)
    assert texts(second) == ["note 1", "note 0"]
    assert [e.number for e in second.entries] == [6, 7]
    assert second.filter == chosen
    assert services.history.page(ANN, 99, chosen).page == 1


def test_nothing_matching_is_an_empty_page(services):
    services.users.agree(ANN, "Ann")
    note(services, 0, confirmed=["2.3"])
    page = services.history.page(ANN, 3, history_filter(services.framework, "7"))
    assert (page.entries, page.total, page.page, page.pages) == ([], 0, 0, 1)


def test_another_practitioners_reflections_are_never_listed_or_counted(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    note(services, 0, confirmed=["2.3"])
    note(services, 1, user_id=BO, confirmed=["2.3", "2.4"])
    note(services, 2, user_id=BO, confirmed=["2.3"])
    page = services.history.page(ANN, 0, history_filter(services.framework, "2"))
    assert texts(page) == ["note 0"] and page.total == 1
    counts = services.history.indicator_counts(ANN, services.framework.competence(2))
    assert {c.indicator.id: c.reflections for c in counts if c.reflections} == {"2.3": 1}


def test_indicator_counts_cover_every_indicator_of_the_competence_in_order(services):
    services.users.agree(ANN, "Ann")
    note(services, 0, confirmed=["2.3", "2.6"])
    note(services, 1, confirmed=["2.3"])
    note(services, 2, rejected=["2.6"], confirmed=["3.2"])
    competence = services.framework.competence(2)
    counts = services.history.indicator_counts(ANN, competence)
    assert [c.indicator for c in counts] == list(competence.indicators)
    assert {c.indicator.id: c.reflections for c in counts} == {
        i.id: {"2.3": 2, "2.6": 1}.get(i.id, 0) for i in competence.indicators
    }
