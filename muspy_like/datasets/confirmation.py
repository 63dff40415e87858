"""Interstitial pages that stand between a download link and the file (Google Drive's large-file page).

Google Drive answers ``https://drive.google.com/uc?export=download&id=ID`` for a file too large for its
virus scan with an HTML page instead of the file: "Google Drive can't scan this file for viruses ...
Download anyway". The page carries the real request as a form (current pages: a GET form to
``drive.usercontent.google.com/download`` with hidden ``id``, ``export``, ``confirm`` and ``uuid``
fields) or as a link whose query holds ``confirm=TOKEN`` (older pages, which also set a
``download_warning`` cookie the next request must send back). :func:`confirmation_url` finds that request
in any such page; the downloader follows it once, with the page's cookies.
"""

from __future__ import annotations

import html.parser
import urllib.parse
from typing import Optional

__all__ = ["confirmation_url"]


class _Forms(html.parser.HTMLParser):
    """Collects the forms (action, method, named inputs) and link targets of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.links: list[str] = []
        self._open: Optional[tuple[str, str, list[tuple[str, str]]]] = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = (values.get("action", ""), values.get("method", "get").lower(), [])
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and values.get("name"):
            self._open[2].append((values["name"], values.get("value", "")))
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def confirmation_url(page: str, page_url: str) -> Optional[str]:
    """The URL that confirms the download offered by an interstitial HTML page, or None.

    Parameters
    ----------
    page : str
        The HTML text served instead of the file.
    page_url : str
        The URL that served it (relative actions and links are resolved against it).

    Examples
    --------
    >>> confirmation_url('<form action="/download" method="get"><input type="hidden" name="id" value="X">'
    ...                  '<input type="hidden" name="confirm" value="t"></form>', "https://host/uc?id=X")
    'https://host/download?id=X&confirm=t'
    """
    parser = _Forms()
    parser.feed(page)
    parser.close()
    for action, method, inputs in parser.forms:
        if method == "get" and any(name == "confirm" for name, _ in inputs):
            target = urllib.parse.urljoin(page_url, action or page_url)
            base, _, query = target.partition("?")
            pairs = urllib.parse.parse_qsl(query) + inputs
            return base + "?" + urllib.parse.urlencode(pairs)
    for link in parser.links:
        target = urllib.parse.urljoin(page_url, link)
        if "confirm" in urllib.parse.parse_qs(urllib.parse.urlsplit(target).query):
            return target
    return None
