"""The fast MIDI engine: symusic's C++ parser, checked chunk by chunk, with an exact fallback.

symusic reads notes, controllers, pitch bends, tempos, signatures and lyrics at C++ speed, but it does
not report channels, text/copyright/cue events or where each event came from, and its bookkeeping of
program changes and of controllers on note-less channels differs from ours. So before trusting it, every
track chunk is matched (in C, by a compiled regular expression) against a *simple* shape whose symusic
reading provably equals :mod:`~muspy_like.io.midi.builder`'s:

* one channel for all channel messages, program changes only before the first note message;
* meta events limited to track name and lyrics (ASCII text), tempo, time and key signatures (valid
  values) and the event types both readers ignore; a single end-of-track event, last;
* chunks without channel messages (conductor tracks) are decoded by the pure-Python decoder (they are
  short).

Other chunks are decoded by the pure-Python decoder, while the tempos and signatures of every chunk come
from symusic (its lists are complete and in file order). Files with system messages or SMPTE timing are
decoded entirely in Python. The differential tests compare this engine with the mido engine.
"""

from __future__ import annotations

import re
from functools import lru_cache

from muspy_like.core.events import Lyric, Tempo, TimeSignature
from muspy_like.core.music import Music
from muspy_like.io.midi.builder import MusicBuilder, build_track
from muspy_like.io.midi.chunks import split_chunks
from muspy_like.io.midi.constants import decode_text, key_signature_from_midi
from muspy_like.io.midi.scanner import scan_chunk

__all__ = ["read_with_symusic"]

_TAG = "\x1emuspy_like-chunk-{}"

_VLQ = rb"[\x80-\xff]{0,3}+[\x00-\x7f]"
_DATA = rb"[\x00-\x7f]"


def _payload(byte_class: bytes, minimum: int = 0) -> bytes:
    """A one-byte length followed by that many bytes of ``byte_class``."""
    branches = [re.escape(bytes([n])) + byte_class + b"{%d}" % n for n in range(minimum, 128)]
    return b"(?:" + b"|".join(branches) + b")"


_ANY = rb"[\s\S]"
# Meta types neither reader keeps (sequence number, channel prefix, port, SMPTE offset, ...).
_IGNORED_META = rb"\xff[\x00\x0a-\x2e\x30-\x50\x52-\x57\x5a-\xff]" + _payload(_ANY)
_SYSEX = rb"[\xf0\xf7]" + _payload(_ANY)
_KNOWN_META = (
    rb"\xff\x05" + _payload(_ANY, 1)  # lyric (its text is checked against symusic's afterwards)
    + rb"|\xff\x51\x03(?!\x00\x00\x00)" + _ANY + b"{3}"  # tempo
    + rb"|\xff\x58\x04[\x01-\xff][\x00-\x1e]" + _ANY + b"{2}"  # time signature
    + rb"|\xff\x59\x02[\xf9-\xff\x00-\x07][\x00\x01]"  # key signature
    + b"|" + _IGNORED_META
    + b"|" + _SYSEX
)
_ANY_META = rb"(?:\xff" + _ANY + _payload(_ANY) + b"|" + _SYSEX + b")"
# A track name is only accepted as the first event (capturing groups inside possessive repeats trip a
# CPython 3.11 bug, so the name is read by a separate match at the chunk start).
_TRACK_NAME = _VLQ + rb"\xff\x03" + _payload(_ANY)
_NAME_AT_START = re.compile(_VLQ + rb"\xff\x03([\x00-\x7f])")
_LEADING_METAS = re.compile(rb"(?:" + _VLQ + _ANY_META + rb")*+")
_FIRST_STATUS = re.compile(rb"(?:" + _VLQ + _ANY_META + rb")*+" + _VLQ + rb"([\x80-\xef])")


@lru_cache(maxsize=16)
def _simple_chunk(channel: int) -> re.Pattern:
    """Pattern of a simple chunk whose channel messages all use ``channel``."""

    def statuses(*kinds: int) -> bytes:
        return b"[" + b"".join(re.escape(bytes([kind | channel])) for kind in kinds) + b"]"

    def run(kinds: bytes, size: int) -> bytes:
        data = _DATA * size
        return kinds + data + b"(?:" + _VLQ + data + b")*+"

    def section(three: bytes, two: bytes) -> bytes:
        events = b"|".join([run(three, 2), run(two, 1), _KNOWN_META])  # most frequent first
        return b"(?:" + _VLQ + b"(?:" + events + b"))*+"

    prefix = section(statuses(0xA0, 0xB0, 0xE0), statuses(0xC0, 0xD0))
    body = section(statuses(0x80, 0x90, 0xA0, 0xB0, 0xE0), statuses(0xD0))
    return re.compile(b"(?:" + _TRACK_NAME + b")?+" + prefix + body + _VLQ + rb"\xff\x2f\x00")


def read_with_symusic(data: bytes, name: str, source_filename: str | None) -> Music:
    """Read MIDI bytes with symusic where that is exact, else with the pure-Python decoder."""
    layout = split_chunks(data, name)
    if layout.smpte_fps is None:
        music = _read_mixed(data, layout, name, source_filename)
        if music is not None:
            return music
    builder = MusicBuilder(layout.resolution, layout.midi_type, layout.smpte_fps, "fifo", name)
    for start, end in layout.tracks:
        scan_chunk(data, start, end, builder, name)
    return builder.finish(source_filename)


