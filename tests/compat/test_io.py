"""MusPy's reader and writer arguments on the top-level functions."""

from __future__ import annotations

import gzip
import io
import shutil

import pytest

import muspy_like as ml
from muspy_like.errors import SchemaError


def test_kind_reads_a_file_whose_extension_says_nothing(midi_dir, tmp_path):
    renamed = tmp_path / "song.bin"
    shutil.copy(midi_dir / "fur-elise.mid", renamed)
    music = ml.read(renamed, kind="midi")
    assert music.tracks == ml.io.read(midi_dir / "fur-elise.mid").tracks
    with pytest.raises(ValueError, match="kind must be one of"):
        ml.read(renamed, kind="mp3")


def test_backend_mido_is_our_mido_engine_and_gives_the_same_piece(midi_dir):
    path = midi_dir / "fur-elise.mid"
    assert ml.read_midi(path, backend="mido") == ml.io.read(path) == ml.read_midi(path, engine="mido")
    with pytest.raises(ValueError, match="duplicate_note_mode"):
        ml.read_midi(path, duplicate_note_mode="all")


def test_pretty_midi_backend_reads_and_writes_through_pretty_midi(midi_dir, tmp_path):
    import pretty_midi

    music = ml.read(midi_dir / "fur-elise.mid", backend="pretty_midi")
    assert music.metadata.source_format == "midi" and music.metadata.source_filename == "fur-elise.mid"
    expected = sum(len(i.notes) for i in pretty_midi.PrettyMIDI(str(midi_dir / "fur-elise.mid")).instruments)
    assert music.n_notes == expected
    music.write(tmp_path / "out.mid", backend="pretty_midi")
    assert ml.read(tmp_path / "out.mid").n_notes == expected


def test_load_and_save_take_open_files(testdata_dir, tmp_path):
    with open(testdata_dir / "test.json", encoding="utf-8") as handle:
        music = ml.load_json(handle)
    with open(testdata_dir / "test.yaml.gz", "rb") as handle:
        assert ml.load_yaml(handle) == music
    text = io.StringIO()
    music.save_json(text)
    assert ml.load(io.StringIO(text.getvalue()), kind="json") == music
    with open(tmp_path / "x.yaml", "w", encoding="utf-8") as handle:
        music.save_yaml(handle)
    assert ml.load(tmp_path / "x.yaml") == music
    ml.save(tmp_path / "x.dat", music, kind="json", compressed=True)
    assert gzip.decompress((tmp_path / "x.dat").read_bytes()).startswith(b"{")
    assert ml.load(tmp_path / "x.dat", kind="json", compressed=True) == music
    with pytest.raises(SchemaError, match="pass kind"):
        ml.load(tmp_path / "x.dat")


def test_muspy_files_keep_the_schema_version_they_were_written_in(testdata_dir, tmp_path):
    music = ml.load(testdata_dir / "test.json")
    assert music.metadata.schema_version == "0.0"
    music.save(tmp_path / "again.json")
    assert ml.load(tmp_path / "again.json").metadata.schema_version == "0.0"
    assert ml.Music().metadata.schema_version == ml.SCHEMA_VERSION


def test_top_level_score_readers_play_repeats_as_muspy_and_io_keeps_written_order(testdata_dir):
    path = testdata_dir / "musicxml-lilypond" / "45a-SimpleRepeat.xml"
    played, written = ml.read(path), ml.io.read(path)
    assert played.n_notes > written.n_notes
    assert ml.read_musicxml(path, expand_repeats=False) == written
    mscx = testdata_dir / "musescore-lilypond" / "45a-SimpleRepeat.mscx"
    assert ml.read_musescore(mscx).n_notes == played.n_notes


def test_compressed_must_agree_with_the_suffix(testdata_dir):
    with pytest.raises(ValueError, match="compressed=True contradicts"):
        ml.read_musicxml(testdata_dir / "musicxml" / "fur-elise.xml", compressed=True)
    assert ml.read_musicxml(testdata_dir / "musicxml" / "fur-elise.mxl", compressed=True).n_notes > 0


def test_abc_text_gives_one_piece_per_tune():
    tune = "X:1\nT:A\nM:4/4\nL:1/4\nK:C\nCDEF|\n"
    music = ml.read_abc_string(tune)
    assert music.tracks[0].notes.pitch.tolist() == [60, 62, 64, 65] and music.metadata.source_filename is None
    book = ml.read_abc_string(tune + "\nX:2\nT:B\nM:4/4\nL:1/4\nK:G\nGABc|\n")
    assert [m.metadata.title for m in book] == ["A", "B"]
    assert ml.read_abc_string(tune + "\nX:2\nL:1/4\nK:C\nG|\n", number=2).tracks[0].notes.pitch.tolist() == [67]


def test_to_object_and_from_object_dispatch_on_the_library(testdata_dir):
    import mido
    import pretty_midi

    music = ml.load(testdata_dir / "test.json")
    assert isinstance(ml.to_object(music, "pretty_midi"), pretty_midi.PrettyMIDI)
    midi = music.to_mido()
    assert isinstance(midi, mido.MidiFile)
    assert ml.from_object(midi).n_notes == music.n_notes
    with pytest.raises(TypeError, match="from_object takes"):
        ml.from_object(object())
    with pytest.raises(ValueError, match="kind must be one of"):
        music.to_object("sibelius")


def test_note_off_messages_on_request(testdata_dir):
    music = ml.load(testdata_dir / "test.json")
    kinds = {m.type for t in ml.to_mido(music, use_note_off_message=True).tracks for m in t}
    assert "note_off" in kinds
    ons = [m for t in ml.to_mido(music, use_note_off_message=False).tracks for m in t if m.type.startswith("note")]
    assert {m.type for m in ons} == {"note_on"} and sum(m.velocity == 0 for m in ons) == music.n_notes


def test_write_by_kind_and_music_shortcuts(testdata_dir, tmp_path):
    music = ml.load(testdata_dir / "test.json")
    music.write(tmp_path / "a.out", kind="json")
    assert ml.load(tmp_path / "a.out", kind="json") == music
    music.write_midi(tmp_path / "a.mid")
    music.write_musicxml(tmp_path / "a.musicxml")
    music.write_abc(tmp_path / "a.abc")
    for name in ("a.mid", "a.musicxml", "a.abc"):
        assert ml.read(tmp_path / name).tracks[0].notes.pitch.tolist() == music.tracks[0].notes.pitch.tolist()


@pytest.mark.parametrize("opened", [False, True], ids=["unusual-name", "open-file"])
def test_musPy_style_loading_keeps_the_size_cap(tmp_path, opened):
    from muspy_like import limits
    from muspy_like.errors import SizeLimitError

    bomb = tmp_path / "bomb.data"  # a name that says nothing: MusPy's kind= and compressed= decide
    with gzip.open(bomb, "wb") as stream:
        for _ in range(8):
            stream.write(b" " * (1 << 20))
    with limits.override(document_bytes=1 << 20), pytest.raises(SizeLimitError, match="cap of 1 MiB"):
        if opened:
            with open(bomb, "rb") as handle:
                ml.load(handle, kind="json", compressed=True)
        else:
            ml.load(bomb, kind="json", compressed=True)
