"""Validation of MusicXML files against the official MusicXML 4.0 schema (XSD), offline, with lxml.

The schema ships with muspy_like (``musicxml-4.0.xsd``, published by the W3C Music Notation Community
Group under the W3C Community Final Specification Agreement, unchanged), with the two W3C schemas it
imports from the web (``xml.xsd`` and ``xlink.xsd``, the W3C's published files, unchanged). A resolver
maps their URLs to the shipped copies, so validation never touches the network; lxml (libxml2) checks
the document, so no other library is needed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from muspy_like.errors import MusicXMLError

__all__ = ["SCHEMA_PATH", "musicxml_schema", "validate_musicxml"]

_HERE = Path(__file__).resolve().parent
#: The MusicXML 4.0 XSD shipped with muspy_like.
SCHEMA_PATH = _HERE / "musicxml-4.0.xsd"
#: The schemas MusicXML's XSD imports (and those import each other), by URL -> the shipped copy.
_IMPORTED = {
    "http://www.musicxml.org/xsd/xml.xsd": _HERE / "xml.xsd",
    "http://www.musicxml.org/xsd/xlink.xsd": _HERE / "xlink.xsd",
    "http://www.w3.org/2001/xml.xsd": _HERE / "xml.xsd",
    "http://www.w3.org/XML/1998/namespace": _HERE / "xml.xsd",
}


@lru_cache(maxsize=1)
def musicxml_schema() -> Any:
    """The MusicXML 4.0 schema as an ``lxml.etree.XMLSchema`` (built once, offline)."""
    from lxml import etree

    class _ShippedSchemas(etree.Resolver):
        def resolve(self, url, public_id, context):  # type: ignore[override]
            local = _IMPORTED.get(url)
            return None if local is None else self.resolve_filename(str(local), context)

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_ShippedSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


def validate_musicxml(path: Union[str, Path]) -> None:
    """Check that a plain or compressed MusicXML file follows the MusicXML 4.0 schema.

    Raises
    ------
    MusicXMLError
        With the first violation (its line in the document and the reason).
    """
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

    path = Path(path)
    data = read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError)
    root = parse_xml(data, str(path), MusicXMLError)
    schema = musicxml_schema()
    if not schema.validate(root):
        error = schema.error_log[0]
        raise MusicXMLError(f"{path}: not valid MusicXML 4.0 at line {error.line} ({error.path}): {error.message}")