def _plan(data: bytes, start: int, end: int) -> tuple[int, str | None] | None:
    """(channel, track name) of a simple chunk, or None if the pure-Python decoder must read it."""
    first = _FIRST_STATUS.match(data, start, end)
    if first is None:
        return None
    channel = data[first.start(1)] & 0x0F
    if _simple_chunk(channel).fullmatch(data, start, end) is None:
        return None
    named = _NAME_AT_START.match(data, start, end)
    if named is None:
        return channel, None
    text_start = named.end()
    return channel, decode_text(data[text_start : text_start + data[named.start(1)]])


def _read_mixed(data: bytes, layout, name: str, source_filename: str | None) -> Music | None:
    """symusic for the simple chunks, the pure-Python decoder for the others; None to decode it all in Python.

    symusic parses every chunk (each tagged with its index through a last track-name event), so its tempo
    and signature lists are complete and in file order; the chunks decoded in Python contribute tracks,
    lyrics, text and metadata only.
    """
    import symusic

    plans = [_plan(data, start, end) for start, end in layout.tracks]
    parts = []
    for index, ((start, end), plan) in enumerate(zip(layout.tracks, plans)):
        tag = _TAG.format(index).encode()
        tag_event = b"\xff\x03" + bytes([len(tag)]) + tag + b"\x00\xff\x2f\x00"
        body = data[start : end - 3] + tag_event if plan is not None else data[start:end] + b"\x00" + tag_event
        parts.append(b"MTrk" + len(body).to_bytes(4, "big") + body)
    header = b"MThd\x00\x00\x00\x06\x00\x01" + len(parts).to_bytes(2, "big") + layout.resolution.to_bytes(2, "big")
    try:
        score = symusic.Score.from_midi(header + b"".join(parts))
    except Exception:  # anything symusic refuses is left to the exact decoder
        return None
    by_chunk: dict[str, list] = {}
    for track in score.tracks:
        by_chunk.setdefault(track.name, []).append(track)
    builder = MusicBuilder(layout.resolution, layout.midi_type, None, "fifo", name)
    music = builder.music
    for index, ((start, end), plan) in enumerate(zip(layout.tracks, plans)):
        track = None
        if plan is not None:
            track = _simple_track(data, (start, end), plan, by_chunk.get(_TAG.format(index), []))
        if track is None:
            if scan_chunk(data, start, end, builder, name, index):
                return None  # system messages: symusic's event boundaries may differ from ours
            continue
        if index == 0 and layout.midi_type == 0:
            music.metadata.title, track.name = track.name, None
        music.tracks.append(track)
    builder.tempos = [Tempo(int(t.time), 60_000_000 / t.mspq) for t in score.tempos]
    music.time_signatures = [TimeSignature(int(t.time), int(t.numerator), int(t.denominator)) for t in score.time_signatures]
    music.key_signatures = [key_signature_from_midi(int(k.time), int(k.key), int(k.tonality)) for k in score.key_signatures]
    return builder.finish(source_filename)


def _simple_track(data: bytes, chunk: tuple[int, int], plan: tuple[int, str | None], tracks: list):
    """The Track of a simple chunk from symusic's tracks tagged with it, or None if they do not fit."""
    sounding = [t for t in tracks if len(t.notes) or len(t.controls) or len(t.pitch_bends)]
    if len(sounding) != 1:
        return None
    channel, track_name = plan
    track = _convert_track(sounding[0], channel, track_name)
    for other in tracks:
        track.lyrics.extend(Lyric(int(lyric.time), lyric.text) for lyric in other.lyrics)
    if not _same_lyric_bytes(data, chunk, track.lyrics):
        return None
    return track


def _same_lyric_bytes(data: bytes, chunk: tuple[int, int], lyrics: list[Lyric]) -> bool:
    """Whether symusic's lyric texts are exactly the chunk's lyric payloads (no byte stripped or skipped).

    Every ``FF 05`` in the chunk must be a lyric symusic reported (the counts agree), and each text's
    exact event bytes must occur as often as symusic reports that text, so every payload is valid
    UTF-8 equal to the reported text.
    """
    start, end = chunk
    if data.count(b"\xff\x05", start, end) != len(lyrics):
        return False
    counts: dict[str, int] = {}
    for lyric in lyrics:
        counts[lyric.lyric] = counts.get(lyric.lyric, 0) + 1
    for text, count in counts.items():
        encoded = text.encode("utf-8")
        if len(encoded) > 127 or data.count(b"\xff\x05" + bytes([len(encoded)]) + encoded, start, end) < count:
            return False
    return True


def _convert_track(source, channel: int, track_name: str | None):
    notes = source.notes.numpy()
    controls = source.controls.numpy()
    bends = source.pitch_bends.numpy()
    return build_track(
        channel,
        source.program,
        track_name,
        (notes["time"], notes["pitch"], notes["duration"], notes["velocity"]),
        (controls["time"], controls["number"], controls["value"]),
        (bends["time"], bends["value"]),
    )
