"""Rendering through FluidSynth (libfluidsynth, driven by the pyfluidsynth binding).

The synthesizer is driven directly from the piece's events, without a temporary MIDI file: every track
gets its own MIDI channel (up to 240 melodic and 16 drum tracks; drums use bank 128), events are sorted
by sample time, and the audio between two event times is written straight into the output buffer with
``fluid_synth_write_float`` (32-bit float, so nothing clips or is quantised inside the engine).

At one instant, note-offs are sent first, then control changes, then pitch bends, then note-ons, so a
repeated note restarts cleanly and a controller set at a note's onset applies to it. Velocities, program
changes, pitch bends, sustain and every other control change are passed to FluidSynth as they are;
tempo changes are honoured because event times come from the tempo map.

Timing resolution: FluidSynth renders in blocks of 64 samples and applies an event at the start of the
next block, so events are late by up to 63 samples (1.4 ms at 44.1 kHz); every render starts on a block
boundary. FluidSynth's chorus modulation keeps running between renders, so two renders of a piece (or its
stems and its mix) agree closely but not sample for sample.
"""

from __future__ import annotations

import ctypes
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.performance import TrackPerformance
from muspy_like.audio.soundfonts import INSTALL_HINT, find_soundfont
from muspy_like.core.track import Track
from muspy_like.errors import AudioError, SoundFontError

__all__ = ["FluidSynthEngine", "DEFAULT_GAIN"]

#: FluidSynth master gain (``synth.gain``); a single note at velocity 100 peaks near 0.1.
DEFAULT_GAIN = 0.5
_DRUM_BANK = 128
_N_CHANNELS = 256
_MELODIC_CHANNELS = [c for c in range(_N_CHANNELS) if c % 16 != 9]
_DRUM_CHANNELS = [c for c in range(_N_CHANNELS) if c % 16 == 9]
# Order of simultaneous events (see the module docstring).
_NOTE_OFF, _CONTROL, _BEND, _NOTE_ON = 0, 1, 2, 3
#: FluidSynth's internal block (FLUID_BUFSIZE): events take effect at the next block boundary.
_BLOCK = 64


def _import_fluidsynth() -> Any:
    try:
        import fluidsynth
    except (ImportError, OSError) as error:
        raise SoundFontError(f"the FluidSynth engine is unavailable ({error}); {INSTALL_HINT}") from error
    return fluidsynth


