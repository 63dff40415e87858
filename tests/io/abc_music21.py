"""Our ABC reader against music21's own reading of the same tune, with each kind of difference named.

Used by ``test_abc_music21.py`` (a sample of music21's ABC corpus in every run, the whole corpus on
request). Run as a script to compare the whole corpus and print the counts per class that
``docs/interop-abc.md`` reports::

    python tests/io/abc_music21.py [-j 2] [--step K]

music21 reads the text as our reader hands it to music21's tokenizer (inline fields on lines of their own,
``L:1/8`` added to a tune with neither ``L:`` nor ``M:``), so that the comparison is on how the notes are
built. The comparison is on notes: (onset, MIDI pitch, duration) in ticks at 840 per quarter (exact for every
tuplet of the corpus), music21's tied notes merged as :func:`muspy_like.interop.from_music21` merges them
(same pitch, touching), grace notes left out. Classes:

``identical``
    The same notes, in as many tracks as music21 has parts.
``chord ties``
    Ours equal music21's once the touching same-pitch notes that music21 left unmerged are joined, and
    the tune ties a chord (``[CE]2-``): music21 records a chord's tie but does not apply it.
``voices``
    The tune has voices that music21 lays out as separate parts from tick 0 at each ``V:`` field (a
    voice that comes back, ``V:1 ... V:2 ... V:1``), copies into every part (music before the first
    ``V:``) or ignores (an identifier that is not a number). Checked: music21 reads our notes once each
    voice's lines are gathered under one ``V:`` field numbered in order of appearance.
``music21 drops a note``
    A note carrying a quoted string that starts with ``>`` (a text annotation placed to the right):
    music21 takes it for a fingering chart and drops the note, and the time it takes; we keep it.
    Checked: music21 reads our notes once those strings are removed from the text.
``octave clefs``
    ``K:`` fields with an octave clef (``-8va``) or a bass clef: music21 transposes a bass clef two
    octaves down and an octave clef an octave down, but only when the field falls in the tune's last
    bar; we apply octave clefs (as abc2midi does) and leave bass clefs alone. Checked: the same notes up
    to whole octaves.
``re-barring``
    A bar longer than its meter: music21 splits it at the meter's length and places the rest at the start
    of the next bar, overlapping what is there (``americanfifeopus.abc`` X:108: the chord ``[da]`` across
    the bar comes out in two pieces, the second a quarter late). Checked: with music21's re-barring step
    turned off, music21 reads our notes.
``grace chords``
    A chord in braces (``{[GB]}``): music21 reads it as a chord that takes its time; ABC grace notes take
    none, and we drop it with the other grace notes. Checked: music21 reads our notes once the grace
    chords are removed from the text.
``music21 fails``
    music21 raises on the tune; we read it (checked: our notes are those of its tokens).
``both fail``
    Neither reads the tune (the reason is listed).
``unexplained``
    Anything else: the test fails on it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional

RESOLUTION = 840

CLASSES = (
    "identical",
    "chord ties",
    "voices",
    "music21 drops a note",
    "octave clefs",
    "grace chords",
    "re-barring",
    "music21 fails",
    "both fail",
    "we fail",
    "unexplained",
)

CHORD_TIE = re.compile(r"\][0-9/]*-")
_DROPPED_BY_MUSIC21 = re.compile(r'"\s*>[^"]*"')
GRACE_CHORD = re.compile(r"\{[^}]*\[[^}]*\}")
_CLEF_OPTIONS = re.compile(r"^K:.*(-8|bass|octave=|transpose=)", re.MULTILINE)


def corpus_abc_files() -> list[Path]:
    """Every ABC file of music21's corpus, sorted."""
    from music21 import corpus

    return sorted(p for p in corpus.corpora.CoreCorpus().getPaths() if p.suffix == ".abc")


