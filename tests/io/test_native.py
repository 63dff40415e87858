"""Native JSON/YAML: lossless round trips, the shipped schema, error paths, gzip and MusPy migration."""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from muspy_like import (
    SCHEMA_VERSION,
    Annotation,
    Chord,
    KeySignature,
    Music,
    Note,
    NoteArray,
    SchemaError,
    SizeLimitError,
    Tempo,
    Track,
    ValidationError,
    load,
    save,
)
from muspy_like import limits
from muspy_like.io import native
from muspy_like.io.midi import read_midi
from muspy_like.io.schema import music_schema
from tests.strategies import music_strategy

EXTENSIONS = ["json", "yaml", "yml", "json.gz", "yaml.gz"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(music=music_strategy())
def test_round_trip_random_music_json_and_yaml(tmp_path, music):
    for extension in ("json", "yaml.gz"):
        path = tmp_path / f"piece.{extension}"
        save(path, music)
        assert load(path) == music


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_round_trip_real_file_every_extension(tmp_path, midi_dir, bench_dir, extension):
    # the 60k-note orchestral file in JSON; a smaller real file in YAML (PyYAML is slow)
    source, n_notes = (bench_dir / "mahler.mid", 60411) if "json" in extension else (midi_dir / "fur-elise.mid", 1020)
    music = read_midi(source)
    path = tmp_path / f"piece.{extension}"
    save(path, music)
    again = load(path)
    assert again == music and again.n_notes == n_notes
    if extension.endswith(".gz"):
        assert gzip.decompress(path.read_bytes())[:1] in (b"{", b"s")


def test_every_field_survives(tmp_path):
    track = Track(program=33, is_drum=False, name="bass", channel=4, notes=[Note(0, 40, 12, 99)],
                  chords=[Chord(0, [40, 47], 24, 70)], annotations=[Annotation(3, {"dynamic": "ff"}, "dynamics")])
    track.control_changes = track.control_changes.from_columns(time=[1], number=[7], value=[90])
    track.pitch_bends = track.pitch_bends.from_columns(time=[2], value=[-100])
    music = Music(resolution=12, tempos=[Tempo(0, 123.456)], key_signatures=[KeySignature(0, 2, "dorian", None, "D")],
                  tracks=[track])
    music.metadata.creators = ["Anon"]
    save(tmp_path / "all.json", music)
    again = load(tmp_path / "all.json")
    assert again == music
    assert again.tracks[0].annotations[0].annotation == {"dynamic": "ff"}
    assert again.tempos[0].qpm == 123.456


def test_columns_are_stored_compactly_and_readably(tmp_path):
    music = Music(tracks=[Track(notes=NoteArray.from_columns(time=[0, 24], pitch=[60, 64], duration=[24, 24]))])
    save(tmp_path / "small.json", music)
    text = (tmp_path / "small.json").read_text()
    assert '"pitch": [60,64]' in text
    doc = json.loads(text)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["tracks"][0]["notes"] == {"time": [0, 24], "pitch": [60, 64], "duration": [24, 24], "velocity": [64, 64]}


def test_schema_ships_inside_the_package_and_is_valid():
    text = resources.files("muspy_like.io.schema").joinpath("music.schema.json").read_text()
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == music_schema()


def test_schema_ranges_match_the_container_declarations():
    defs = music_schema()["$defs"]
    for field in NoteArray.fields:
        column = defs["notes"]["properties"][field.name]
        items = defs[column["$ref"].split("/")[-1]]["items"]
        items = defs[items["$ref"].split("/")[-1]] if "$ref" in items else items
        assert items["minimum"] == field.low
        assert items.get("maximum", field.high) == field.high or field.high > 2**31


def test_documents_written_by_save_pass_jsonschema(tmp_path, midi_dir):
    music = read_midi(midi_dir / "fur-elise.mid")
    jsonschema.validate(native.to_dict(music), music_schema())


BAD_DOCUMENTS = [
    (lambda d: d["tracks"][0]["notes"]["pitch"].__setitem__(3, 130), "$.tracks[0].notes.pitch[3]"),
    (lambda d: d["tracks"][0]["notes"]["time"].__setitem__(0, -1), "$.tracks[0].notes.time[0]"),
    (lambda d: d["tracks"][0].__setitem__("program", "piano"), "$.tracks[0].program"),
    (lambda d: d["tempos"].append({"time": 0, "qpm": 0}), "$.tempos[0].qpm"),
    (lambda d: d["time_signatures"].append({"time": 0, "numerator": 3, "denominator": 3}), "$.time_signatures[0].denominator"),
    (lambda d: d.__setitem__("resolution", 0), "$.resolution"),
    (lambda d: d["tracks"][0].__setitem__("colour", "red"), "$.tracks[0]"),
    (lambda d: d.pop("tracks"), "$"),
    (lambda d: d["tracks"][0]["notes"]["velocity"].__setitem__(1, True), "$.tracks[0].notes.velocity[1]"),
]


@pytest.mark.parametrize("validator", ["builtin", "jsonschema"])
@pytest.mark.parametrize("breaker, path", BAD_DOCUMENTS)
def test_bad_fields_are_reported_with_their_json_path(tmp_path, validator, breaker, path):
    music = Music(tracks=[Track(notes=NoteArray.from_columns(time=[0, 1, 2, 3], pitch=[60] * 4, duration=[1] * 4))])
    doc = native.to_dict(music)
    breaker(doc)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(doc))
    with pytest.raises(SchemaError) as error:
        load(file, validator=validator)
    assert f"{file}: {path}:" in str(error.value)


