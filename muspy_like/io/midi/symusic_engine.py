"""The fast MIDI engine: symusic's C++ parser, checked chunk by chunk, with an exact fallback.

symusic reads notes, controllers, pitch bends, tempos, signatures and lyrics at C++ speed, but it does
not report channels, text/copyright/cue events or where each event came from, and its bookkeeping of
program changes and of controllers on note-less channels differs from ours. So before trusting it, every
track chunk is matched (in C, by a compiled regular expression) against a *simple* shape whose symusic
reading provably equals :mod:`~muspy_like.io.midi.builder`'s:

* one channel for all channel messages, program changes only before the first note message;
* meta events limited to a leading track name, non-empty lyrics (compared byte for byte with symusic's
  afterwards), tempo, time and key signatures (valid values) and the event types both readers ignore; a
  single end-of-track event, last.

Chunks of that shape but with program changes after the first note are read with the help of a probe
copy (:mod:`~muspy_like.io.midi.program_changes`).

Chunks of tempos, signatures and ignored events only (the usual conductor track) make no track: symusic
gives their timing and a pattern their name. Other chunks are decoded by the pure-Python decoder, while the
tempos and signatures of every chunk come from symusic (its lists are complete and in file order). Files with system messages or SMPTE timing are
decoded entirely in Python. The differential tests compare this engine with the mido engine.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional, Union

import numpy as np

from muspy_like.core.events import Annotation, Lyric, Tempo, TimeSignature
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.io.midi.builder import MusicBuilder, build_track
from muspy_like.io.midi.chunks import split_chunks
from muspy_like.io.midi.constants import META_COPYRIGHT, TEXT_GROUPS, decode_text, key_signature_from_midi
from muspy_like.io.midi.probe import ProbePlan, plan_probe, probe_chunk, split_by_program, text_tag
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
_PAYLOAD = _payload(_ANY)
_TIMING_META = (
    rb"\xff\x51\x03(?!\x00\x00\x00)" + _ANY + b"{3}"  # tempo
    + rb"|\xff\x58\x04[\x01-\xff][\x00-\x1e]" + _ANY + b"{2}"  # time signature
    + rb"|\xff\x59\x02[\xf9-\xff\x00-\x07][\x00\x01]"  # key signature
)
# the meta types neither reader keeps (sequence number, channel prefix, port, SMPTE offset, ...) and
# system exclusive
_IGNORED_META = rb"\xff[\x00\x0a-\x2e\x30-\x50\x52-\x57\x5a-\xff]|[\xf0\xf7]"
_KNOWN_META = (
    # non-empty lyrics (their text is checked against symusic's afterwards) share the ignored events'
    # length-prefixed payload, to keep the pattern small
    _TIMING_META + rb"|(?:\xff\x05(?!\x00)|" + _IGNORED_META + b")" + _PAYLOAD
)
_ANY_META = rb"(?:\xff" + _ANY + b"|[\xf0\xf7])" + _PAYLOAD
# A track name is only accepted as the first event (capturing groups inside possessive repeats trip a
# CPython 3.11 bug, so the name is read by a separate match at the chunk start).
_TRACK_NAME = _VLQ + rb"\xff\x03" + _PAYLOAD
_NAME_AT_START = re.compile(_VLQ + rb"\xff\x03([\x00-\x7f])")
# A chunk of tempos, signatures and ignored events after an optional name (the usual conductor track):
# it makes no track and symusic gives its timing, so only its name is read here.
_TIMING_ONLY = re.compile(
    b"(?:" + _TRACK_NAME + b")?+(?:" + _VLQ + b"(?:" + _TIMING_META + b"|(?:" + _IGNORED_META + b")" + _PAYLOAD
    + b"))*+" + _VLQ + rb"\xff\x2f\x00"
)
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


class _Simple(NamedTuple):
    channel: int
    name: Optional[str]


class _Probed(NamedTuple):
    name: Optional[str]
    plan: ProbePlan
    body_start: int


def _leading_name(data: bytes, start: int, end: int) -> tuple[Optional[str], int]:
    """The track name given by the first event of the chunk (if any) and the offset after that event."""
    named = _NAME_AT_START.match(data, start, end)
    if named is None:
        return None, start
    text_start = named.end()
    text_end = text_start + data[named.start(1)]
    return decode_text(data[text_start:text_end]), text_end


def _plan(data: bytes, start: int, end: int) -> Union[_Simple, _Probed, None]:
    """How symusic can read a chunk exactly, or None if the pure-Python decoder must read it."""
    first = _FIRST_STATUS.match(data, start, end)
    if first is None:
        return None
    channel = data[first.start(1)] & 0x0F
    name, body_start = _leading_name(data, start, end)
    if _simple_chunk(channel).fullmatch(data, start, end) is not None:
        return _Simple(channel, name)
    if channel == 15 and data.find(b"\xff\x05", start, end) >= 0:
        return None  # symusic files lyrics under channel 15, which would mix with this channel's tracks
    plan = plan_probe(data, body_start, end, channel, _KNOWN_META, _PAYLOAD)
    return None if plan is None else _Probed(name, plan, body_start)


def _read_mixed(data: bytes, layout, name: str, source_filename: str | None) -> Music | None:
    """symusic for the chunks it reads exactly, the pure-Python decoder for the others; None to decode it
    all in Python.

    symusic parses every chunk (each tagged with its index through a last track-name event), so its tempo
    and signature lists are complete and in file order; the chunks decoded in Python contribute tracks,
    lyrics, text and metadata only.
    """
    import symusic

    plans = [_plan(data, start, end) for start, end in layout.tracks]
    parts = []
    for index, ((start, end), plan) in enumerate(zip(layout.tracks, plans)):
        body = data[start : end - 3] if plan is not None else data[start:end] + b"\x00"
        parts.append(_tagged_chunk(body, index))
    try:
        score = symusic.Score.from_midi(_header(layout.resolution, len(parts)) + b"".join(parts))
    except Exception:  # anything symusic refuses is left to the exact decoder
        return None
    if score.start() < 0:
        # symusic counts ticks in 32 bits; past 2**31 they wrap to negative values (every delta is below
        # 2**28, so a wrap always leaves events at negative ticks)
        return None
    by_chunk = _tracks_by_tag(score)
    probes, text_ticks = _probe(data, layout, plans, by_chunk)
    builder = MusicBuilder(layout.resolution, layout.midi_type, None, "fifo", name)
    music = builder.music
    for index, ((start, end), plan) in enumerate(zip(layout.tracks, plans)):
        tagged = by_chunk.get(_TAG.format(index), [])
        tracks = None
        if isinstance(plan, _Simple):
            tracks = _simple_tracks(data, (start, end), plan, tagged)
        elif isinstance(plan, _Probed):
            tracks = _probed_tracks(data, (start, end), index, plan, tagged, probes.get(index), text_ticks, builder)
        if tracks is None and _TIMING_ONLY.fullmatch(data, start, end) is not None:
            if index == 0:  # the conductor's (or a type 0 file's only chunk's) name is the title
                music.metadata.title = _leading_name(data, start, end)[0]
            continue
        if tracks is None:
            if scan_chunk(data, start, end, builder, name, index):
                return None  # symusic may delimit or stop this chunk differently: decode all in Python
            continue
        if index == 0 and layout.midi_type == 0:
            music.metadata.title = tracks[0].name
            for track in tracks:
                track.name = None
        music.tracks.extend(tracks)
    signatures = _columns(score.time_signatures, "time", "numerator", "denominator")
    if 0 in signatures[2]:
        return None  # symusic keeps denominators in a byte: 256 and beyond overflow to 0
    times, mspq = _columns(score.tempos, "time", "mspq")
    builder.tempos = [Tempo(time, 60_000_000 / value) for time, value in zip(times, mspq)]
    music.time_signatures = list(map(TimeSignature, *signatures))
    music.key_signatures = list(map(key_signature_from_midi, *_columns(score.key_signatures, "time", "key", "tonality")))
    return builder.finish(source_filename)


def _columns(events, *names: str) -> list[list[int]]:
    """Fields of a symusic event list as lists of Python ints (one numpy call instead of an object per event)."""
    arrays = events.numpy()
    return [arrays[name].tolist() for name in names]


def _header(resolution: int, n_chunks: int) -> bytes:
    return b"MThd\x00\x00\x00\x06\x00\x01" + n_chunks.to_bytes(2, "big") + resolution.to_bytes(2, "big")


def _tagged_chunk(body: bytes, index: int) -> bytes:
    """An ``MTrk`` chunk of ``body`` (events without the final end-of-track) named by a last tag event."""
    tag = _TAG.format(index).encode()
    body += b"\xff\x03" + bytes([len(tag)]) + tag + b"\x00\xff\x2f\x00"
    return b"MTrk" + len(body).to_bytes(4, "big") + body


def _tracks_by_tag(score) -> dict[str, list]:
    by_chunk: dict[str, list] = {}
    for track in score.tracks:
        by_chunk.setdefault(track.name, []).append(track)
    return by_chunk


def _simple_tracks(data: bytes, chunk: tuple[int, int], plan: _Simple, tracks: list) -> Optional[list[Track]]:
    """The track of a simple chunk from symusic's tracks tagged with it, or None if they do not fit."""
    sounding = [t for t in tracks if len(t.notes) or len(t.controls) or len(t.pitch_bends)]
    if len(sounding) != 1 or not len(sounding[0].notes):
        return None
    track = _convert_track(sounding[0], plan.channel, plan.name)
    return _with_lyrics([track], tracks, data, chunk)


