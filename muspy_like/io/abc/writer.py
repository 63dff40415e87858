"""Write a Music as an ABC 2.1 tune, natively (no music21 needed)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

from muspy_like.core.meter import bar_length
from muspy_like.core.music import Music
from muspy_like.errors import ABCError
from muspy_like.io.abc.notation import BAR, FINAL_BAR, FieldLine, Written, key_text, number_text, voice_lines
from muspy_like.io.abc.text import escape_field, escape_quoted
from muspy_like.theory import key_fifths, signature_alter, spell

__all__ = ["write_abc", "abc_text"]

_ACCIDENTALS = {-1: "_", 0: "=", 1: "^"}

#: A chord as the writer lays it out: onset and length in ticks, MIDI pitches.
ChordSpan = tuple[int, int, list[int]]


class _VoicePlan(NamedTuple):
    """One ``V:`` voice to write: the track it belongs to, its chords, and the lyrics by tick (first voice only)."""

    track: int
    name: Optional[str]
    chords: list[ChordSpan]
    lyrics: dict[int, str]


def write_abc(path: Union[str, Path], music: Music, number: int = 1, title: Optional[str] = None) -> None:
    """Write a Music as an ABC 2.1 tune, atomically.

    Parameters
    ----------
    path : str or Path
        Target ``.abc`` file.
    music : Music
        The piece.
    number : int, default 1
        Reference number (``X:``).
    title : str, optional
        Title (``T:``); default ``music.metadata.title``.

    Notes
    -----
    * Header: ``X``, ``T``, ``C`` (creators), ``M`` (the meter at tick 0, else 4/4), ``L:1/8``,
      ``Q:1/4=qpm`` (the tempo at tick 0) and ``K`` (the key at tick 0 with its mode, else C). Later
      changes are field lines in the body (``K:D``, ``M:3/4``, ``Q:1/4=90``), not inline fields, which
      music21 mistakes for chords. A field line takes effect where a voice reaches it: a change at or
      after the end of the last bar (or in a piece without tracks) governs no note and is not written.
    * Each track is one voice, ``V:n name="..."`` declared once, where its music starts (music21 starts a
      new part at every ``V:`` field, so voices are never declared in the header too). A track whose
      notes overlap without forming chords takes several voices; a ``%%score`` line puts them in
      parentheses (one staff), which tells :func:`~muspy_like.io.abc.read_abc` to read them back as one
      track.
    * Bars follow the time signatures, the last one filled with rests; a note crossing a barline or a
      change is split and tied (``-``); a chord is tied as a whole (``[B,D]4-``).
    * Notes sharing onset and length are a chord; gaps are rests (``z``).
    * Lengths are exact fractions of the unit note: three equal notes of a third of a binary value are a
      ``(3`` triplet; other lengths off the binary grid are plain fractions (``A5/12``).
    * Pitches are spelled with sharps in sharp keys and flats in flat keys, with an accidental wherever
      the key or an earlier accidental in the bar would imply another pitch (on every note when the key
      changes or is locrian, since readers such as music21 apply key changes unreliably).
    * Lyrics (of the track, and global lyrics with the first track) are ``w:`` lines under the first
      voice of their track: one syllable per note that starts at the lyric's tick, ``*`` for the others;
      a lyric at a tick where no note starts is lost. Hyphenated syllables (``"Tra -"``, ``"- la -"``,
      ``"- li"``) are joined as one ABC word, ``Tra-la-li``.
    * A track without notes is a voice of rests; in a piece of no length it has no voice.
    * Text is kept on its line (:mod:`~muspy_like.io.abc.text`): line breaks and tabs in titles, names
      and lyrics become spaces; ``%`` and ``\\`` are escaped, and in lyrics also ``- _ * | ~``.
    * Not written: velocities, programs, annotations, control changes, pitch bends and zero-length notes.
      A doubled note (same pitch, onset and length in one track) is a unison chord (``[CC]``).

    Raises
    ------
    ABCError
        If ``music`` is not a Music.
    """
    from muspy_like.files import atomic_write_text

    if not isinstance(music, Music):
        raise ABCError(f"{path}: write_abc() expects a Music, got {type(music).__name__}")
    atomic_write_text(path, abc_text(music, number, title))


def abc_text(music: Music, number: int = 1, title: Optional[str] = None) -> str:
    """The ABC text :func:`write_abc` writes (parameters as there)."""
    return _AbcWriter(music).tune(number, title if title is not None else music.metadata.title)


class _AbcWriter:
    """Renders one Music as the text of an ABC tune."""

    def __init__(self, music: Music) -> None:
        self.music = music
        self.unit = Fraction(music.resolution, 2)  # ticks per eighth, the unit note length L:1/8
        end = music.get_end_time()
        longest = max([bar_length(ts, music.resolution) for ts in music.time_signatures] + [4 * music.resolution])
        grid = music.bar_ticks(end + int(longest) + 1)
        #: End of the last bar, in ticks: voices are filled with rests up to it.
        self.end = int(grid[grid >= end][0]) if end else 0
        self.bar_lines = {int(t) for t in grid if 0 < t <= self.end}
        #: What holds at tick 0 (written in the header), and the later changes (field lines in the body).
        self.initial: dict[str, str] = {}
        self.changes: dict[int, list[str]] = {}
        for tag, items, render in (
            ("M", music.time_signatures, lambda x: f"{x.numerator}/{x.denominator}"),
            ("Q", music.tempos, lambda x: f"1/4={number_text(x.qpm)}"),
            ("K", music.key_signatures, key_text),
        ):
            self._place_fields(tag, [(int(item.time), render(item)) for item in items])
        self.keys = sorted(music.key_signatures, key=lambda k: k.time)
        # music21 (and other readers) apply key changes and the locrian mode unreliably: then every note gets
        # an explicit accidental, so that its pitch does not depend on the key in force.
        self.explicit = any(k.time > 0 or (k.mode or "").lower() == "locrian" for k in self.keys)

    def _place_fields(self, tag: str, values: list[tuple[int, str]]) -> None:
        """The value at tick 0 goes to the header; later ones that change it become body field lines.

        Of several events of one kind at one tick (tracks of a MIDI file repeat them) the last counts, as
        the reader reads them; an event that repeats the value in force is not written.
        """
        by_tick: dict[int, str] = {}
        for time, text in sorted(values, key=lambda pair: pair[0]):
            by_tick[max(time, 0)] = text
        in_force = None
        for time, text in sorted(by_tick.items()):
            if time == 0:
                self.initial[tag] = text
            elif time < self.end and text != in_force:
                self.changes.setdefault(time, []).append(f"{tag}:{text}")
            in_force = text

    def tune(self, number: int, title: Optional[str]) -> str:
        """The whole tune: header, then each voice."""
        voices = self.plan_voices()
        lines = self.header(number, title)
        lines += _score_directive(voices)
        lines.append(f"K:{self.initial.get('K', 'C')}")
        for index, voice in enumerate(voices, start=1):
            if len(voices) > 1 or voice.name:
                name = f' name="{escape_quoted(voice.name)}"' if voice.name else ""
                lines.append(f"V:{index}{name}")
            if self.end:
                lines.extend(self.voice(voice.chords, voice.lyrics))
        return "\n".join(lines) + "\n"

    def header(self, number: int, title: Optional[str]) -> list[str]:
        """``X``, ``T``, ``C``, ``M``, ``L`` and ``Q`` lines (``K`` comes last, after any directive)."""
        lines = [f"X:{number}", f"T:{escape_field(title or '')}"]
        lines += [f"C:{escape_field(creator)}" for creator in self.music.metadata.creators]
        lines.append(f"M:{self.initial.get('M', '4/4')}")
        lines.append("L:1/8")
        if "Q" in self.initial:
            lines.append(f"Q:{self.initial['Q']}")
        return lines

    def plan_voices(self) -> list[_VoicePlan]:
        """One voice per track, more where a track's notes overlap; lyrics go with a track's first voice."""
        music = self.music
        voices = []
        for track_index, track in enumerate(music.tracks):
            lyrics = track.lyrics + (music.lyrics if track_index == 0 else [])
            by_tick = {x.time: x.lyric for x in lyrics}
            for index, chords in enumerate(_voices(track)):
                voices.append(_VoicePlan(track_index, track.name, chords, by_tick if index == 0 else {}))
        return voices

    def fifths_at(self, time: int) -> int:
        fifths = 0
        for key in self.keys:
            if key.time <= time:
                fifths = key_fifths(key) or 0
        return fifths

    def voice(self, chords: list[ChordSpan], lyrics: dict[int, str]) -> list[str]:
        """Lines of one voice: notes and rests split at barlines and changes, bars, field lines, lyrics."""
        cuts = sorted(self.bar_lines | set(self.changes))
        onsets = {(time, time + duration) for time, duration, _ in chords}
        items: list[Union[Written, FieldLine, str]] = []
        altered: dict[str, int] = {}
        cut_index = 0
        for start, stop, pitches in self.spans(chords):
            while start < stop:
                while cuts[cut_index] <= start:
                    cut_index += 1
                cut = min(stop, cuts[cut_index])
                spelled = None if pitches is None else tuple(self.spell(p, start, altered) for p in pitches)
                begins = pitches is not None and (start, stop) in onsets
                tied = cut < stop and pitches is not None
                syllable = lyrics.get(start) if begins else None
                items.append(Written(spelled, Fraction(cut - start) / self.unit, tied, begins, syllable))
                start = cut
                if cut in self.bar_lines:
                    altered.clear()
                    items.append(FINAL_BAR if cut == self.end else BAR)
                items.extend(FieldLine(field) for field in self.changes.get(cut, []))
        return voice_lines(items)

    def spans(self, chords: list[ChordSpan]) -> list[tuple[int, int, Optional[list[int]]]]:
        """(start, stop, pitches) of each chord and of the rests between them, up to the end of the last bar."""
        spans: list[tuple[int, int, Optional[list[int]]]] = []
        position = 0
        for time, duration, pitches in chords:
            if time > position:
                spans.append((position, time, None))
            spans.append((time, time + duration, pitches))
            position = time + duration
        if position < self.end:
            spans.append((position, self.end, None))
        return spans

    def spell(self, pitch: int, time: int, altered: dict[str, int]) -> str:
        """ABC name of a pitch, with an accidental when the key or the bar so far would imply another."""
        fifths = self.fifths_at(time)
        letter, alter, octave = spell(pitch, fifths)
        in_key = signature_alter(letter, fifths)
        accidental = ""
        if self.explicit or letter in altered or alter != in_key:
            accidental = _ACCIDENTALS[alter]
            altered[letter] = alter
        name = letter.lower() + "'" * (octave - 5) if octave >= 5 else letter + "," * (4 - octave)
        return accidental + name


def _score_directive(voices: list[_VoicePlan]) -> list[str]:
    """``%%score`` grouping in parentheses the voices of a track written as several voices (none if no track is)."""
    groups: dict[int, list[int]] = {}
    for index, voice in enumerate(voices, start=1):
        groups.setdefault(voice.track, []).append(index)
    if all(len(group) == 1 for group in groups.values()):
        return []
    parts = [f"({' '.join(map(str, g))})" if len(g) > 1 else str(g[0]) for g in groups.values()]
    return ["%%score " + " ".join(parts)]


def _voices(track: Any) -> list[list[ChordSpan]]:
    """Split a track's notes into voices of non-overlapping chords (same onset and length)."""
    chords: dict[tuple[int, int], list[int]] = {}
    notes = track.notes
    for time, duration, pitch in zip(notes.time.tolist(), notes.duration.tolist(), notes.pitch.tolist()):
        if duration > 0:  # a doubled note stays: a unison chord [CC] reads back as two notes
            chords.setdefault((time, duration), []).append(pitch)
    voices: list[list[ChordSpan]] = []
    for (time, duration), pitches in sorted(chords.items()):
        for voice in voices:
            if voice[-1][0] + voice[-1][1] <= time:
                voice.append((time, duration, sorted(pitches)))
                break
        else:
            voices.append([(time, duration, sorted(pitches))])
    return voices or [[]]