def test_unequal_column_lengths_are_reported(tmp_path):
    doc = native.to_dict(Music(tracks=[Track(notes=[Note(0, 60, 1)])]))
    doc["tracks"][0]["notes"]["pitch"].append(61)
    with pytest.raises(SchemaError, match=r"\$\.tracks\[0\]\.notes: columns have different lengths \[1, 2\]"):
        native.from_dict(doc)


def test_broken_json_yaml_and_gzip(tmp_path):
    (tmp_path / "a.json").write_text('{"schema_version": "1.0",')
    with pytest.raises(SchemaError, match="invalid JSON at line 1"):
        load(tmp_path / "a.json")
    (tmp_path / "b.yaml").write_text("tracks: [unclosed")
    with pytest.raises(SchemaError, match="invalid YAML"):
        load(tmp_path / "b.yaml")
    (tmp_path / "c.json.gz").write_bytes(b"not gzip at all")
    with pytest.raises(SchemaError, match="not a valid gzip file"):
        load(tmp_path / "c.json.gz")
    (tmp_path / "d.json").write_text("[1, 2]")
    with pytest.raises(SchemaError, match=r"\$: the document is a list"):
        load(tmp_path / "d.json")


def test_save_refuses_invalid_music_and_writes_nothing(tmp_path):
    music = Music(tracks=[Track(notes=[Note(0, 60, 1)])])
    music.tracks[0].notes.pitch[0] = 200
    with pytest.raises(ValidationError, match=r"tracks\[0\]\.notes\[0\]\.pitch"):
        save(tmp_path / "x.json", music)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["test.json", "test.yaml", "test.json.gz", "test.yaml.gz"])
def test_muspy_documents_are_migrated(testdata_dir, name):
    music = load(testdata_dir / name)
    assert music.metadata.title == "Für Elise"
    assert music.metadata.creators == ["Ludwig van Beethoven"]
    assert music.metadata.collection == "Example dataset"
    assert music.metadata.schema_version == "0.0"  # the version the file was written in, as MusPy keeps it
    assert music.resolution == 24
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 72.0)]
    assert [(k.root, k.mode) for k in music.key_signatures] == [(9, "minor")]
    assert [(s.numerator, s.denominator) for s in music.time_signatures] == [(3, 8)]
    assert [b.time for b in music.barlines] == [0, 12, 48] and len(music.beats) == 5
    (track,) = music.tracks
    assert track.name == "Melody" and track.program == 0 and not track.is_drum
    raw = json.loads((testdata_dir / "test.json").read_text())["tracks"][0]["notes"]
    assert track.notes.pitch.tolist() == [n["pitch"] for n in raw]
    assert track.notes.pitch.tolist()[:3] == [76, 75, 76]
    assert track.lyrics[0].lyric == "Nothing but a lyric"


def test_unknown_extension(tmp_path):
    with pytest.raises(SchemaError, match=r"\.json, \.yaml or \.yml"):
        save(tmp_path / "x.txt", Music())


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))
    yield path


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=music_strategy(max_tracks=2, max_notes=5), data=__import__("hypothesis").strategies.data())
def test_builtin_validator_agrees_with_jsonschema(music, data):
    from hypothesis import strategies as st

    doc = native.to_dict(music)
    paths = [p for p in _leaves(doc) if p]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(st.one_of(st.none(), st.booleans(), st.integers(-10**4, 10**4), st.floats(-1e3, 1e3, allow_nan=False),
                                st.text(max_size=3), st.just([]), st.just({})))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    verdicts = []
    for validator in ("builtin", "jsonschema"):
        try:
            native.validate_document(doc, validator)
            verdicts.append(True)
        except SchemaError:
            verdicts.append(False)
    assert verdicts[0] == verdicts[1], (path, value)