def _with_lyrics(made: list[Track], tracks: list, data: bytes, chunk: tuple[int, int]) -> Optional[list[Track]]:
    for other in tracks:
        if len(other.lyrics):
            made[0].lyrics.extend([Lyric(lyric.time, lyric.text) for lyric in other.lyrics])
    return made if _same_lyric_bytes(data, chunk, made[0].lyrics) else None


def _probe(data: bytes, layout, plans: list, by_chunk: dict) -> tuple[dict[int, tuple], dict[str, int]]:
    """Parse the probe copies of every probed chunk in one symusic call.

    Returns chunk index -> (probe track, marker controller, reserved bend base), and the tick of every
    text event by its tag (see :func:`~muspy_like.io.midi.probe.text_tag`).
    """
    import symusic

    parts, keys = [], []
    for index, ((start, end), plan) in enumerate(zip(layout.tracks, plans)):
        if not isinstance(plan, _Probed):
            continue
        tagged = by_chunk.get(_TAG.format(index), [])
        numbers = np.concatenate([_NO_ROWS] + [t.controls.numpy()["number"] for t in tagged])
        used_numbers = np.bincount(numbers, minlength=128) > 0
        used_bends = np.unique(np.concatenate([_NO_ROWS] + [t.pitch_bends.numpy()["value"] for t in tagged]))
        free_numbers = np.flatnonzero(~used_numbers & ~np.roll(used_numbers, -1))  # n and (n + 1) % 128 unused
        marker = int(free_numbers[0]) if len(free_numbers) else None
        # a window of 129 bend values no real bend uses (searchsorted: the first used value >= b is > b + 128)
        bases = np.arange(-8192, 8192 - 128, 129)
        free = used_bends[np.minimum(np.searchsorted(used_bends, bases), len(used_bends) - 1)] if len(used_bends) else None
        free_bases = bases if free is None else bases[(free < bases) | (free > bases + 128)]
        base = int(free_bases[0]) if len(free_bases) else None
        if marker is None or base is None:
            continue
        body = probe_chunk(data, end, plan.plan, plan.body_start, index, marker, base)
        parts.append(_tagged_chunk(data[start : plan.body_start] + body, index))
        keys.append((index, marker, base))
    if not parts:
        return {}, {}
    try:
        score = symusic.Score.from_midi(_header(layout.resolution, len(parts)) + b"".join(parts))
    except Exception:  # noqa: BLE001 - then those chunks are decoded in Python
        return {}, {}
    if score.start() < 0:  # 32-bit tick overflow, see _read_mixed
        return {}, {}
    probed = _tracks_by_tag(score)
    found = {}
    for index, marker, base in keys:
        with_events = [t for t in probed.get(_TAG.format(index), []) if len(t.controls)]
        if len(with_events) == 1:
            found[index] = (with_events[0], marker, base)
    return found, {m.text: int(m.time) for m in score.markers}


