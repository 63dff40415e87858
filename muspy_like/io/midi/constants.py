"""Numbers and names of the Standard MIDI File format shared by the MIDI reader and writer.

Reference: *Standard MIDI Files 1.0*, MIDI Manufacturers Association (1996), sections 2.1-2.3 (chunks,
events, meta events) and the *General MIDI 1* specification (channel 10 is percussion).
"""

from __future__ import annotations

from muspy_like.core.events import KeySignature

__all__ = [
    "DRUM_CHANNEL",
    "MELODIC_CHANNELS",
    "META_TRACK_NAME",
    "META_COPYRIGHT",
    "META_LYRIC",
    "META_END_OF_TRACK",
    "META_TEMPO",
    "META_TIME_SIGNATURE",
    "META_KEY_SIGNATURE",
    "TEXT_GROUPS",
    "GROUP_META_TYPES",
    "GLOBAL_GROUPS",
    "MAX_VLQ",
    "key_signature_from_midi",
    "key_signature_to_midi",
    "decode_text",
]

#: Channel 10 in the usual 1-based numbering: General MIDI percussion.
DRUM_CHANNEL = 9
#: The 15 channels a writer may give to pitched tracks, in the order they are handed out.
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)

META_SEQUENCE_NUMBER = 0x00
META_COPYRIGHT = 0x02
META_TRACK_NAME = 0x03
META_LYRIC = 0x05
META_END_OF_TRACK = 0x2F
META_TEMPO = 0x51
META_TIME_SIGNATURE = 0x58
META_KEY_SIGNATURE = 0x59

#: Text meta events kept as :class:`~muspy_like.Annotation`, by meta type -> annotation ``group``.
TEXT_GROUPS = {
    0x01: "text",
    0x04: "instrument",
    0x06: "marker",
    0x07: "cue",
    0x08: "program_name",
    0x09: "device",
}
#: Annotation group -> meta type used by the writer (any other group is written as a text event).
GROUP_META_TYPES = {group: kind for kind, group in TEXT_GROUPS.items()}
#: Groups that describe the whole piece; kept in ``Music.annotations`` when found in the conductor track.
GLOBAL_GROUPS = frozenset({"marker", "cue"})

#: Largest delta time or length a 4-byte variable-length quantity can hold (2**28 - 1).
MAX_VLQ = 0x0FFFFFFF

_MAJOR_ROOTS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
_MINOR_ROOTS = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _pitch_class(name: str) -> int:
    offset = name.count("#") - name.count("b")
    return (_PITCH_CLASS[name[0]] + offset) % 12


#: (root name, root pitch class) by [minor][sharps_or_flats + 7]
_ROOTS = [[(name, _pitch_class(name)) for name in names] for names in (_MAJOR_ROOTS, _MINOR_ROOTS)]


def key_signature_from_midi(time: int, sharps_or_flats: int, minor: int) -> KeySignature:
    """Build a :class:`KeySignature` from the two data bytes of a key-signature meta event.

    Parameters
    ----------
    time : int
        Position, in ticks.
    sharps_or_flats : int
        Signed number of sharps (positive) or flats (negative), -7..7.
    minor : int
        0 for major, 1 for minor.
    """
    root_str, root = _ROOTS[1 if minor else 0][sharps_or_flats + 7]
    return KeySignature(
        time=time,
        root=root,
        mode="minor" if minor else "major",
        fifths=sharps_or_flats,
        root_str=root_str,
    )


#: Semitones from the tonic of a church mode down to the tonic of the major key with its signature.
CHURCH_MODE_OFFSETS = {"ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "aeolian": 9,
                       "locrian": 11}


def key_signature_to_midi(key: KeySignature) -> tuple[int, int]:
    """The (sharps_or_flats, minor) data of a key signature, or raise ``ValueError`` if MIDI cannot hold it.

    ``fifths`` is used when given; otherwise it is derived from ``root`` and ``mode`` (the spelling with
    fewer accidentals wins, e.g. root 8 major is Ab major, -4; on a tie, F#/Gb major, the sharps).
    MIDI knows only major and minor: a church mode keeps its signature (D dorian is written as the
    signature of C major, aeolian as minor) and loses the name of its tonic.
    """
    mode = key.mode.lower() if isinstance(key.mode, str) else None
    if mode not in ("major", "minor", None) and mode not in CHURCH_MODE_OFFSETS:
        raise ValueError(f"MIDI key signatures are major or minor, not {key.mode!r}")
    minor = 1 if mode in ("minor", "aeolian") else 0
    if key.fifths is not None:
        return int(key.fifths), minor
    if key.root is None:
        raise ValueError("a key signature needs fifths or root to be written to MIDI")
    if mode in CHURCH_MODE_OFFSETS and mode != "aeolian":
        root, names = (key.root - CHURCH_MODE_OFFSETS[mode]) % 12, _MAJOR_ROOTS
    else:
        root, names = key.root, (_MINOR_ROOTS if minor else _MAJOR_ROOTS)
    candidates = [i - 7 for i, name in enumerate(names) if _pitch_class(name) == root]
    return min(candidates, key=lambda f: (abs(f), f < 0)), minor


def decode_text(data: bytes) -> str:
    """Text of a meta event: UTF-8 when the bytes are valid UTF-8, else Latin-1 (every byte kept)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
