"""The shared HTML page template: escaping, tables with notes, figures, failures, and the missing-extra hint."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from muspy_like.statistics import page
from muspy_like.statistics.page import Cell, Failures, Figure, Paragraph, Section, Table, format_value, render_page


def test_page_escapes_every_text_and_lays_out_the_items(tmp_path):
    from muspy_like.statistics.plots import new_figure, save_figure

    figure = new_figure(2, 2)
    figure.add_subplot(1, 1, 1).plot(np.arange(3))
    png = save_figure(figure, tmp_path / "p<1>.png")
    html = render_page("A <b> & 'c'", "facts <i>", [
        Section("Table & co", [Table(["name", "value", "range"], [["<row>", 1.23456, Cell(2.0, "1\u20133 <x>")],
                                                                  ["nan", math.nan, None]],
                                     header_notes=[None, "n <= 3", None])],
                bullets=["note <script>alert(1)</script>"]),
        Section("Figure", [Figure("k'", png, "cap <tion>")]),
        Section("Bad", [Paragraph("ver<dict>", "bad", strong=True),
                        Failures([{"source": "x<.mid", "error": "E", "message": "m&m"}], "piece")]),
        Section("Good", [Failures([], "file")]),
    ])
    assert "<title>A &lt;b&gt; &amp; &#39;c&#39;</title>" in html and "facts &lt;i&gt;" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<tr><th>&lt;row&gt;</th><td>1.23</td><td>2 <small>(1\u20133 &lt;x&gt;)</small></td></tr>" in html
    assert "<tr><th>nan</th><td>\u2013</td><td>\u2013</td></tr>" in html
    assert "<th>value<br><small>n &lt;= 3</small></th>" in html
    assert "<figure id='k&#39;'><img alt='cap &lt;tion&gt;' src='data:image/png;base64,iVBOR" in html
    assert "(p&lt;1&gt;.png)" in html
    assert "<p class=\"bad\"><strong>ver&lt;dict&gt;</strong></p>" in html
    assert "1 piece(s) could not be read" in html and "x&lt;.mid" in html and "m&amp;m" in html
    assert "Every file was read and described." in html


def test_values_are_formatted_for_cells():
    assert [format_value(v) for v in (0.000123456, 12345.6, True, None, "a", 7)] == \
        ["0.000123", "12,346", "yes", "\u2013", "a", "7"]


def test_a_missing_jinja2_names_the_extra(monkeypatch):
    monkeypatch.setattr(page, "_ENVIRONMENT", None)
    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 now fails as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "muspy_like\[stats\]"'):
        render_page("t", "f", [])