def _probed_tracks(data: bytes, chunk: tuple[int, int], index: int, plan: _Probed, tagged: list, probe,
                   text_ticks: dict[str, int], builder: MusicBuilder) -> Optional[list[Track]]:
    """The tracks of a probed chunk (see :mod:`.probe`); its copyright notices go to ``builder``."""
    if probe is None:
        return None
    probe_track, marker, base = probe
    channel, n_changes = plan.plan.channel, len(plan.plan.program_changes)
    controls = probe_track.controls.numpy()
    number = controls["number"].astype(np.int64)
    control_groups = split_by_program(number == marker, number == (marker + 1) % 128,
                                      controls["value"].astype(np.int64), n_changes)
    bends = probe_track.pitch_bends.numpy()
    value = bends["value"].astype(np.int64)
    bend_groups = split_by_program((value >= base) & (value < base + 128), value == base + 128, value - base, n_changes)
    ticks = [text_ticks.get(text_tag(index, k)) for k in range(len(plan.plan.texts))]
    if control_groups is None or bend_groups is None or None in ticks:
        return None
    note_tracks = {int(t.program): t for t in tagged if not len(t.lyrics)}
    if len(note_tracks) != len([t for t in tagged if not len(t.lyrics)]):
        return None
    made = []
    for program in sorted(set(note_tracks) | set(control_groups) | set(bend_groups)):
        source = note_tracks.get(program)
        notes = source.notes.numpy() if source is not None else {k: [] for k in ("time", "pitch", "duration", "velocity")}
        rows = control_groups.get(program, _NO_ROWS)
        bend_rows = bend_groups.get(program, _NO_ROWS)
        made.append(
            build_track(
                channel,
                program,
                plan.name,
                (notes["time"], notes["pitch"], notes["duration"], notes["velocity"]),
                (controls["time"][rows], controls["number"][rows], controls["value"][rows]),
                (bends["time"][bend_rows], bends["value"][bend_rows]),
            )
        )
    if _with_lyrics(made, tagged, data, chunk) is None:
        return None
    for text, tick in zip(plan.plan.texts, ticks):
        if text.kind == META_COPYRIGHT:
            builder.copyrights.append(decode_text(text.payload))
        else:
            made[0].annotations.append(Annotation(tick, decode_text(text.payload), TEXT_GROUPS[text.kind]))
    return made


