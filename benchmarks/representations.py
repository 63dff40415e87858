"""Representation encode/decode speed against muspy's, and which round trips are exact (issue 3).

Inputs: music21's bundled Bach corpus (``.mxl`` scores), read once by ``muspy.read_musicxml`` and cached
as pickled muspy objects in ``benchmarks/.cache/`` (git-ignored). muspy reads them at the least common
multiple of the divisions (up to 10,080 ticks per quarter note, i.e. piano rolls of a million steps), so
they are first brought to 24 ticks per quarter note with muspy's own ``adjust_resolution``, the grid an
ML pipeline would use; the same objects are then converted to muspy_like Music (same ticks), so both
libraries encode identical notes.

1. **Speed.** For each representation, the time to encode (and to decode those arrays) every piece,
   muspy's function against ours with comparable options: piano roll with velocities, merged tracks;
   MIDI-like events with velocities (ours also writes track, program and tempo tokens); note rows (ours
   also has program, drum, track and tempo columns); pitch with the hold state. Ratios > 1 mean muspy_like
   is faster. Target: piano-roll and event encoding at least as fast as muspy.
2. **Exact round trips.** For each piece and representation, whether ``decode(encode(music))`` gives back
   every track's notes (time, pitch, duration, velocity, program, drum flag) and the tempos, with each
   library's default options and the piece's resolution passed to the decoder. The pitch representation,
   monophonic by definition, is checked voice by voice (MusPy: a one-track piece per voice; ours:
   ``track=i``).

Usage: ``python -m benchmarks.representations [--step K]`` (``K > 1`` takes every K-th score).
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from benchmarks.harness import best_time, machine_info, markdown_table, save_results
from benchmarks.statistics import from_muspy
from muspy_like import Music

PEERS = ["muspy", "music21", "numpy"]
CACHE = Path(__file__).resolve().parent / ".cache" / "representations_bach_muspy.pkl"


def load_bach() -> list:
    """muspy Music objects of every ``.mxl`` Bach score of music21's corpus (read once, then cached)."""
    import muspy
    from music21 import corpus

    if CACHE.exists():
        return pickle.loads(CACHE.read_bytes())
    paths = sorted(str(p) for p in corpus.getComposer("bach") if str(p).endswith(".mxl"))
    print(f"reading {len(paths)} scores with muspy (once; cached in {CACHE})...")
    pieces = []
    for path in paths:
        music = muspy.read_musicxml(path)
        music.metadata.source_filename = Path(path).name
        pieces.append(music)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps(pieces))
    return pieces


def signature(tracks, tempos) -> tuple:
    """What an exact round trip must keep: per track program, drum flag, sorted notes; the tempos."""
    return (
        [(t.program, t.is_drum, sorted((n.time, n.pitch, n.duration, 64 if n.velocity is None else n.velocity)
                                       for n in t.notes)) for t in tracks if len(t.notes)],
        [(t.time, float(t.qpm)) for t in tempos],
    )


def muspy_round_trips(music) -> dict:
    """Which of muspy's representations give this piece back exactly (default options)."""
    import muspy

    expected = signature(music.tracks, music.tempos)
    res = music.resolution
    results = {}
    for name, encode, decode in [
        ("pianoroll", muspy.to_pianoroll_representation, muspy.from_pianoroll_representation),
        ("event", muspy.to_event_representation, muspy.from_event_representation),
        ("note", muspy.to_note_representation, muspy.from_note_representation),
    ]:
        try:
            decoded = decode(encode(music), resolution=res)
            results[name] = signature(decoded.tracks, decoded.tempos) == expected
        except Exception:  # muspy raises RuntimeError on empty pieces: not a round trip
            results[name] = False
    voices = []
    for track in music.tracks:
        one = muspy.Music(resolution=res, tempos=music.tempos, tracks=[track])
        try:
            decoded = muspy.from_pitch_representation(muspy.to_pitch_representation(one, use_hold_state=True).ravel(),
                                                      resolution=res, program=track.program,
                                                      is_drum=track.is_drum, use_hold_state=True)
            voices.append(signature(decoded.tracks, decoded.tempos) == signature([track], music.tempos))
        except Exception:
            voices.append(False)
    results["pitch (per voice)"] = all(voices)
    return results


def our_round_trips(music: Music) -> dict:
    """Which of our representations give this piece back exactly (default options)."""
    from muspy_like import representations as r

    expected = signature(music.tracks, music.tempos)
    res = music.resolution
    results = {}
    roll = r.to_pianoroll_representation(music, track_axis=True, encode_onsets=True)
    decoded = r.from_pianoroll_representation(roll, track_axis=True, encode_onsets=True, resolution=res,
                                              programs=[t.program for t in music.tracks],
                                              is_drums=[t.is_drum for t in music.tracks], tempos=music.tempos)
    results["pianoroll"] = signature(decoded.tracks, decoded.tempos) == expected
    decoded = r.from_event_representation(r.to_event_representation(music), resolution=res)
    results["event"] = signature(decoded.tracks, decoded.tempos) == expected
    decoded = r.from_event_representation(r.to_event_representation(music, mode="remi"), mode="remi", resolution=res)
    results["event (REMI)"] = signature(decoded.tracks, decoded.tempos) == expected
    decoded = r.from_note_representation(r.to_note_representation(music), resolution=res)
    results["note"] = signature(decoded.tracks, decoded.tempos) == expected
    voices = []
    for index, track in enumerate(music.tracks):
        decoded = r.from_pitch_representation(r.to_pitch_representation(music, track=index), resolution=res,
                                              program=track.program, is_drum=track.is_drum, tempos=music.tempos)
        voices.append(signature(decoded.tracks, decoded.tempos) == signature([track], music.tempos))
    results["pitch (per voice)"] = all(voices)
    return results