def music21_notes(text: str, resolution: int = RESOLUTION, rebar: bool = True) -> list[list[tuple[int, int, int]]]:
    """music21's notes of one tune, per part, ties merged like ``from_music21`` (sorted), in ticks.

    ``rebar=False`` turns music21's re-barring step off (to check the ``re-barring`` class).
    """
    from unittest import mock

    from music21 import abcFormat
    from music21.abcFormat import translate

    handler = abcFormat.ABCHandler()
    handler.process(text)
    if rebar:
        score = translate.abcToStreamScore(handler)
    else:
        with mock.patch.object(translate, "reBar", lambda part, inPlace=False: None):
            score = translate.abcToStreamScore(handler)
    parts = []
    for part in score.parts:
        starts: list[int] = []
        ends: list[int] = []
        pitches: list[int] = []
        tied: dict[int, int] = {}
        for element in part.flatten().notes:
            if element.duration.isGrace or "ChordSymbol" in element.classes:
                continue
            onset = _tick(element.offset, resolution)
            end = _tick(element.offset + element.quarterLength, resolution)
            for member in element.notes if element.isChord else [element]:
                # music21 ties a chord it splits at a barline (re-barring) on the chord, not its notes
                tie = member.tie if member.tie is not None else element.tie
                pitch, kind = member.pitch.midi, tie.type if tie is not None else None
                if kind in ("continue", "stop") and pitch in tied and ends[tied[pitch]] == onset:
                    ends[tied[pitch]] = end
                    if kind == "stop":
                        del tied[pitch]
                    continue
                starts.append(onset)
                ends.append(end)
                pitches.append(pitch)
                if kind in ("start", "continue"):
                    tied[pitch] = len(starts) - 1
        parts.append(sorted(zip(starts, pitches, (e - s for s, e in zip(starts, ends)))))
    return parts


def _tick(quarters: Any, resolution: int) -> int:
    return int(float(quarters) * resolution + 0.5)


def our_notes(music) -> list[list[tuple[int, int, int]]]:
    """Our notes per track, sorted."""
    return [
        sorted(zip(t.notes.time.tolist(), t.notes.pitch.tolist(), t.notes.duration.tolist())) for t in music.tracks
    ]