_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_CONTROLS = {"time": _NO_ROWS, "number": _NO_ROWS, "value": _NO_ROWS}
_NO_BENDS = {"time": _NO_ROWS, "value": _NO_ROWS}


def _same_lyric_bytes(data: bytes, chunk: tuple[int, int], lyrics: list[Lyric]) -> bool:
    """Whether symusic's lyric texts are exactly the chunk's lyric payloads (no byte stripped or skipped).

    Every ``FF 05`` in the chunk must be a lyric symusic reported (the counts agree; the pattern already
    accepted only one-byte lengths), and the payloads must be, as a multiset, the UTF-8 encodings of the
    reported texts, so every payload is valid UTF-8 equal to its text. The common case, both lists in
    the same order, is checked on one joined string: equal joins with exactly one separator per
    boundary mean equal lists.
    """
    start, end = chunk
    if data.count(_LYRIC_EVENT, start, end) != len(lyrics):
        return False
    if not lyrics:
        return True
    # every piece after a split starts with a lyric's length byte (a payload holding FF 05 itself makes
    # the counts differ, so it never gets here)
    payloads = [piece[1 : 1 + piece[0]] for piece in data[start:end].split(_LYRIC_EVENT)[1:]]
    joined = "\x00".join([lyric.lyric for lyric in lyrics]).encode("utf-8")
    if joined == b"\x00".join(payloads) and joined.count(0) == len(lyrics) - 1:
        return True
    return sorted(payloads) == sorted(lyric.lyric.encode("utf-8") for lyric in lyrics)


_LYRIC_EVENT = b"\xff\x05"


def _convert_track(source, channel: int, track_name: str | None):
    notes = source.notes.numpy()
    controls = source.controls.numpy() if len(source.controls) else _NO_CONTROLS
    bends = source.pitch_bends.numpy() if len(source.pitch_bends) else _NO_BENDS
    return build_track(
        channel,
        source.program,
        track_name,
        (notes["time"], notes["pitch"], notes["duration"], notes["velocity"]),
        (controls["time"], controls["number"], controls["value"]),
        (bends["time"], bends["value"]),
    )
