"""Which updates count as a person in their private chat (the rest never reach handlers)."""

import pytest
from telegram import Update

from bot.telegram import callback_data as cd
from bot.telegram.gate import is_private_person, next_message

ANN = {"id": 1001, "is_bot": False, "first_name": "Ann"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Ann"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Team"}


def message(**fields) -> dict:
    return {"message_id": 1, "date": 0, "chat": PRIVATE, "from": ANN, "text": "hi", **fields}


@pytest.mark.parametrize(
    ("payload", "allowed"),
    [
        ({"message": message()}, True),
        ({"edited_message": {**message(), "edit_date": 1}}, True),
        ({"message": message(chat=GROUP)}, False),
        ({"message": message(sender_chat=GROUP)}, False),
        ({"message": message(**{"from": {**ANN, "is_bot": True}})}, False),
        ({"message": message(chat={**PRIVATE, "id": 2002})}, False),
        ({"business_message": {**message(), "business_connection_id": "b1"}}, False),
        ({"channel_post": message(chat={**GROUP, "type": "channel"})}, False),
        (
            {"callback_query": {"id": "1", "from": ANN, "chat_instance": "x", "data": "hp:0"}},
            False,  # no message: pressed on an inline message, which we never send
        ),
        (
            {
                "callback_query": {
                    "id": "1",
                    "from": ANN,
                    "chat_instance": "x",
                    "data": "hp:0",
                    "message": message(),
                }
            },
            True,
        ),
        ({"inline_query": {"id": "1", "from": ANN, "query": "x", "offset": ""}}, False),
    ],
)
def test_only_a_person_in_their_private_chat_gets_through(payload, allowed):
    update = Update.de_json({"update_id": 1, **payload}, None)
    assert is_private_person(update) is allowed


def press(data: str) -> dict:
    return {
        "callback_query": {
            "id": "1",
            "from": ANN,
            "chat_instance": "x",
            "data": data,
            "message": message(),
        }
    }


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"message": message(text="We ran the pool night.")}, "text"),
        ({"message": message(text="/cancel")}, "cancel"),
        ({"message": message(text="/cancel@reflect_bot")}, "cancel"),
        ({"message": message(text="/history")}, "moved_on"),
        ({"message": message(text=None, sticker=None, photo=[])}, "moved_on"),
        ({"edited_message": {**message(), "edit_date": 1}}, "ignore"),
        (press("ea:1:2"), "ignore"),  # the wait's own button
        (press("hd:keep:3"), "ignore"),  # the identifier guard's, which comes first
        (press("hp:0"), "moved_on"),
        (press("not ours"), "moved_on"),
    ],
)
def test_what_an_update_is_to_a_wait_for_the_next_text_message(payload, kind):
    update = Update.de_json({"update_id": 1, **payload}, None)
    assert next_message(update, (cd.EditAnswer, cd.HeldChoice)) == kind