def sounding(notes: list[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Per pitch, the time intervals where it sounds (touching and overlapping notes joined)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for onset, pitch, duration in sorted(notes, key=lambda n: (n[1], n[0])):
        intervals = spans.setdefault(pitch, [])
        if intervals and onset <= intervals[-1][1]:
            intervals[-1] = (intervals[-1][0], max(intervals[-1][1], onset + duration))
        else:
            intervals.append((onset, onset + duration))
    return spans


def same_up_to_chord_ties(theirs: list, ours: list, text: str) -> bool:
    """True if music21 differs from us only by leaving chord ties unapplied (see the ``chord ties`` class).

    The tune ties a chord, both sound the same pitches at the same times, and every note we start is a
    note music21 starts (music21 starts more: the continuations of the chords it did not tie).
    """
    onsets = {(t, p) for t, p, _ in theirs}
    return bool(CHORD_TIE.search(text)) and sounding(theirs) == sounding(ours) and all(
        (t, p) in onsets for t, p, _ in ours
    )


def classify(text: str, music: Optional[Any], our_error: Optional[str]) -> tuple[str, str]:
    """(class, detail) of one tune: ``text`` as the reader parses it, ``music`` our result (or our error)."""
    try:
        theirs = music21_notes(text)
        their_error = None
    except Exception as error:  # music21 raises many types on bad input
        theirs, their_error = [], f"{type(error).__name__}: {error}"
    if music is None:
        return ("both fail" if their_error else "we fail"), our_error or ""
    if their_error is not None:
        return "music21 fails", their_error
    ours = our_notes(music)
    all_theirs = sorted(n for part in theirs for n in part)
    all_ours = sorted(n for track in ours for n in track)
    if all_theirs == all_ours and len(ours) == len(theirs):
        return "identical", ""
    if len(ours) == len(theirs) and same_up_to_chord_ties(all_theirs, all_ours, text):
        return "chord ties", ""
    if re.search(r"^V:", text, re.MULTILINE):
        gathered = sorted(n for part in music21_notes(gather_voices(text)) for n in part)
        if gathered == all_ours:
            return "voices", f"{len(theirs)} music21 parts, {len(ours)} tracks"
    if _DROPPED_BY_MUSIC21.search(text):
        fixed = sorted(n for part in music21_notes(_DROPPED_BY_MUSIC21.sub("", text)) for n in part)
        if fixed == all_ours:
            return "music21 drops a note", f"{len(all_ours) - len(all_theirs)} notes"
    if GRACE_CHORD.search(text):
        fixed = sorted(n for part in music21_notes(GRACE_CHORD.sub("", text)) for n in part)
        if fixed == all_ours:
            return "grace chords", ""
    if sorted(n for part in music21_notes(text, rebar=False) for n in part) == all_ours:
        return "re-barring", ""
    if _CLEF_OPTIONS.search(text):
        if sorted((t, p % 12, d) for t, p, d in all_theirs) == sorted((t, p % 12, d) for t, p, d in all_ours):
            return "octave clefs", ""
    missing = Counter(all_ours) - Counter(all_theirs)
    extra = Counter(all_theirs) - Counter(all_ours)
    return "unexplained", f"ours only {sorted(missing.elements())[:4]}, music21 only {sorted(extra.elements())[:4]}"


def gather_voices(text: str) -> str:
    """The tune with each voice's lines gathered after one ``V:n`` field (n = order of appearance)."""
    from muspy_like.io.abc.fields import voice_id
    from muspy_like.io.abc.tokens import default_voice

    lines = text.split("\n")
    end_of_header = next((i for i, line in enumerate(lines) if line.startswith("K:")), len(lines) - 1) + 1
    header = [line for line in lines[:end_of_header] if not line.startswith("V:")]
    default = default_voice([line for line in lines if line.startswith(("V:", "K:"))])
    blocks: dict[str, list[str]] = {}
    current = default
    for line in lines[end_of_header:]:
        if line.startswith("V:"):
            current = voice_id(line[2:])
            blocks.setdefault(current, [])
        else:
            blocks.setdefault(current, []).append(line)
    body = []
    for number, block in enumerate(blocks.values(), start=1):
        body += [f"V:{number}", *block]
    return "\n".join(header + body) + "\n"


def compare_file(
    path: Path, every: int = 1, numbers: Optional[set] = None
) -> list[tuple[str, Optional[int], int, str, str]]:
    """(file name, X: number, line, class, detail) of every ``every``-th tune of an ABC file (or of the
    tunes whose ``X:`` is in ``numbers``)."""
    from muspy_like.errors import ABCError
    from muspy_like.io.abc import load_tune_book, read_tune
    from muspy_like.io.abc.tokens import prepare_text

    book = load_tune_book(path)
    rows = []
    tunes = [t for t in book.tunes if t.number in numbers] if numbers is not None else book.tunes[::every]
    for tune in tunes:
        try:
            music, error = read_tune(tune, path, RESOLUTION), None
        except ABCError as failure:
            music, error = None, str(failure)
        kind, detail = classify(prepare_text(tune.text), music, error)
        rows.append((path.name, tune.number, tune.line, kind, detail))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare the ABC reader with music21 on music21's ABC corpus.")
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--step", type=int, default=1, help="take every STEP-th file")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from muspy_like.parallel import parallel_map

    files = corpus_abc_files()[:: args.step]
    counts: Counter = Counter()

    def report(_: int, rows: list) -> None:
        for name, number, line, kind, detail in rows:
            counts[kind] += 1
            if kind not in ("identical", "chord ties"):
                print(f"{kind}: {name} X:{number} (line {line}) {detail}"[:300], flush=True)

    result = parallel_map(
        compare_file, files, n_jobs=args.jobs, desc="ABC vs music21", chunksize=1, on_result=report, keep_values=False
    )
    for failure in result.failures:
        print("crashed:", failure.summary())
    print({kind: counts[kind] for kind in CLASSES}, "tunes:", sum(counts.values()))


if __name__ == "__main__":
    main()
