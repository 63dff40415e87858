"""Where each of MusPy's public names comes from in muspy_like.

:data:`TOP_LEVEL` maps a name at the top of ``muspy`` to ``"module:attribute"``; ``muspy_like.__getattr__``
consults it for names that are not ours, importing the module on first use. :data:`SUBMODULES` lists the
names of MusPy's module paths (``muspy.inputs.midi``, ``muspy.outputs.event``...), which
:mod:`muspy_like.compat.modules` turns into lazy modules. MusPy's internal helpers (``parse_*_elem``,
``to_mido_track``...) are not provided.
"""

from __future__ import annotations

__all__ = ["TOP_LEVEL", "SUBMODULES", "MODULE_PATHS"]

_C = "muspy_like.compat"


def _from(module: str, *names: str) -> dict[str, str]:
    return {name: f"{module}:{name}" for name in names}


#: MusPy's top-level names that muspy_like's own top level does not define.
TOP_LEVEL: dict[str, str] = {
    # base classes
    "Base": f"{_C}.base:MusPyObject",
    "ComplexBase": f"{_C}.base:MusPyContainer",
    # functions of muspy.core
    **_from(f"{_C}.functions", "adjust_resolution", "adjust_time", "append", "clip", "get_end_time",
            "get_real_end_time", "remove_duplicate", "sort", "to_ordered_dict", "transpose"),
    # I/O with MusPy's signatures
    # (read, write, load, save, read_midi, write_midi, read_musicxml and read_musescore are in
    # muspy_like._LAZY_FUNCTIONS: they are our documented top-level functions, with MusPy's arguments too)
    **_from(f"{_C}.io", "read_abc_string", "load_json", "load_yaml", "save_json", "save_yaml", "to_object",
            "from_object", "from_music21_part", "from_music21_score", "from_music21_opus",
            "from_pypianoroll_track", "to_mido", "read_midi_mido", "read_midi_pretty_midi", "write_midi_mido",
            "write_midi_pretty_midi"),
    # conversions to and from other libraries: ours
    **_from("muspy_like.interop", "from_mido", "from_pretty_midi", "from_pypianoroll", "from_music21",
            "to_pretty_midi", "to_pypianoroll", "to_music21", "from_miditoolkit", "to_miditoolkit",
            "from_symusic", "to_symusic"),
    # representations with MusPy's defaults
    **_from(f"{_C}.representations", "to_pitch_representation", "from_pitch_representation",
            "to_note_representation", "from_note_representation", "to_pianoroll_representation",
            "from_pianoroll_representation", "to_event_representation", "from_event_representation",
            "to_representation", "from_representation", "to_default_event_representation",
            "to_performance_event_representation", "to_remi_event_representation",
            "PitchRepresentationProcessor", "NoteRepresentationProcessor", "PianoRollRepresentationProcessor",
            "EventRepresentationProcessor"),
    # metrics: ours (corrected definitions, see docs/metrics-vs-muspy.md)
    **_from(f"{_C}.metrics", "empty_measure_rate", "groove_consistency"),
    **_from("muspy_like.metrics", "drum_in_pattern_rate", "drum_pattern_consistency", "empty_beat_rate",
            "n_pitch_classes_used", "n_pitches_used",
            "pitch_class_entropy", "pitch_entropy", "pitch_in_scale_rate", "pitch_range", "polyphony",
            "polyphony_rate", "scale_consistency"),
    # datasets with MusPy's classes
    **_from(f"{_C}.datasets", "Dataset", "MusicDataset", "FolderDataset", "ABCFolderDataset",
            "Music21Dataset", "RemoteDataset", "RemoteFolderDataset", "RemoteMusicDataset",
            "RemoteABCFolderDataset", "EMOPIADataset", "EssenFolkSongDatabase", "HaydnOp20Dataset",
            "HymnalDataset", "HymnalTuneDataset", "JSBChoralesDataset", "LakhMIDIAlignedDataset",
            "LakhMIDIDataset", "LakhMIDIMatchedDataset", "MAESTRODatasetV1", "MAESTRODatasetV2",
            "MAESTRODatasetV3", "MusicNetDataset", "NESMusicDatabase", "NottinghamDatabase", "WikifoniaDataset",
            "get_dataset", "list_datasets"),
    # schemas, audio, external resources, visualization
    **_from(f"{_C}.schemas", "DEFAULT_SCHEMA_VERSION", "get_json_schema_path", "get_yaml_schema_path",
            "get_musicxml_schema_path", "validate_json", "validate_yaml", "validate_musicxml"),
    **_from(f"{_C}.audio", "synthesize", "write_audio"),
    **_from(f"{_C}.external", "download_musescore_soundfont", "get_musescore_soundfont_dir",
            "get_musescore_soundfont_path", "download_bravura_font", "get_bravura_font_dir",
            "get_bravura_font_path"),
    **_from(f"{_C}.visualization", "show", "show_pianoroll", "show_score"),
    **_from(f"{_C}.barlines", "infer_barlines", "infer_barlines_and_beats"),
    "MuseScoreWarning": f"{_C}.io:MuseScoreWarning",
}

#: MusPy's module paths under ``muspy``: submodule -> names (each resolved from the top level).
SUBMODULES: dict[str, dict[str, tuple[str, ...]]] = {
    "inputs": {
        "abc": ("read_abc", "read_abc_string"),
        "event": ("from_event_representation",),
        "json": ("load_json",),
        "midi": ("MIDIError", "from_mido", "from_pretty_midi", "read_midi", "read_midi_mido", "read_midi_pretty_midi"),
        "musescore": ("MuseScoreError", "MuseScoreWarning", "read_musescore"),
        "music21": ("from_music21", "from_music21_part", "from_music21_score", "from_music21_opus"),
        "musicxml": ("MusicXMLError", "read_musicxml"),
        "note": ("from_note_representation",),
        "pianoroll": ("from_pypianoroll", "from_pypianoroll_track", "from_pianoroll_representation"),
        "pitch": ("from_pitch_representation",),
        "wrappers": ("load", "read", "from_object", "from_representation"),
        "yaml": ("load_yaml",),
    },
    "outputs": {
        "abc": ("write_abc",),
        "audio": ("synthesize", "write_audio"),
        "event": ("to_event_representation", "to_default_event_representation", "to_performance_event_representation",
                  "to_remi_event_representation", "EventSequence", "DefaultEventSequence", "PerformanceEventSequence",
                  "get_default_indexer", "get_performance_indexer", "to_default_event_sequence",
                  "to_performance_event_sequence"),
        "json": ("save_json",),
        "midi": ("to_mido", "to_pretty_midi", "to_miditoolkit", "write_midi", "write_midi_mido",
                 "write_midi_pretty_midi"),
        "music21": ("to_music21",),
        "musicxml": ("write_musicxml",),
        "note": ("to_note_representation",),
        "pianoroll": ("to_pypianoroll", "to_pianoroll_representation"),
        "pitch": ("to_pitch_representation",),
        "wrappers": ("save", "write", "to_object", "to_representation"),
        "yaml": ("save_yaml",),
    },
}

#: Names of MusPy's event-sequence module that are not at MusPy's top level.
TOP_LEVEL.update(_from(f"{_C}.event_sequences", "EventSequence", "DefaultEventSequence", "PerformanceEventSequence",
                       "get_default_indexer", "get_performance_indexer", "to_default_event_sequence",
                       "to_performance_event_sequence"))

#: MusPy's module paths that ``muspy_like`` provides as thin modules of the same name.
MODULE_PATHS = ("inputs", "outputs", "utils", "schemas", "processors", "external", "visualization")
