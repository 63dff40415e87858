"""MusPy's schema validation and audio functions."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import muspy_like as ml
from muspy_like.errors import MusicXMLError, SchemaError


def test_validate_json_and_yaml_accept_muspy_files_and_name_bad_fields(testdata_dir, tmp_path):
    ml.validate_json(testdata_dir / "test.json")
    ml.validate_yaml(testdata_dir / "test.yaml.gz")
    bad = tmp_path / "bad.json"
    bad.write_text((testdata_dir / "test.json").read_text().replace('"pitch": 76', '"pitch": 300', 1))
    with pytest.raises(SchemaError, match="pitch"):
        ml.validate_json(bad)
    assert Path(ml.get_json_schema_path()).is_file() and Path(ml.get_musicxml_schema_path()).is_file()


def test_validate_musicxml_against_the_shipped_xsd(testdata_dir, tmp_path):
    music = ml.load(testdata_dir / "test.json")
    music.write_musicxml(tmp_path / "a.musicxml")
    ml.validate_musicxml(tmp_path / "a.musicxml")
    (tmp_path / "b.musicxml").write_text('<score-partwise version="4.0"><nonsense/></score-partwise>')
    with pytest.raises(MusicXMLError, match="not valid MusicXML"):
        ml.validate_musicxml(tmp_path / "b.musicxml")


def test_synthesize_gives_int16_stereo_ending_with_the_music(testdata_dir):
    music = ml.load(testdata_dir / "test.json")
    waveform = ml.synthesize(music, rate=22050)
    assert waveform.dtype == np.int16 and waveform.shape[1] == 2
    assert abs(len(waveform) - music.get_real_end_time() * 22050) <= 1
    assert np.abs(waveform).max() > 1000
    with pytest.raises(ValueError, match="options"):
        ml.synthesize(music, options="-o synth.polyphony=512")


def test_write_audio_by_extension(testdata_dir, tmp_path):
    import soundfile

    music = ml.load(testdata_dir / "test.json")
    music.write(tmp_path / "a.wav", rate=22050)
    audio, rate = soundfile.read(tmp_path / "a.wav")
    assert rate == 22050 and audio.shape[1] == 2
    with pytest.raises(ValueError, match="audio_format"):
        music.write_audio(tmp_path / "b.wav", audio_format="flac")


def test_download_skips_a_file_already_there(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSPY_LIKE_DATA", str(tmp_path / "datasets"))
    monkeypatch.setenv("HOME", str(tmp_path))
    path = ml.get_musescore_soundfont_path()
    assert path == tmp_path / "musescore-general" / "MuseScore_General.sf3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"sf")
    assert ml.download_musescore_soundfont() == path and path.read_bytes() == b"sf"
    assert os.fspath(ml.get_bravura_font_path()).endswith("bravura/Bravura.otf")


def test_show_score_says_what_to_use_instead(testdata_dir):
    with pytest.raises(NotImplementedError, match="write_musicxml"):
        ml.load(testdata_dir / "test.json").show_score()


def test_show_pianoroll_draws_one_axis_per_track(testdata_dir):
    import matplotlib

    matplotlib.use("Agg")
    axes = ml.load(testdata_dir / "test.json").show("pianoroll")
    assert len(axes) == 1
