"""Our self-contained HTML report pages, rendered from one jinja2 template (``page.html`` beside this module).

One look for every report the library writes (the dataset statistics report, the watermark audit): a page
is a title, a line of facts, then sections of paragraphs, tables, embedded figures and failure lists. The
plots are embedded as base64 PNG, so a page can be opened from disk, mailed or archived without its folder.

Callers describe the page with the small data classes below and never write HTML: the template is
rendered with autoescaping on, so a file name, a dataset label or an error message holding ``<``, ``&``
or quotes is shown as text and cannot break (or script) the page. jinja2 is imported when a page is
rendered (``pip install "muspy_like[stats]"`` or ``"muspy_like[audio]"``).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from muspy_like.extras import require

__all__ = ["Cell", "Table", "Figure", "Paragraph", "Failures", "Section", "format_value", "render_page"]


@dataclass(frozen=True)
class Cell:
    """A table cell with a smaller note after its value, e.g. a median and its ``(p25–p75)`` range."""

    value: Any
    note: Optional[str] = None


@dataclass(frozen=True)
class Table:
    """A table whose first column names the rows; cells are values (see :func:`format_value`) or :class:`Cell`.

    ``header_notes`` puts a smaller second line under column headers (same length as ``headers``; None for none).
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    header_notes: Optional[Sequence[Optional[str]]] = None
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Figure:
    """A PNG file embedded in the page with its caption (the file name is shown after it)."""

    key: str
    path: Union[str, Path]
    caption: str
    kind: str = field(default="figure", init=False)

    @property
    def data(self) -> str:
        """The PNG as base64 text."""
        return base64.b64encode(Path(self.path).read_bytes()).decode("ascii")

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Paragraph:
    """Text (escaped), optionally bold and with a style class: ``"ok"`` (green) or ``"bad"`` (red)."""

    text: str
    style: str = ""
    strong: bool = False
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Failures:
    """What could not be read: a green line when ``records`` is empty, else a red count and one row each.

    ``what`` names one item ("piece", "file"); ``left_out`` says what the failures are missing from.
    """

    records: Sequence[dict[str, Any]]
    what: str
    fields: Sequence[str] = ("source", "error", "message")
    left_out: str = "the figures above"
    kind: str = field(default="failures", init=False)


@dataclass(frozen=True)
class Section:
    """A heading, its items (:class:`Paragraph`, :class:`Table`, :class:`Figure`, :class:`Failures`), then a bullet list."""

    heading: str
    items: Sequence[Any] = ()
    bullets: Sequence[str] = ()


def format_value(value: Any) -> str:
    """A table cell as text: floats to 3 significant digits (large ones with thousands separators), NaN and None
    as a dash, booleans as yes/no."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "\u2013"
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


_ENVIRONMENT: Any = None


def _environment() -> Any:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        jinja2 = require("jinja2", "stats", "HTML reports")
        environment = jinja2.Environment(loader=jinja2.PackageLoader("muspy_like.statistics", "."),
                                         autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                         undefined=jinja2.StrictUndefined)
        environment.filters["cell"] = format_value
        _ENVIRONMENT = environment
    return _ENVIRONMENT


def render_page(title: str, facts: str, sections: Sequence[Section]) -> str:
    """The whole page as one HTML string.

    Parameters
    ----------
    title : str
        The page's title and first heading.
    facts : str
        A line under the title (counts, date, version, where the full tables are).
    sections : sequence of Section
        The body, in order.
    """
    return _environment().get_template("page.html").render(title=title, facts=facts, sections=sections)
