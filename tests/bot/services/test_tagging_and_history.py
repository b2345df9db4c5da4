import pytest

from bot.services import NotAllowed, NotFound

ANN, BO = 101, 202
CONFLICT = (
    "Two young people were fighting; I worked towards the resolution of conflict. "
    "I tried to understand the underlying dynamics at work within the group."
)


@pytest.fixture
async def finished(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    services.reflecting.start(ANN, "quick")
    return await services.reflecting.receive_text(ANN, CONFLICT)


async def test_confirm_reject_and_clear(services, finished):
    tagging, rid = services.tagging, finished.reflection.id
    first = finished.suggestions[0].indicator_id
    view = tagging.choose(ANN, rid, first, "confirm")
    assert view.status(first) == "confirmed" and view.confirmed == [first]
    view = tagging.choose(ANN, rid, first, "reject")
    assert view.status(first) == "rejected"
    view = tagging.choose(ANN, rid, first, "clear")
    assert view.status(first) is None


async def test_none_of_these_rejects_all_but_confirmed(services, finished):
    tagging, rid = services.tagging, finished.reflection.id
    ids = [s.indicator_id for s in finished.suggestions]
    assert len(ids) >= 2
    tagging.choose(ANN, rid, ids[0], "confirm")
    view = tagging.none_of_these(ANN, rid)
    assert view.status(ids[0]) == "confirmed"
    assert all(view.status(i) == "rejected" for i in ids[1:])


async def test_any_indicator_can_be_picked_and_unpicked(services, finished):
    tagging, rid = services.tagging, finished.reflection.id
    view = tagging.choose(ANN, rid, "7.9", "confirm")
    assert view.picked == ["7.9"] and "7.9" in view.confirmed
    view = tagging.choose(ANN, rid, "7.9", "clear")
    assert view.picked == []


async def test_a_tap_sets_a_state_and_a_repeated_tap_keeps_it(services, finished):
    """Telegram may fail to update the buttons; tapping the same one again must not undo."""
    tagging, rid = services.tagging, finished.reflection.id
    indicator = finished.suggestions[0].indicator_id
    for _ in range(2):
        assert tagging.choose(ANN, rid, indicator, "confirm").status(indicator) == "confirmed"
    for _ in range(2):
        assert tagging.choose(ANN, rid, indicator, "reject").status(indicator) == "rejected"
    for _ in range(2):
        assert tagging.choose(ANN, rid, indicator, "clear").status(indicator) is None


async def test_forged_or_foreign_taps_change_nothing(services, finished):
    tagging, rid = services.tagging, finished.reflection.id
    with pytest.raises(NotFound):
        tagging.choose(ANN, rid, "9.9", "confirm")
    with pytest.raises(NotAllowed):
        tagging.choose(BO, rid, "2.6", "confirm")
    with pytest.raises(NotFound):
        tagging.view(ANN, 999_999)
    assert tagging.view(ANN, rid).decisions == {}


async def test_history_pages_newest_first_with_confirmed_tags(services, finished, clock):
    tagging = services.tagging
    tagging.choose(ANN, finished.reflection.id, "2.6", "confirm")
    for n in range(6):
        clock.advance(hours=1)
        services.reflecting.start(ANN, "quick")
        await services.reflecting.receive_text(ANN, f"note number {n}")
    page = services.history.page(ANN, 0)
    assert (page.total, page.pages, page.has_newer, page.has_older) == (7, 2, False, True)
    assert page.entries[0].reflection.text == "note number 5"
    last = services.history.page(ANN, 1)
    assert [e.number for e in last.entries] == [6, 7]
    assert last.entries[-1].confirmed == ["2.6"]
    assert services.history.page(ANN, 99).page == 1  # stale page numbers clamp
    assert services.history.page(BO, 0).total == 0
