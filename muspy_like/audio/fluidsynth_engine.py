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
boundary.

Streaming: :meth:`FluidSynthEngine.blocks` yields the audio in blocks of any size. The synthesizer
receives the same events after the same number of samples whatever the block size, so the audio is the
same sample for sample; the memory is one block plus the piece's events. A fresh engine renders a piece
identically every time; a reused engine keeps some state between renders (its chorus modulation, some
voice state), so two renders of a piece on one engine (or its stems and its mix) agree closely but not
sample for sample.
"""

from __future__ import annotations

import ctypes
import warnings
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.arguments import check_sample_rate
from muspy_like.audio.performance import TrackPerformance
from muspy_like.audio.soundfonts import find_soundfont, install_hint
from muspy_like.core.track import Track
from muspy_like.errors import AudioError, MissingExtraError, SoundFontError
from muspy_like.extras import require

__all__ = ["FluidSynthEngine", "DEFAULT_GAIN", "DEFAULT_POLYPHONY", "MAX_SAMPLE_RATE"]

#: FluidSynth master gain (``synth.gain``); a single note at velocity 100 peaks near 0.1.
DEFAULT_GAIN = 0.5
_DRUM_BANK = 128
_N_CHANNELS = 256
_MELODIC_CHANNELS = [c for c in range(_N_CHANNELS) if c % 16 != 9]
_DRUM_CHANNELS = [c for c in range(_N_CHANNELS) if c % 16 == 9]
# Order of simultaneous events (see the module docstring).
_NOTE_OFF, _CONTROL, _BEND, _NOTE_ON = 0, 1, 2, 3
#: Voices FluidSynth plays at once by default (its own default).
DEFAULT_POLYPHONY = 256
#: Highest rate FluidSynth accepts (``synth.sample-rate``), in Hz.
MAX_SAMPLE_RATE = 96000
#: FluidSynth's internal block (FLUID_BUFSIZE): events take effect at the next block boundary.
_BLOCK = 64


def _import_fluidsynth() -> Any:
    try:
        return require("fluidsynth", "audio", "the FluidSynth engine")
    except MissingExtraError:
        raise
    except (ImportError, OSError) as error:  # pyfluidsynth is there, libfluidsynth is not
        raise SoundFontError(f"the FluidSynth engine is unavailable ({error}); {install_hint()}") from error


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
    polyphony : int, default 256
        Most voices sounding at once (FluidSynth's own default, as in the ``fluidsynth`` program); beyond
        it FluidSynth ends the least audible voices (usually release tails). Dense orchestral pieces can
        reach it: 1024 keeps every tail, at about a third more work on mahler.mid.

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
        polyphony: int = DEFAULT_POLYPHONY,
    ) -> None:
        self.sample_rate = check_sample_rate(sample_rate, high=MAX_SAMPLE_RATE, why_high=" (FluidSynth's highest rate)")
        fluidsynth = _import_fluidsynth()
        self.soundfont = find_soundfont(soundfont)
        self._fs = fluidsynth
        self._written = 0
        self._synth = fluidsynth.Synth(
            gain=float(gain), samplerate=float(self.sample_rate), channels=_N_CHANNELS,
            **{"synth.polyphony": int(polyphony)}
        )
        if not effects:
            self._synth.setting("synth.reverb.active", 0)
            self._synth.setting("synth.chorus.active", 0)
        self._sfid = self._synth.sfload(str(self.soundfont))
        if self._sfid < 0:
            self.close()
            raise SoundFontError(f"{self.soundfont}: FluidSynth could not load this sound font; {install_hint()}")
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
        out = np.empty((n_samples, 2), dtype=np.float32)
        position = 0
        for block in self.blocks(tracks, n_samples, max(n_samples, 1)):
            out[position: position + len(block)] = block
            position += len(block)
        return out

    def blocks(self, tracks: Sequence[tuple[Track, TrackPerformance]], n_samples: int,
               block_size: int) -> Iterator[np.ndarray]:
        """Play the given tracks together, from a reset synthesizer, as stereo float32 blocks.

        Parameters
        ----------
        tracks : sequence of (Track, TrackPerformance)
            The tracks and their events in samples at this engine's rate.
        n_samples : int
            Length of the render.
        block_size : int
            Samples per block (the last block is shorter). The audio does not depend on it: the
            synthesizer receives the same events after the same number of samples either way.
        """
        if self._synth is None:
            raise AudioError("this FluidSynth engine has been closed")
        self._synth.system_reset()
        # The reset silences voices; rendering about a second empties the reverb and chorus delay lines,
        # and ends on a block boundary so that every render sees the same block grid.
        flush = self.sample_rate + (-(self._written + self.sample_rate)) % _BLOCK
        self._write(np.zeros((flush, 2), dtype=np.float32), 0, flush)
        times, kinds, channels, first, second = (column.tolist() for column in self._schedule(tracks, n_samples))
        noteon, noteoff = self._fs.fluid_synth_noteon, self._fs.fluid_synth_noteoff
        cc, bend = self._fs.fluid_synth_cc, self._fs.fluid_synth_pitch_bend
        synth = self._synth.synth
        index = 0
        for start in range(0, n_samples, block_size):
            stop = min(start + block_size, n_samples)
            out = np.empty((stop - start, 2), dtype=np.float32)
            position = start
            while index < len(times) and times[index] < stop:
                time, kind, channel, a, b = times[index], kinds[index], channels[index], first[index], second[index]
                index += 1
                if time > position:
                    self._write(out, position - start, time - start)
                    position = time
                if kind == _NOTE_ON:
                    noteon(synth, channel, a, b)
                elif kind == _NOTE_OFF:
                    noteoff(synth, channel, a)
                elif kind == _CONTROL:
                    cc(synth, channel, a, b)
                else:
                    bend(synth, channel, a + 8192)
            if position < stop:
                self._write(out, position - start, stop - start)
            yield out

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
        """Select the track's preset; a preset missing from the sound font falls back to preset 0 of its bank.

        For drums (bank 128) preset 0 is the standard kit: General MIDI defines only that one, and sound
        fonts differ in which other kits they carry (FluidR3_GM has 0-19, 24, 25, 32-36, 40-42 and 48).
        FluidSynth's own MIDI player makes the same substitution. The sound font is asked first, so
        FluidSynth does not print an error for the missing preset.
        """
        bank = _DRUM_BANK if track.is_drum else 0
        program = track.program
        if self._synth.sfpreset_name(self._sfid, bank, program) is None:
            kind = "drum kit" if track.is_drum else "preset"
            fallback = "the standard kit (preset 0)" if track.is_drum else "preset 0"
            warnings.warn(f"track {index}: {self.soundfont.name} has no {kind} {program} in bank {bank}; using "
                          f"{fallback}", stacklevel=4)
            program = 0
        if self._synth.program_select(channel, self._sfid, bank, program) != 0:
            raise SoundFontError(f"{self.soundfont}: no preset {program} in bank {bank} for track {index}")