def test_music_save_and_generic_load(tmp_path, midi_dir):
    music = read_midi(midi_dir / "multitrack.mid")
    music.save(tmp_path / "m.yml")
    assert load(tmp_path / "m.yml") == music
    from muspy_like import read

    assert read(tmp_path / "m.yml") == music


# -- hostile documents: each one an error of ours naming the file and the JSON path ------------------
HEAD_JSON = '{"schema_version": "1.0", "resolution": 24, "tracks": []'
HEAD_YAML = "schema_version: '1.0'\nresolution: 24\ntracks: []\n"
HOSTILE = [
    ("deep.json", HEAD_JSON + ', "annotations": [{"time": 0, "annotation": ' + "[" * 100_000 + "]" * 100_000 + "}]}",
     r"\$\.annotations\[0\]\.annotation\[0\]\[0\].*: nested deeper than 100 levels"),
    ("nested.json", HEAD_JSON + ', "annotations": [{"time": 0, "annotation": ' + "[" * 500 + "]" * 500 + "}]}",
     r"\$\.annotations\[0\]\.annotation\[0\].*: nested deeper than 100 levels"),
    ("nested.yaml", HEAD_YAML + "annotations: [{time: 0, annotation: " + "[" * 300 + "]" * 300 + "}]\n",
     r"\$\.annotations\[0\]\.annotation\[0\].*: nested deeper than 100 levels"),
    ("digits.json", HEAD_JSON + ', "tempos": [{"time": ' + "7" * 50_000 + ', "qpm": 120}]}',
     r"\$\.tempos\[0\]\.time: an integer of 50000 digits"),
    ("digits.yaml", HEAD_YAML.replace("24", "7" * 50_000), r"\$\.resolution: an integer of 50000 digits"),
    ("resolution.json", HEAD_JSON.replace("24", str(10**100)) + "}", r"\$\.resolution: 1000.* is greater than the maximum"),
    ("resolution.yaml", HEAD_YAML.replace("24", str(10**100)), r"\$\.resolution: 1000.* is greater than the maximum"),
    ("time.json", HEAD_JSON + ', "barlines": [{"time": ' + str(2**63) + "}]}", r"\$\.barlines\[0\]\.time: .* greater than the maximum"),
    ("twice.json", HEAD_JSON + ', "resolution": 48}', r"\$: the key 'resolution' appears twice"),
    ("twice.yaml", HEAD_YAML + "resolution: 48\n", r"\$: the key 'resolution' appears twice in this mapping \(line 4\)"),
    ("track.json", '{"schema_version": "1.0", "resolution": 24, "tracks": [{"notes": {"time": [], "pitch": [], '
     '"duration": [], "velocity": [], "time": [0]}}]}', r"\$\.tracks\[0\]\.notes: the key 'time' appears twice"),
    ("track.yaml", HEAD_YAML.replace("tracks: []", "tracks:\n- program: 1\n  program: 2\n  notes: {}"),
     r"\$\.tracks\[0\]: the key 'program' appears twice"),
    ("laughs.yaml", HEAD_YAML + "annotations: [{time: 0, annotation: {a: &a [x, x, x, x, x, x, x, x, x], "
     + ", ".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(9)) + "}}]\n",
     r"\$\.annotations\[0\]\.annotation\..*: YAML aliases expand this document to more than"),
    ("cycle.yaml", HEAD_YAML + "annotations: [{time: 0, annotation: &r [*r]}]\n", r"nested deeper than 100 levels"),
    ("nan.json", HEAD_JSON + ', "annotations": [{"time": 0, "annotation": [1, NaN]}]}',
     r"\$\.annotations\[0\]\.annotation\[1\]: NaN is not a finite number"),
    ("overflow.json", HEAD_JSON + ', "tempos": [{"time": 0, "qpm": 1e400}]}', r"\$\.tempos\[0\]\.qpm: 1e400 is not a finite"),
    ("infinity.json", HEAD_JSON + ', "tempos": [{"time": 0, "qpm": -Infinity}]}', r"\$\.tempos\[0\]\.qpm: -Infinity is not"),
    ("nan.yaml", HEAD_YAML + "annotations: [{time: 0, annotation: {level: .NaN}}]\n",
     r"\$\.annotations\[0\]\.annotation\.level: \.NaN is not a finite number"),
    ("infinity.yaml", HEAD_YAML + "tempos: [{time: 0, qpm: -.inf}]\n", r"\$\.tempos\[0\]\.qpm: -\.inf is not a finite"),
]


