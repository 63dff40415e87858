"""Validation of MusicXML files against the official MusicXML 4.0 schema (XSD), offline.

The schema ships with muspy_like (``musicxml-4.0.xsd``, published by the W3C Music Notation Community
Group under the W3C Community Final Specification Agreement, unchanged). It imports the W3C ``xml.xsd``
and ``xlink.xsd`` from the web; here they are taken from the copies bundled with the ``xmlschema``
package, so validation never touches the network. Requires ``xmlschema`` (``pip install xmlschema``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from muspy_like.errors import MusicXMLError

__all__ = ["SCHEMA_PATH", "musicxml_schema", "validate_musicxml"]

#: The MusicXML 4.0 XSD shipped with muspy_like.
SCHEMA_PATH = Path(__file__).resolve().parent / "musicxml-4.0.xsd"


@lru_cache(maxsize=1)
def musicxml_schema() -> Any:
    """The MusicXML 4.0 schema as an ``xmlschema.XMLSchema`` (built once, offline)."""
    import xmlschema

    bundled = Path(xmlschema.__file__).resolve().parent / "schemas"
    locations = {
        "http://www.w3.org/XML/1998/namespace": str(bundled / "XML" / "xml.xsd"),
        "http://www.w3.org/1999/xlink": str(bundled / "XLINK" / "xlink.xsd"),
    }
    return xmlschema.XMLSchema(str(SCHEMA_PATH), locations=locations)


def validate_musicxml(path: Union[str, Path]) -> None:
    """Check that a plain or compressed MusicXML file follows the MusicXML 4.0 schema.

    Raises
    ------
    MusicXMLError
        With the first violation (its path in the document and the reason).
    """
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

    path = Path(path)
    data = read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError)
    root = parse_xml(data, str(path), MusicXMLError)
    error = next(iter(musicxml_schema().iter_errors(root)), None)
    if error is not None:
        raise MusicXMLError(f"{path}: not valid MusicXML 4.0 at {error.path}: {error.reason}")