class FluidSynthEngine:
    """One FluidSynth synthesizer with a sound font loaded, reusable for many renders.

    Parameters
    ----------
    sample_rate : int
        Output rate, in Hz.
    soundfont : str or Path, optional
        A ``.sf2``/``.sf3`` file; default: :func:`~muspy_like.audio.soundfonts.find_soundfont`.
    gain : float
        FluidSynth master gain.
    effects : bool
        Keep FluidSynth's reverb and chorus (its defaults) on.

    Raises
    ------
    SoundFontError
        If pyfluidsynth or libfluidsynth is missing, or the sound font cannot be found or loaded.
    """

    def __init__(
        self,
        sample_rate: int = 44100,
        soundfont: Optional[Union[str, Path]] = None,
        gain: float = DEFAULT_GAIN,
        effects: bool = True,
    ) -> None:
        fluidsynth = _import_fluidsynth()
        self.soundfont = find_soundfont(soundfont)
        self.sample_rate = int(sample_rate)
        self._fs = fluidsynth
        self._written = 0
        self._synth = fluidsynth.Synth(
            gain=float(gain), samplerate=float(sample_rate), channels=_N_CHANNELS, **{"synth.polyphony": 1024}
        )
        if not effects:
            self._synth.setting("synth.reverb.active", 0)
            self._synth.setting("synth.chorus.active", 0)
        self._sfid = self._synth.sfload(str(self.soundfont))
        if self._sfid < 0:
            self.close()
            raise SoundFontError(f"{self.soundfont}: FluidSynth could not load this sound font; {INSTALL_HINT}")
        prototype = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                     ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
        self._write_float = prototype(("fluid_synth_write_float", fluidsynth._fl))

    def close(self) -> None:
        """Free the synthesizer (also done when the engine is garbage-collected)."""
        if getattr(self, "_synth", None) is not None:
            self._synth.delete()
            self._synth = None

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> "FluidSynthEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render(self, tracks: Sequence[tuple[Track, TrackPerformance]], n_samples: int) -> np.ndarray:
        """Play the given tracks together, from a reset synthesizer; stereo float32, shape ``(n_samples, 2)``."""
        if self._synth is None:
            raise AudioError("this FluidSynth engine has been closed")
        self._synth.system_reset()
        # The reset silences voices; rendering about a second empties the reverb and chorus delay lines,
        # and ends on a block boundary so that every render sees the same block grid.
        flush = self.sample_rate + (-(self._written + self.sample_rate)) % _BLOCK
        scratch = np.zeros((flush, 2), dtype=np.float32)
        self._write(scratch, 0, flush)
        out = np.zeros((n_samples, 2), dtype=np.float32)
        events = self._schedule(tracks, n_samples)
        position = 0
        noteon, noteoff = self._fs.fluid_synth_noteon, self._fs.fluid_synth_noteoff
        cc, bend = self._fs.fluid_synth_cc, self._fs.fluid_synth_pitch_bend
        synth = self._synth.synth
        for time, kind, channel, a, b in zip(*(column.tolist() for column in events)):
            if time > position:
                self._write(out, position, time)
                position = time
            if kind == _NOTE_ON:
                noteon(synth, channel, a, b)
            elif kind == _NOTE_OFF:
                noteoff(synth, channel, a)
            elif kind == _CONTROL:
                cc(synth, channel, a, b)
            else:
                bend(synth, channel, a + 8192)
        if position < n_samples:
            self._write(out, position, n_samples)
        return out

    def _write(self, out: np.ndarray, start: int, stop: int) -> None:
        address = out.ctypes.data + start * out.strides[0]
        status = self._write_float(self._synth.synth, stop - start, address, 0, 2, address, 1, 2)
        if status != 0:
            raise AudioError(f"FluidSynth failed to render samples {start}-{stop}")
        self._written += stop - start

    def _schedule(self, tracks: Sequence[tuple[Track, TrackPerformance]], n_samples: int) -> list[np.ndarray]:
        """Select programs and return the time-sorted event columns (time, kind, channel, a, b)."""
        melodic = iter(_MELODIC_CHANNELS)
        drums = iter(_DRUM_CHANNELS)
        columns: list[list[np.ndarray]] = [[], [], [], [], []]
        for index, (track, perf) in enumerate(tracks):
            channel = next(drums if track.is_drum else melodic, None)
            if channel is None:
                kind = "drum" if track.is_drum else "melodic"
                raise AudioError(f"track {index}: more {kind} tracks than FluidSynth channels "
                                 f"({len(_DRUM_CHANNELS)} drum, {len(_MELODIC_CHANNELS)} melodic)")
            self._select_program(channel, track, index)
            sounding = perf.velocities > 0
            onsets = perf.onsets[sounding]
            offsets = np.maximum(perf.offsets[sounding], onsets + 1)
            pitches = perf.pitches[sounding]
            parts = [
                (onsets, _NOTE_ON, pitches, perf.velocities[sounding]),
                (offsets, _NOTE_OFF, pitches, np.zeros_like(pitches)),
                (perf.cc_times, _CONTROL, perf.cc_numbers, perf.cc_values),
                (perf.bend_times, _BEND, perf.bend_values, np.zeros_like(perf.bend_values)),
            ]
            for times, kind, a, b in parts:
                columns[0].append(np.minimum(times, n_samples))
                columns[1].append(np.full(len(times), kind, dtype=np.int64))
                columns[2].append(np.full(len(times), channel, dtype=np.int64))
                columns[3].append(np.asarray(a, dtype=np.int64))
                columns[4].append(np.asarray(b, dtype=np.int64))
        merged = [np.concatenate(parts) if parts else np.zeros(0, np.int64) for parts in columns]
        order = np.lexsort((merged[1], merged[0]))
        return [column[order] for column in merged]

    def _select_program(self, channel: int, track: Track, index: int) -> None:
        bank = _DRUM_BANK if track.is_drum else 0
        if self._synth.program_select(channel, self._sfid, bank, track.program) == 0:
            return
        # Sound fonts with partial General MIDI coverage: fall back to the bank's first preset.
        warnings.warn(f"track {index}: {self.soundfont.name} has no preset {track.program} in bank {bank}; "
                      f"using preset 0", stacklevel=3)
        if self._synth.program_select(channel, self._sfid, bank, 0) != 0:
            raise SoundFontError(f"{self.soundfont}: no preset in bank {bank} for track {index}")