@pytest.mark.parametrize("validator", ["builtin", "jsonschema"])
@pytest.mark.parametrize("name, text, message", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_documents_are_schema_errors_naming_file_and_path(tmp_path, validator, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SchemaError) as error:
        load(path, validator=validator)
    assert str(error.value).startswith(f"{path}: ")
    assert re.search(message, str(error.value)), str(error.value)[:300]
    assert len(str(error.value)) < 400  # one readable line, whatever the size of the bad value


def test_depth_cap_is_settable(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text(HEAD_JSON + ', "annotations": [{"time": 0, "annotation": ' + "[" * 150 + "]" * 150 + "}]}")
    with pytest.raises(SchemaError, match="deeper than 100 levels"):
        load(path)
    with limits.override(document_depth=200):
        depth, value = 0, load(path).annotations[0].annotation
        while value:
            depth, value = depth + 1, value[0]
        assert depth == 149  # accepted, intact, under a higher cap


def test_gzip_bomb_is_refused_before_it_is_decompressed(tmp_path):
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb") as stream:  # 16 MiB of spaces in a 16 kB file: ratio 1000
        for _ in range(16):
            stream.write(b" " * (1 << 20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(SizeLimitError) as error:
        load(bomb, max_bytes=1 << 20)
    message = str(error.value)
    assert message.startswith(f"{bomb}: the decompressed data exceeds the document_bytes cap of 1 MiB")
    assert "max_bytes=" in message and "MUSPY_LIKE_MAX_DOCUMENT_BYTES" in message
    with limits.override(document_bytes=1 << 22), pytest.raises(SizeLimitError, match="cap of 4 MiB"):
        load(bomb)


def test_document_cap_applies_to_plain_files_and_reads_the_environment(tmp_path, midi_dir, monkeypatch):
    path = tmp_path / "piece.json"
    save(path, read_midi(midi_dir / "fur-elise.mid"))
    size = path.stat().st_size
    monkeypatch.setenv("MUSPY_LIKE_MAX_DOCUMENT_BYTES", str(size - 1))
    with pytest.raises(SizeLimitError, match=r"piece\.json: .* exceeds the document_bytes cap"):
        load(path)
    monkeypatch.setenv("MUSPY_LIKE_MAX_DOCUMENT_BYTES", str(size))
    assert load(path).n_notes == 1020
    assert load(path, max_bytes=size).n_notes == 1020  # the keyword wins over the environment
    with pytest.raises(SizeLimitError):
        load(path, max_bytes=size - 1)


def test_yaml_anchors_of_shared_values_still_round_trip(tmp_path):
    shared = {"dynamic": "ff", "hairpin": [1, 2]}
    music = Music(tracks=[Track(notes=[Note(0, 60, 12)])], annotations=[Annotation(0, shared), Annotation(12, shared)])
    path = tmp_path / "shared.yaml"
    save(path, music)
    assert "&" in path.read_text()  # PyYAML wrote an anchor and an alias for the shared value
    assert load(path) == music


def test_large_yaml_documents_without_aliases_are_not_taken_for_alias_bombs(monkeypatch):
    from muspy_like.io.schema import strict

    monkeypatch.setattr(strict, "_ALIAS_ALLOWANCE", 1_000)  # the same rule, on a smaller document
    text = "time: [" + ", ".join(["7"] * 5_000) + "]\nkeys: {" + ", ".join(f"k{i}: 1" for i in range(3_000)) + "}\n"
    document = strict.parse_yaml(text, "long.yaml", 100)  # 8,000 values, each visited once
    assert len(document["time"]) == 5_000 and len(document["keys"]) == 3_000
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(SchemaError, match="YAML aliases expand"):  # 6,561 values from a few dozen nodes
        strict.parse_yaml(laughs.replace("c:", "c: &c").rstrip() + "\nd: [" + ", ".join(["*c"] * 9) + "]\n", "x", 100)


# -- MusPy documents of the wrong shape (found by the fuzz campaign, tests/fuzz/native.py) ------------
MISSHAPEN_MUSPY = [
    (("beats", 4), 1.5, r"\$\.beats\[4\]: a float, not a mapping"),
    (("tracks", 0, "notes", 5), [], r"\$\.tracks\[0\]\.notes\[5\]: a list, not a mapping"),
    (("tracks", 0, "notes"), 7, r"\$\.tracks\[0\]\.notes: a int, not a list"),
    (("key_signatures",), {"time": 0}, r"\$\.key_signatures: a dict, not a list"),
    (("metadata", "collection"), ["x"], r"\$\.metadata\.collection: .*"),
]


@pytest.mark.parametrize("place, value, message", MISSHAPEN_MUSPY, ids=[str(case[0]) for case in MISSHAPEN_MUSPY])
def test_misshapen_muspy_documents_are_schema_errors_at_their_path(tmp_path, testdata_dir, place, value, message):
    document = json.loads((testdata_dir / "test.json").read_text())
    parent = document
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    path = tmp_path / "muspy.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SchemaError, match=message) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: ")


def test_muspy_note_without_a_field_is_named(tmp_path, testdata_dir):
    document = json.loads((testdata_dir / "test.json").read_text())
    del document["tracks"][0]["notes"][3]["duration"]
    path = tmp_path / "muspy.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SchemaError, match=r"\$\.tracks\[0\]\.notes\[3\]: a note without 'duration'"):
        load(path)


@pytest.mark.parametrize("validator", ["builtin", "jsonschema"])
def test_a_column_integer_beyond_64_bits_is_named_by_its_index(tmp_path, validator):
    music = Music(tracks=[Track(notes=[Note(0, 60, 12), Note(12, 62, 12)])])
    document = native.to_dict(music)
    document["tracks"][0]["notes"]["duration"][1] = 2**64
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SchemaError, match=r"\$\.tracks\[0\]\.notes\.duration\[1\]: 18446744073709551616 is greater than"):
        load(path, validator=validator)


# -- YAML beyond JSON's types: a loaded document must survive being saved as JSON -------------------
YAML_BEYOND_JSON = [
    ("!!binary aGVsbG8=", r"\$\.annotations\[0\]\.annotation: the YAML tag tag:yaml.org,2002:binary makes a value JSON"),
    ("!!set {a: null}", r"the YAML tag tag:yaml.org,2002:set"),
    ("!!omap [a: 1]", r"the YAML tag tag:yaml.org,2002:omap"),
    ("!custom 3", r"the YAML tag !custom"),
    ("{1: x}", r"\$\.annotations\[0\]\.annotation: the key '1' \(line 4\) is read by YAML as an integer, not a string"),
    ("{yes: 1}", r"the key 'yes' \(line 4\) is read by YAML as a boolean"),
    ("{[1, 2]: x}", r"a mapping key that is not a string"),
]


@pytest.mark.parametrize("value, message", YAML_BEYOND_JSON, ids=[case[0] for case in YAML_BEYOND_JSON])
def test_yaml_values_json_has_no_type_for_are_schema_errors(tmp_path, value, message):
    path = tmp_path / "tagged.yaml"
    path.write_text(HEAD_YAML + f"annotations: [{{time: 0, annotation: {value}}}]\n")
    with pytest.raises(SchemaError, match=message) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: ")


def test_yaml_dates_are_read_as_their_text_and_save_as_json(tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text(HEAD_YAML + "annotations: [{time: 0, annotation: {recorded: 2001-12-14, at: 2001-12-14t21:59:43.10-05:00}}]\n")
    music = load(path)
    assert music.annotations[0].annotation == {"recorded": "2001-12-14", "at": "2001-12-14t21:59:43.10-05:00"}
    save(tmp_path / "dated.json", music)  # json has no date type: it must be text already
    assert load(tmp_path / "dated.json") == music


def test_both_validators_name_the_first_error_in_document_order(tmp_path):
    # Found by the fuzz campaign: jsonschema's errors were sorted by their path as text, so a bad
    # duration came before an earlier bad time ("duration" < "time"); both now report the first one written.
    document = native.to_dict(Music(tracks=[Track(notes=[Note(0, 60, 12), Note(12, 62, 12)])]))
    document["tracks"][0]["notes"]["time"][1] = -5
    document["tracks"][0]["notes"]["duration"][0] = -7
    path = tmp_path / "two.json"
    path.write_text(json.dumps(document))
    for validator in ("builtin", "jsonschema"):
        with pytest.raises(SchemaError, match=r"\$\.tracks\[0\]\.notes\.time\[1\]: "):
            load(path, validator=validator)
