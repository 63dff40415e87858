"""MusicXML validation with lxml and the shipped schemas, against xmlschema as an independent validator."""

from __future__ import annotations

import pytest

from muspy_like.errors import MusicXMLError
from muspy_like.io.musicxml.schema import validate_musicxml

_BAD_STEP = ('<?xml version="1.0"?><score-partwise version="4.0"><part-list><score-part id="P1"><part-name>x'
             '</part-name></score-part></part-list><part id="P1"><measure number="1"><note><pitch><step>H</step>'
             '<octave>4</octave></pitch><duration>1</duration></note></measure></part></score-partwise>')


def _xmlschema_verdict(path):
    xmlschema = pytest.importorskip("xmlschema")
    from muspy_like.io.musicxml.schema import SCHEMA_PATH

    bundled = __import__("pathlib").Path(xmlschema.__file__).resolve().parent / "schemas"
    schema = xmlschema.XMLSchema(str(SCHEMA_PATH), locations={
        "http://www.w3.org/XML/1998/namespace": str(bundled / "XML" / "xml.xsd"),
        "http://www.w3.org/1999/xlink": str(bundled / "XLINK" / "xlink.xsd"),
    })
    return schema.is_valid(str(path))


def test_lxml_and_xmlschema_agree_on_good_and_bad_files(testdata_dir, tmp_path):
    bad = tmp_path / "bad.musicxml"
    bad.write_text(_BAD_STEP)
    files = sorted((testdata_dir / "musicxml-lilypond").glob("*.xml"))[::25] + [bad]
    verdicts = []
    for path in files:
        try:
            validate_musicxml(path)
            ours = True
        except MusicXMLError as error:
            ours = False
            assert str(path) in str(error) and "line" in str(error)
        verdicts.append(ours)
        assert ours == _xmlschema_verdict(path), path
    assert False in verdicts and verdicts.count(True) >= 2  # both verdicts were exercised
