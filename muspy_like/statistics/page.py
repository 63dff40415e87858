"""The building blocks of our self-contained HTML report pages: style, cells, tables, embedded figures.

One look for every report the library writes (the dataset statistics report, the watermark audit): a
page is one HTML string with its plots embedded as base64 PNG, so it can be opened from disk, mailed or
archived without its folder.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

__all__ = ["STYLE", "format_value", "figure_html", "table_html", "failures_html", "page_html"]

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
h1 { margin-bottom: 0.2em; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
thead th { background: #f0f0f0; } tbody th { text-align: left; font-weight: normal; font-family: monospace; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; } .ok { color: #276227; } .bad { color: #a02020; }
"""


def format_value(value: Any) -> str:
    """A table cell: floats to 3 significant digits (large ones with thousands separators), NaN as a dash."""
    if isinstance(value, float):
        if value != value:
            return "&ndash;"
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return html.escape(str(value))


def figure_html(key: str, path: Union[str, Path], caption: str) -> str:
    """A ``<figure>`` with the PNG at ``path`` embedded as base64 and its caption (and file name)."""
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption = html.escape(caption)
    return (f"<figure id='{html.escape(key)}'><img alt='{caption}' src='data:image/png;base64,{encoded}'>"
            f"<figcaption>{caption} ({html.escape(Path(path).name)})</figcaption></figure>")


def table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table whose first column holds row names; cells go through :func:`format_value`."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        f"<tr><th>{format_value(row[0])}</th>{''.join(f'<td>{format_value(v)}</td>' for v in row[1:])}</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def failures_html(records: Sequence[dict[str, str]], what: str, fields: Sequence[str] = ("source", "error", "message"),
                  left_out: str = "the figures above") -> str:
    """The failures section: a green line when there are none, else a red count and one row per failure."""
    if not records:
        return f"<p class='ok'>Every {what} was read and described.</p>"
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(f, '')))}</td>" for f in fields) + "</tr>"
                   for r in records)
    head = "".join(f"<th>{html.escape(f)}</th>" for f in fields)
    return (f"<p class='bad'>{len(records)} {what}(s) could not be read or described; they are left out of "
            f"{left_out}.</p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def page_html(title: str, meta: str, body: str) -> str:
    """The whole page: ``title`` (escaped here), a ``meta`` line and the ``body`` (both already HTML)."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">{meta}</p>
{body}
</body></html>
"""