def speed(theirs: list, ours: list) -> list[dict]:
    """Encode and decode times over all pieces, muspy against muspy_like."""
    import muspy

    from muspy_like import representations as r

    cases = [
        ("pianoroll",
         lambda m: muspy.to_pianoroll_representation(m, encode_velocity=True),
         lambda a, m: muspy.from_pianoroll_representation(a, resolution=m.resolution, encode_velocity=True),
         lambda m: r.to_pianoroll_representation(m),
         lambda a, m: r.from_pianoroll_representation(a, resolution=m.resolution)),
        ("event",
         lambda m: muspy.to_event_representation(m, encode_velocity=True),
         lambda a, m: muspy.from_event_representation(a, resolution=m.resolution),
         lambda m: r.to_event_representation(m),
         lambda a, m: r.from_event_representation(a, resolution=m.resolution)),
        ("note",
         lambda m: muspy.to_note_representation(m),
         lambda a, m: muspy.from_note_representation(a, resolution=m.resolution),
         lambda m: r.to_note_representation(m),
         lambda a, m: r.from_note_representation(a, resolution=m.resolution)),
        ("pitch",
         lambda m: muspy.to_pitch_representation(m, use_hold_state=True),
         # muspy's decoder indexes a (T, 1) array as if it were flat, which numpy 2 rejects: pass it flat.
         lambda a, m: muspy.from_pitch_representation(a.ravel(), resolution=m.resolution, use_hold_state=True),
         lambda m: r.to_pitch_representation(m),
         lambda a, m: r.from_pitch_representation(a, resolution=m.resolution)),
    ]
    rows = []
    for name, their_encode, their_decode, our_encode, our_decode in cases:
        their_arrays = [their_encode(m) for m in theirs]
        our_arrays = [our_encode(m) for m in ours]
        figures = {
            "representation": name,
            "muspy_encode_s": best_time(lambda: [their_encode(m) for m in theirs]),
            "muspy_like_encode_s": best_time(lambda: [our_encode(m) for m in ours]),
            "muspy_decode_s": best_time(lambda: [their_decode(a, m) for a, m in zip(their_arrays, theirs)]),
            "muspy_like_decode_s": best_time(lambda: [our_decode(a, m) for a, m in zip(our_arrays, ours)]),
        }
        figures["encode_speedup"] = figures["muspy_encode_s"] / figures["muspy_like_encode_s"]
        figures["decode_speedup"] = figures["muspy_decode_s"] / figures["muspy_like_decode_s"]
        rows.append(figures)
        print(f"{name}: encode {figures['encode_speedup']:.1f}x, decode {figures['decode_speedup']:.1f}x")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=1, help="take every K-th score (default: all)")
    args = parser.parse_args()
    theirs = [m.adjust_resolution(24) for m in load_bach()[:: args.step] if any(len(t.notes) for t in m.tracks)]
    ours = [from_muspy(m) for m in theirs]
    n_notes = sum(m.n_notes for m in ours)
    print(f"Bach corpus: {len(theirs)} scores, {n_notes} notes")
    rows = speed(theirs, ours)

    exact_muspy = [muspy_round_trips(m) for m in theirs]
    exact_ours = [our_round_trips(m) for m in ours]
    names = ["pianoroll", "event", "event (REMI)", "note", "pitch (per voice)"]
    exact = {name: {"muspy": sum(e.get(name, False) for e in exact_muspy) if name in exact_muspy[0] else None,
                    "muspy_like": sum(e[name] for e in exact_ours)} for name in names}
    lossy_theirs_exact_ours = {name: sum(1 for a, b in zip(exact_muspy, exact_ours)
                                         if not a.get(name, False) and b[name]) for name in names}

    table = markdown_table(
        ["representation", "muspy encode (s)", "muspy_like encode (s)", "encode speed-up",
         "muspy decode (s)", "muspy_like decode (s)", "decode speed-up"],
        [[r["representation"], r["muspy_encode_s"], r["muspy_like_encode_s"], f"{r['encode_speedup']:.1f}x",
          r["muspy_decode_s"], r["muspy_like_decode_s"], f"{r['decode_speedup']:.1f}x"] for r in rows],
    )
    table += "\n\n" + markdown_table(
        ["representation", "exact round trips: muspy", "exact round trips: muspy_like",
         "lossy in muspy, exact in muspy_like"],
        [[name, "n/a" if exact[name]["muspy"] is None else f"{exact[name]['muspy']}/{len(theirs)}",
          f"{exact[name]['muspy_like']}/{len(ours)}", lossy_theirs_exact_ours[name]] for name in names],
    )
    table += (f"\n\nmusic21's Bach corpus: {len(theirs)} scores, {n_notes} notes, read by muspy and converted to "
              "muspy_like (same ticks). Speed: both libraries' functions on all pieces (best of 3); ratios > 1: "
              "muspy_like faster. Exactness: default options of each library; muspy has no REMI mode.")
    print(table)
    save_results("representations", {
        "machine": machine_info(PEERS),
        "n_scores": len(theirs),
        "n_notes": n_notes,
        "speed": rows,
        "exact_round_trips": exact,
        "lossy_in_muspy_exact_in_muspy_like": lossy_theirs_exact_ours,
    }, table)


if __name__ == "__main__":
    main()
