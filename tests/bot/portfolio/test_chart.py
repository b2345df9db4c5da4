"""The evidence charts: real PNGs, as wide as promised, one bar per competence or
indicator, the same bytes from any thread."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from bot.portfolio.chart import DPI, WIDTH_INCHES, competence_chart, indicator_chart
from bot.portfolio.document import Coverage
from tests.bot.portfolio.portfolios import SAMPLE

TITLE = "Confirmed evidence, 3 Sep 2026 – 27 Nov 2026"


def decoded(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_competence_chart_is_a_png_as_wide_as_a_phone_screen_shows_sharply() -> None:
    image = decoded(competence_chart(SAMPLE.coverage, TITLE))
    assert image.format == "PNG"
    assert image.width == int(WIDTH_INCHES * DPI) == 1200
    assert 300 < image.height < image.width
    assert len(image.convert("L").getcolors() or ()) > 2  # something is drawn


def test_a_chart_with_no_evidence_at_all_still_draws() -> None:
    empty = Coverage.of(SAMPLE.framework, [])
    assert decoded(competence_chart(empty, TITLE)).width == 1200
    assert decoded(indicator_chart(empty, 6, "Competence 6")).width == 1200


def test_one_bar_per_indicator_so_more_indicators_make_a_taller_chart() -> None:
    framework = SAMPLE.framework
    assert len(framework.competence(6).indicators) > len(framework.competence(1).indicators)
    competence_1 = decoded(indicator_chart(SAMPLE.coverage, 1, "Competence 1"))
    competence_6 = decoded(indicator_chart(SAMPLE.coverage, 6, "Competence 6"))
    assert competence_6.width == competence_1.width == 1200
    assert competence_6.height > competence_1.height


def test_indicator_chart_of_an_unknown_competence_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        indicator_chart(SAMPLE.coverage, 99, "Competence 99")


def test_charts_drawn_in_worker_threads_are_identical() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        charts = list(pool.map(lambda _: competence_chart(SAMPLE.coverage, TITLE), range(4)))
    assert len(set(charts)) == 1
    assert charts[0] == competence_chart(SAMPLE.coverage, TITLE)
