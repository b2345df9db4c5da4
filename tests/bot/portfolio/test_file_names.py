"""Export file names: safe on every system, and still telling whose and when."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.portfolio import FORMATS, file_name
from tests.bot.portfolio.portfolios import SAMPLE

SAFE = re.compile(r"portfolio(-[a-z0-9]+)*-(\d{4}-\d\d-\d\d|start)-to-\d{4}-\d\d-\d\d\.[a-z]+")


def named(name: str):
    return replace(SAMPLE, practitioner=name)


def test_the_sample():
    assert file_name(SAMPLE, "pdf") == "portfolio-morven-campbell-2026-09-03-to-2026-11-27.pdf"


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_format_has_its_extension(key):
    name = file_name(SAMPLE, key)
    assert name.endswith("." + FORMATS[key].extension)
    assert SAFE.fullmatch(name)


@pytest.mark.parametrize(
    ("practitioner", "slug"),
    [
        ("Mòrag Ní Bhriain", "morag-ni-bhriain"),
        ("Zoë  O'Neill-Smith", "zoe-o-neill-smith"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con"),
        ("Anna 🙂", "anna"),
    ],
)
def test_names_become_ascii_slugs(practitioner, slug):
    assert file_name(named(practitioner), "csv") == f"portfolio-{slug}-2026-09-03-to-2026-11-27.csv"


@pytest.mark.parametrize("practitioner", ["Олена Коваленко", "王芳", "محمد", "🙂", ""])
def test_names_with_no_latin_letters_are_left_out(practitioner):
    assert file_name(named(practitioner), "md") == "portfolio-2026-09-03-to-2026-11-27.md"


def test_long_names_are_cut_without_a_trailing_dash():
    name = file_name(named("Alexandra Wilhelmina Featherstonehaughs Cholmondeley"), "json")
    slug = name.removeprefix("portfolio-").removesuffix("-2026-09-03-to-2026-11-27.json")
    assert slug == "alexandra-wilhelmina-featherstonehaughs"  # the 40th was "-"
    assert len(slug) <= 40


def test_a_period_from_the_very_start():
    portfolio = replace(SAMPLE, period=replace(SAMPLE.period, start=None))
    assert file_name(portfolio, "docx") == "portfolio-morven-campbell-until-2026-11-27.docx"


def test_an_unknown_format_is_a_key_error():
    with pytest.raises(KeyError):
        file_name(SAMPLE, "xls")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_name_gives_a_safe_file_name(practitioner):
    name = file_name(named(practitioner), "pdf")
    assert SAFE.fullmatch(name), name
    assert len(name) <= 100
