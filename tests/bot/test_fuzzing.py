"""Property-based tests: whatever arrives, parsing and intake never raise, and what is
stored is never more than what was sent."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage
from bot.identifiers import FakeIdentifierDetector, redact
from bot.services.intake import EmptyText
from bot.services.text_input import clean_text
from bot.telegram import callback_data as cd

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.one_of(st.none(), ANY_TEXT, st.binary().map(lambda b: b.decode("latin-1"))))
def test_any_button_data_parses_to_an_action_or_none(data):
    action = cd.parse(data)
    if action is not None:
        assert cd.parse(cd.encode(action)) == action


@FUZZ
@given(
    st.from_regex(
        r"(tg|ta|pc|ho|dr|ea|hd|fg|hp|ht|op|cx|nt|qs|ok):[a-z0-9.:]{0,40}", fullmatch=True
    )
)
def test_button_data_of_our_shapes_never_breaks_parsing(data):
    action = cd.parse(data)
    assert action is None or len(cd.encode(action).encode()) <= cd.MAX_BYTES


@FUZZ
@given(ANY_TEXT)
def test_cleaned_text_is_never_empty_and_has_no_nul(text):
    cleaned = clean_text(text)
    assert cleaned is None or (cleaned.strip() and "\x00" not in cleaned)


@FUZZ
@given(ANY_TEXT)
def test_redaction_of_whatever_is_found_never_fails(text):
    findings = FakeIdentifierDetector().find(text)
    redacted = redact(text, findings)
    assert all(
        f.text not in redacted or f.kind == "school_year" for f in findings if len(f.text) > 4
    )


USER_IDS = itertools.count(5000)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
async def test_intake_takes_any_text_and_stores_only_what_was_sent(services, clock, texts):
    user_id = next(USER_IDS)  # a new practitioner for each example: the database is shared
    services.users.agree(user_id, "Ann")
    for text in texts:
        result = await services.intake.receive_text(user_id, text)
        if isinstance(result, EmptyText):
            assert clean_text(text) is None
        if services.intake.waiting(user_id) is not None:
            await services.intake.resolve(user_id, "rewrite")
    stored = [a["text"] for a in storage.rows_about(services.db, user_id)["answers"]]
    sent = [clean_text(t) for t in texts]
    assert all(text in sent for text in stored)
