"""The rules for phone numbers, e-mail addresses, postcodes, dates of birth and school years."""

from __future__ import annotations

import pytest

from bot.identifiers.structured import (
    find_dates_of_birth,
    find_emails,
    find_phones,
    find_postcodes,
    find_school_years,
    school_year_findings,
)


def texts(findings: list) -> list[str]:
    return [f.text for f in findings]


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "07700 900 123",
        "07 700 900 461",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)131 496 0000",
        "+44 (0) 7700 900123",
        "0044 7700 900123",
        "0131 496 0000",
        "(0131) 496 0000",
        "0131-496-0000",
        "01592 123456",
        "01592 583 204",
        "020 7946 0000",
        "+48 601 234 567",
    ],
)
def test_phone_numbers_in_common_writings(number: str) -> None:
    text = f"Her number is {number}, call after six."
    assert texts(find_phones(text)) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Session on 07/03/2024 went well.",
        "Session on 07.03.24 went well.",
        "Born 01-03-2011.",
        "Costs £1200 for 30 learners.",
        "Started at 10:30 and finished at 12.15.",
        "SQA unit H22X 75 and room 0.12.",
        "Ring 0131 and ask for the office.",  # a code alone
        "Childline is 0800 1111 and Breathing Space 0800 83 85 87.",  # helplines
        "Reference 2024/0713/5562 from social work.",
        "About 1234567890 people.",  # ten digits not starting with 0
    ],
)
def test_things_that_are_not_phone_numbers(text: str) -> None:
    assert find_phones(text) == []


def test_a_phone_number_stops_before_digits_that_are_not_part_of_it() -> None:
    text = "Mum on 07700 900123 2 kids at home"
    assert texts(find_phones(text)) == ["07700 900123"]


def test_two_phone_numbers_side_by_side() -> None:
    text = "Home 0131 496 0000 or mobile 07700 900123."
    assert texts(find_phones(text)) == ["0131 496 0000", "07700 900123"]
    assert texts(find_phones("Phone: 07700 900123/07700 900124")) == [
        "07700 900123",
        "07700 900124",
    ]


@pytest.mark.parametrize(
    "address",
    ["jamie.fraser@gmail.com", "o'neill.s@btinternet.com", "K.Smith@fife.gov.uk", "a+b@x.co"],
)
def test_email_addresses(address: str) -> None:
    text = f"Email {address}."
    assert texts(find_emails(text)) == [address]


@pytest.mark.parametrize(
    "text", ["Tweeted @youthlinkscot about it.", "Meet @ 7pm at the hall.", "name@ nothing"]
)
def test_things_that_are_not_email_addresses(text: str) -> None:
    assert find_emails(text) == []


@pytest.mark.parametrize(
    "postcode", ["KY1 2AB", "KY12AB", "ky1 2ab", "EH11 4DS", "G51 2XY", "DD1 4HQ", "AB10 1XG"]
)
def test_full_postcodes_with_or_without_the_space_in_any_case(postcode: str) -> None:
    text = f"Lives at 3 Main St, {postcode}, near the shops."
    assert texts(find_postcodes(text)) == [postcode]


@pytest.mark.parametrize(
    "text",
    [
        "Most live in KY1 or KY2.",  # districts alone
        "SQA unit F3GB 11 and H4KF 74.",
        "Room B12 on floor 2.",
        "Starts at 5pm, S4 3rd period.",
        "The S3 4th year split.",
        "S4 5th period was cancelled.",
        "QQ1 2AB is not an area.",
        "Paid £12 5AB",
    ],
)
def test_things_that_are_not_postcodes(text: str) -> None:
    assert find_postcodes(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB 12/03/2011", "12/03/2011"),
        ("D.O.B: 12.3.11", "12.3.11"),
        ("d.o.b. 2.9.1985, lives in Glenrothes", "2.9.1985"),
        ("date of birth 12 March 2011", "12 March 2011"),
        ("She was born on March 12th 2011.", "March 12th 2011"),
        ("born on the 3rd of August 2010 so", "3rd of August 2010"),
        ("Born 2011-03-12 in Aleppo", "2011-03-12"),
        ("born in Kirkcaldy on 12/03/2011", "12/03/2011"),
        ("Her birthday is 22nd June", "22nd June"),
        ("12/03/2011 (DOB) on the form", "12/03/2011"),
        ("30/11/08 is his date of birth", "30/11/08"),
        ("He was born in May 2011.", "May 2011"),
    ],
)
def test_dates_said_to_be_birth_dates(text: str, date: str) -> None:
    assert texts(find_dates_of_birth(text)) == [date]


@pytest.mark.parametrize(
    "text",
    [
        "Session on 12/03/2024 went well.",
        "Met on 12 March 2024 to plan the trip.",
        "Born in Kirkcaldy, she moved here on 12/03/2020.",
        "Learners were born in Syria and Eritrea. The course started 01/09/2023.",
        "12/03/2024: we talked about birthdays.",
        "It was my birthday so I brought cake.",
        "born in 2011",  # a year alone
    ],
)
def test_dates_that_are_not_birth_dates(text: str) -> None:
    assert find_dates_of_birth(text) == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("An S3 pupil at Beath High was upset.", "S3 pupil at Beath High"),
        ("He's in S4 at St Andrew's RC High and", "S4 at St Andrew's RC High"),
        ("a fourth year at Balwearie High School.", "fourth year at Balwearie High School"),
        ("Year 9 at Lochgelly High School", "Year 9 at Lochgelly High School"),
        ("the P7s from St Marie's Primary came", "P7s from St Marie's Primary"),
        ("Kinross High S2 boy came", "Kinross High S2"),
        ("Eilidh, S5, Kirkcaldy High School, wants", "S5, Kirkcaldy High School"),
        ("a p6 at Capshard Primary", "p6 at Capshard Primary"),
        ("third-year pupil at Leith Academy", "third-year pupil at Leith Academy"),
    ],
)
def test_a_year_group_with_a_named_school(text: str, span: str) -> None:
    found = school_year_findings(text, find_school_years(text))
    assert texts(found) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "Mostly S1 and S2 tonight.",  # year groups alone
        "Had a chat with staff at Beath High about a group.",  # a school alone
        "Met the head of Balwearie High and the P7 teachers from the cluster.",
        "The P7 teachers at Pilrig Park Primary want a transition group.",
        "Sunday School in S1 was mentioned.",
        "S4. Then we went to Beath High.",  # different sentences
        "The S3 group went to Kirkcaldy High Street for chips.",
    ],
)
def test_a_year_group_or_a_school_alone_is_not_reported(text: str) -> None:
    assert school_year_findings(text, find_school_years(text)) == []
