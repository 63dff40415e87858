"""The conditioning of the DDSP instrument, known exactly here: pitch from the score, loudness from the audio.

A DDSP model is conditioned on the fundamental frequency and the loudness of its input, frame by frame.
Trained on recordings, the f0 comes from a pitch tracker (CREPE, PESTO) and carries its errors; trained on
our renders of a monophonic part, the f0 is what the score says, sample-exact through the tempo map, so the
experiment measures the watermark, not a tracker.

Frame ``t`` describes the audio around sample ``t * hop``.
"""

from __future__ import annotations

import numpy as np

from muspy_like.audio.performance import TrackPerformance, step_values

__all__ = ["score_f0", "loudness_db", "frames_of", "BEND_RANGE"]

#: Pitch-bend range, in semitones (the General MIDI default, as the renderers use).
BEND_RANGE = 2.0


def frames_of(n_samples: int, hop: int) -> int:
    """Frames that cover ``n_samples`` samples (the last sample belongs to the last frame)."""
    return -(-int(n_samples) // int(hop))


def score_f0(performance: TrackPerformance, n_frames: int, hop: int) -> np.ndarray:
    """Fundamental frequency of a monophonic part at each frame, in Hz, from its notes and pitch bends.

    Where notes overlap the most recently started one sounds (a monophonic instrument); between notes the
    pitch of the last note is held (before the first note: the first note's pitch), as a pitch tracker's
    output would be smoothed, while the loudness tells the model there is nothing to play.

    Parameters
    ----------
    performance : TrackPerformance
        The part's notes and bends in samples (:func:`~muspy_like.audio.performance.track_performance`).
    n_frames : int
        Frames wanted.
    hop : int
        Samples per frame.

    Returns
    -------
    ndarray
        float64, shape ``(n_frames,)``; 440 Hz everywhere for a part without notes.
    """
    times = np.arange(n_frames, dtype=np.int64) * hop
    pitch = np.full(n_frames, np.nan)
    if not len(performance.onsets):
        return np.full(n_frames, 440.0)
    order = np.argsort(performance.onsets, kind="stable")  # later onsets overwrite earlier ones
    for index in order.tolist():
        first, last = np.searchsorted(times, [performance.onsets[index], performance.offsets[index]])
        pitch[first:last] = performance.pitches[index]
    known = np.flatnonzero(~np.isnan(pitch))
    if not len(known):  # every note shorter than a frame: use their pitches anyway
        pitch[:] = performance.pitches[order[0]]
    else:
        held = np.maximum.accumulate(np.where(np.isnan(pitch), -1, np.arange(n_frames)))
        pitch = np.where(held >= 0, pitch[np.maximum(held, 0)], pitch[known[0]])
    bends = step_values(performance.bend_times, performance.bend_values, times, 0.0) / 8192 * BEND_RANGE
    return 440.0 * 2.0 ** ((pitch + bends - 69) / 12)


def loudness_db(audio: np.ndarray, hop: int, floor_db: float = -80.0) -> np.ndarray:
    """RMS level of mono audio over two hops centred on each frame, in dB relative to full scale.

    Parameters
    ----------
    audio : ndarray
        Mono samples, shape ``(n_samples,)``.
    hop : int
        Samples per frame.
    floor_db : float
        Levels below this (silence) are raised to it.

    Returns
    -------
    ndarray
        float64, shape ``(frames_of(len(audio), hop),)``.
    """
    n_frames = frames_of(len(audio), hop)
    padded = np.zeros((n_frames + 1) * hop, dtype=np.float64)
    padded[hop: hop + len(audio)] = audio  # frame t covers samples t*hop - hop .. t*hop + hop
    energy = np.square(padded).reshape(-1, hop).sum(axis=1)
    power = (energy[:-1] + energy[1:]) / (2 * hop)
    return np.maximum(10 * np.log10(power + 1e-30), floor_db)
