"""/progress through the real services: confirmed evidence per competence over a period,
reflections counted, gaps, hours, and the chart as a PNG."""

from datetime import date

import pytest

from bot.portfolio import Period
from tests.bot.services.conftest import ANN, BO, local, write

PNG = b"\x89PNG\r\n\x1a\n"
# The fake clock starts on Monday 23 Nov 2026, 18:30 UTC: "3m" is 24 Aug to 23 Nov 2026.


def note(services, user_id, started, **tags):
    """A quick note; ``tags`` (confirmed, rejected, status) as ``write`` takes them."""
    answers = [("note", "We talked about the youth forum.")]
    return write(services, user_id, started, "quick", answers, **tags)


@pytest.fixture
def ann(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    note(services, ANN, local(2026, 11, 1, 10), confirmed=("2.6", "2.1"))
    marked = note(
        services, ANN, local(2026, 10, 1, 10), confirmed=("2.6", "6.9"), rejected=("5.1",)
    )
    services.learning.mark(ANN, marked.id, "course", 2.5)
    note(services, ANN, local(2026, 9, 1, 10))  # no evidence, still a reflection
    note(services, ANN, local(2026, 8, 23, 23, 30), confirmed=("1.1",))  # before the 3 months
    note(services, ANN, local(2026, 11, 20, 10), confirmed=("3.1",), status="open")
    note(services, BO, local(2026, 11, 2, 10), confirmed=("7.1", "2.6"))
    return services.users.get(ANN)


def test_progress_over_the_last_three_months(services, ann):
    progress = services.progress.progress(ann, "3m")
    assert progress.period == Period(date(2026, 8, 24), date(2026, 11, 23), "Last 3 months")
    assert progress.reflections == 3
    coverage = progress.coverage
    assert {i: n for i, n in coverage.counts.items() if n} == {"2.1": 1, "2.6": 2, "6.9": 1}
    assert coverage.by_competence == {1: 0, 2: 2, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0}
    assert coverage.with_evidence == 2
    assert coverage.gaps(2) == ("2.2", "2.3", "2.4", "2.5", "2.7", "2.8")
    assert "5.1" in coverage.gaps() and "3.1" in coverage.gaps() and "7.1" in coverage.gaps()
    assert progress.hours.in_period == 2.5


def test_a_longer_period_takes_in_more(services, ann):
    progress = services.progress.progress(ann, "12m")
    assert progress.reflections == 4
    assert progress.coverage.by_competence[1] == 1
    assert progress.coverage.gaps(1) == ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
    assert services.progress.progress(ann, "all").reflections == 4


def test_the_cycle_follows_the_registration_details(services, ann):
    services.learning.set_cycle_start(ann, "1 Nov 2026")
    progress = services.progress.progress(ann, "cycle")
    assert progress.period.start == date(2026, 11, 1)
    assert progress.reflections == 1


def test_no_reflections_no_evidence(services):
    services.users.agree(ANN, "Ann")
    progress = services.progress.progress(services.users.get(ANN), "3m")
    assert progress.reflections == 0 and progress.coverage.total == 0
    assert len(progress.coverage.gaps()) == 56


def test_an_unknown_period_is_a_key_error(services, ann):
    with pytest.raises(KeyError):
        services.progress.progress(ann, "6m")


async def test_the_chart_is_a_png(services, ann):
    progress = services.progress.progress(ann, "3m")
    every = await services.progress.chart(progress)
    one = await services.progress.chart(progress, 2)
    assert every.startswith(PNG) and one.startswith(PNG)
    assert every != one
    empty = await services.progress.chart(services.progress.progress(ann, "3m"), 4)
    assert empty.startswith(PNG)


async def test_a_chart_of_a_competence_that_does_not_exist_is_a_key_error(services, ann):
    progress = services.progress.progress(ann, "3m")
    with pytest.raises(KeyError):
        await services.progress.chart(progress, 9)
