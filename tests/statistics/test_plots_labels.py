"""What the report's plots say about what they show: a cut piano roll says it is cut; program 0 is not
claimed to be a piano."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from muspy_like import Music, Note, Track  # noqa: E402
from muspy_like.statistics import plots  # noqa: E402


def _piece(quarters: int) -> Music:
    notes = [Note(time=q * 24, pitch=60 + q % 12, duration=24, velocity=64) for q in range(quarters)]
    return Music(resolution=24, tracks=[Track(program=0, name="Soprano", notes=notes)])


def test_a_cut_piano_roll_says_how_much_it_shows():
    figure = plots.plot_pianoroll(_piece(100), title="Roll", max_quarters=64)
    assert figure.axes[0].get_title() == "Roll (first 64 of 100 quarter notes)"


def test_a_whole_piano_roll_keeps_its_title():
    figure = plots.plot_pianoroll(_piece(10), title="Roll", max_quarters=64)
    assert figure.axes[0].get_title() == "Roll"


def test_program_zero_is_not_claimed_to_be_a_piano():
    histogram = {"families": np.eye(17)[0]}
    figure = plots.plot_instrument_usage({"chorales": histogram}, {"chorales": 1})
    first = figure.axes[0].get_yticklabels()[0].get_text()
    assert first.startswith("Piano") and "none given" in first
