"""Numbers and names of the Standard MIDI File format shared by the MIDI reader and writer.

Reference: *Standard MIDI Files 1.0*, MIDI Manufacturers Association (1996), sections 2.1-2.3 (chunks,
events, meta events) and the *General MIDI 1* specification (channel 10 is percussion).
"""

from __future__ import annotations

from muspy_like.core.events import KeySignature
from muspy_like.theory import MODES, fifths_of, is_minor, key_from_fifths, normalize_mode

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
    return key_from_fifths(time, sharps_or_flats, "minor" if minor else "major")


def key_signature_to_midi(key: KeySignature) -> tuple[int, int]:
    """The (sharps_or_flats, minor) data of a key signature, or raise ``ValueError`` if MIDI cannot hold it.

    ``fifths`` is used when given; otherwise it is derived from ``root`` and ``mode`` (the spelling with
    fewer accidentals wins, e.g. root 8 major is Ab major, -4; on a tie, F#/Gb major, the sharps).
    MIDI knows only major and minor: a church mode keeps its signature (D dorian is written as the
    signature of C major, aeolian as minor) and loses the name of its tonic.
    """
    mode = normalize_mode(key.mode) if isinstance(key.mode, str) else None
    if mode is not None and mode not in MODES:
        raise ValueError(f"MIDI key signatures are major or minor, not {key.mode!r}")
    minor = 1 if is_minor(key) else 0
    if key.fifths is not None:
        return int(key.fifths), minor
    if key.root is None:
        raise ValueError("a key signature needs fifths or root to be written to MIDI")
    return fifths_of(key.root, mode), minor


def decode_text(data: bytes) -> str:
    """Text of a meta event: UTF-8 when the bytes are valid UTF-8, else Latin-1 (every byte kept)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
