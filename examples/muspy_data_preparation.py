"""Data preparation as a MusPy user writes it: nothing here is specific to muspy_like.

Written against MusPy's documented API: read a dataset, adjust the resolution, encode a representation,
split, save. It runs unchanged with muspy_like when ``import muspy`` resolves to ``muspy_like`` (a one-line
alias module ``muspy.py`` containing ``import sys, muspy_like; sys.modules["muspy"] = muspy_like``).

Usage: ``python muspy_data_preparation.py OUT_DIR [MIDI_FOLDER]``
"""

import sys
from pathlib import Path

import numpy as np

import muspy


def prepare(out_dir, midi_folder=None, limit=24):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # 1. A dataset: Bach's chorales from music21's corpus; the first ones saved as JSON and read back.
    chorales = muspy.Music21Dataset("bach")
    json_dir = out_dir / "json"
    json_dir.mkdir(exist_ok=True)
    for index in range(min(limit, len(chorales))):
        chorales[index].save(json_dir / f"{index:03d}.json")
    subset = muspy.MusicDataset(json_dir)

    # 2. Adjust the resolution, transpose, and encode each piece (pitch and event representations).
    pitch_arrays, event_arrays = [], []
    for music in subset:
        music.adjust_resolution(4)
        music.transpose(-2)
        pitch_arrays.append(music.to_pitch_representation(use_hold_state=True))
        event_arrays.append(muspy.to_event_representation(music, encode_velocity=True))
    np.savez(out_dir / "pitch.npz", *pitch_arrays)
    np.savez(out_dir / "event.npz", *event_arrays)

    # 3. A reproducible split, saved to a file, and a PyTorch dataset of piano rolls.
    split = subset.split(filename=out_dir / "split.json", splits=(0.8, 0.1, 0.1), random_state=0)
    rolls = subset.to_pytorch_dataset(representation="pianoroll", encode_velocity=False)

    # 4. A folder of MIDI files, read one by one and written back with MusPy's shortcuts.
    written = []
    if midi_folder is not None:
        for path in sorted(Path(midi_folder).glob("*.mid")):
            try:
                music = muspy.read(path)
            except muspy.MIDIError:
                continue
            music.adjust_resolution(24)
            music.write_midi(out_dir / f"{path.stem}-24.mid")
            written.append(path.name)

    return {
        "pieces": len(subset),
        "pitch_steps": int(sum(len(a) for a in pitch_arrays)),
        "event_tokens": int(sum(len(a) for a in event_arrays)),
        "split": {name: len(indices) for name, indices in split.items()},
        "roll_shape": list(rolls[0].shape),
        "midi_written": written,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(prepare(*sys.argv[1:])))
