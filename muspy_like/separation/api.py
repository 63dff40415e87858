"""Use a separation model: split a piece into parts for an ensemble; save and load models.

:func:`separate` merges the notes of every pitched track of a piece, predicts a part for each note and
returns a new :class:`~muspy_like.Music` with one track per part, named and voiced for a chosen ensemble.
Models are saved as versioned JSON (every baseline, the MLP included: its weights are plain numbers), or,
for the sequence models, as a ``.npz`` archive of plain arrays with the same JSON document as its header,
so no pickle is ever written or loaded; with the part names of the data they were trained on, so that a
model trained on the string quartets voices its parts as a string quartet by default.
"""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from muspy_like.core.events import NoteArray
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import SeparationError
from muspy_like.files import atomic_write, atomic_write_text
from muspy_like.separation.base import PartSeparator, estimator_class
from muspy_like.separation.closest_pitch import ClosestPitchSeparator
from muspy_like.separation.data import DURATION, PITCH, TIME, MergedNotes, merge_tracks
from muspy_like.separation.ensembles import ENSEMBLES, Instrument, default_ensemble, ensemble_players
from muspy_like.separation.methods import METHODS

__all__ = ["ENSEMBLES", "Instrument", "separate", "save_model", "load_model", "MODEL_FORMAT", "MODEL_VERSION"]

MODEL_FORMAT = "muspy_like.separation.model"
MODEL_VERSION = 1
#: Methods that work on new music without training.
UNTRAINED_METHODS = ("closest-pitch", "closest-pitch-mono")
#: The first bytes of a zip archive (``.npz``).
_ZIP_MAGIC = b"PK\x03\x04"
#: Prefix of the weight arrays' names inside a ``.npz`` model.
_ARRAY_PREFIX = "arrays/"


def _players(ensemble: Union[None, str, list], model: PartSeparator) -> list[Instrument]:
    """One player per part: the ensemble given, else the one of the model's training data, else pianos."""
    n_parts = model.n_parts_
    part_names = getattr(model, "part_names_", None)
    if ensemble is None:
        ensemble = default_ensemble(part_names)
    if ensemble is None:
        names = [name.title() for name in part_names] if part_names else [f"Part {i + 1}" for i in range(n_parts)]
        return [Instrument(name, 0) for name in names[:n_parts]]
    players = ensemble_players(ensemble)
    if len(players) < n_parts:
        raise SeparationError(
            f"the model separates {n_parts} parts but the ensemble has only {len(players)} instruments; "
            "choose a larger ensemble or give one instrument per part"
        )
    return players[:n_parts]


def _untrained_closest_pitch(pitches: np.ndarray, n_parts: int, mono: bool) -> ClosestPitchSeparator:
    """A closest-pitch model whose parts start spread over the piece's own pitch range (no training)."""
    model = ClosestPitchSeparator(mono=mono)
    model.n_parts_ = n_parts
    quantiles = 1.0 - (np.arange(n_parts) + 0.5) / n_parts  # part 0 the highest, as in the ensembles
    model.initial_pitches_ = np.rint(np.quantile(pitches, quantiles)).astype(np.int64)
    return model


def _resolve_model(
    model: Union[PartSeparator, str, Path], merged: MergedNotes, ensemble: Union[None, str, list],
    n_parts: Optional[int],
) -> PartSeparator:
    """A fitted, non-oracle estimator from what the caller gave."""
    if isinstance(model, Path) or (isinstance(model, str) and model not in METHODS):
        model = load_model(model)
    elif isinstance(model, str):
        if model not in UNTRAINED_METHODS:
            raise SeparationError(
                f"method {model!r} must be trained first (muspy-like separation train) and given as a model "
                f"file; only {' and '.join(repr(m) for m in UNTRAINED_METHODS)} work untrained"
            )
        if n_parts is None:
            n_parts = len(ensemble_players(ensemble)) if ensemble is not None else 4
        if n_parts < 1:
            raise SeparationError(f"n_parts must be at least 1, not {n_parts}")
        model = _untrained_closest_pitch(merged.notes[:, PITCH], n_parts, model == "closest-pitch-mono")
    if not isinstance(model, PartSeparator) or not model.is_fitted():
        raise SeparationError("model must be a fitted estimator, a saved model file or a method name")
    if model.requires_hints:
        raise SeparationError(f"{model!r} reads the true parts (an oracle, or hints taken from the labels) and "
                              "cannot separate new music")
    return model


def separate(
    music: Music,
    model: Union[PartSeparator, str, Path],
    ensemble: Union[None, str, list] = None,
    n_parts: Optional[int] = None,
) -> Music:
    """Split a piece into parts with a separation model.

    Parameters
    ----------
    music : Music
        Any piece; the notes of all its pitched tracks are merged (drum tracks are copied unchanged).
    model : PartSeparator, path or method name
        A fitted estimator, the path of a saved model (:func:`save_model`), or ``"closest-pitch"`` /
        ``"closest-pitch-mono"``, which need no training here: their parts start spread evenly over the
        piece's pitch range (highest part first). Oracle models cannot be used (they need the answer).
    ensemble : str or list of (name, program), optional
        A name of :data:`ENSEMBLES` (e.g. ``"string_quartet"``) or one (name, program) per part, in the
        part order of the model's training data (highest part first for the four-part ensembles). It must
        have at least as many instruments as the model has parts. Default: the ensemble of the model's
        training data (:data:`~muspy_like.separation.DEFAULT_ENSEMBLES`: a quartet for a model trained
        on quartets, the NES voices, a pop band, a choir), else tracks named after its parts, else
        ``Part 1``, ``Part 2``... on program 0.
    n_parts : int, optional
        Number of parts for an untrained method (default: the ensemble's size, else 4).

    Returns
    -------
    Music
        A copy of ``music`` (same resolution, tempos, meter...) whose tracks are one per part (empty parts
        included), each holding its notes unchanged, then the drum tracks.

    Raises
    ------
    SeparationError
        No pitched note to separate, an oracle or unfitted model, or too small an ensemble.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> from muspy_like.separation import separate
    >>> piano = Music(tracks=[Track(notes=[Note(0, 72, 24), Note(0, 60, 24), Note(24, 71, 24), Note(24, 59, 24)])])
    >>> duet = separate(piano, "closest-pitch", ensemble="piano_duet")
    >>> [(t.name, t.notes.pitch.tolist()) for t in duet.tracks]
    [('Primo', [72, 71]), ('Secondo', [60, 59])]
    """
    merged = merge_tracks(music)
    if len(merged.notes) == 0:
        raise SeparationError("the piece has no pitched notes to separate (drum tracks are not separated)")
    model = _resolve_model(model, merged, ensemble, n_parts)
    players = _players(ensemble, model)
    order = np.lexsort((merged.notes[:, DURATION], merged.notes[:, PITCH], merged.notes[:, TIME]))
    predicted = np.empty(len(order), dtype=np.int64)
    predicted[order] = model.predict([merged.notes[order]])[0]
    return _assemble(music, merged, predicted, players)


def _assemble(music: Music, merged: MergedNotes, predicted: np.ndarray, players: list[Instrument]) -> Music:
    shell = copy.copy(music)
    shell.tracks = []
    result = copy.deepcopy(shell)
    for part, player in enumerate(players):
        chosen = np.flatnonzero(predicted == part)
        pieces: dict[str, list[np.ndarray]] = {name: [] for name in ("time", "pitch", "duration", "velocity")}
        for track_index in np.unique(merged.track_index[chosen]):
            rows = chosen[merged.track_index[chosen] == track_index]
            columns = music.tracks[track_index].notes.columns()
            for name in pieces:
                pieces[name].append(columns[name][merged.note_index[rows]])
        notes = NoteArray.from_columns(**{k: np.concatenate(v) if v else [] for k, v in pieces.items()})
        notes.sort()
        result.tracks.append(Track(program=player.program, name=player.name, notes=notes))
    result.tracks.extend(track.copy() for track in music.tracks if track.is_drum)
    return result


def save_model(model: PartSeparator, path: Union[str, Path], part_names: Optional[Sequence[str]] = None) -> None:
    """Save a fitted estimator (written atomically).

    The document holds the format name, version, estimator class and module, hyper-parameters, learned
    state and the part names of the training data (``part_names``, else the model's ``part_names_`` if
    set). It is written as JSON, except for estimators with weight arrays (the sequence models): they are
    written as an uncompressed ``.npz`` archive whose ``header`` entry is the JSON document and whose
    ``arrays/NAME`` entries are the weights, whatever ``path``'s extension.
    """
    if not isinstance(model, PartSeparator) or not model.is_fitted():
        raise SeparationError("only a fitted estimator can be saved")
    names = part_names if part_names is not None else getattr(model, "part_names_", None)
    if names is not None and len(names) != model.n_parts_:
        raise SeparationError(f"{len(names)} part names for a model of {model.n_parts_} parts")
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "estimator": type(model).__name__,
        "module": type(model).__module__,
        "params": model.get_params(deep=False),
        "n_parts": model.n_parts_,
        "part_names": list(names) if names is not None else None,
        "state": model._state(),
    }
    if not hasattr(model, "_arrays"):
        atomic_write_text(path, json.dumps(document) + "\n")
        return
    arrays = {_ARRAY_PREFIX + name: np.ascontiguousarray(value) for name, value in model._arrays().items()}
    with atomic_write(path, "wb") as handle:
        np.savez(handle, header=np.array(json.dumps(document)), **arrays)


def load_model(path: Union[str, Path]) -> PartSeparator:
    """Load an estimator saved by :func:`save_model`.

    The model's ``part_names_`` attribute holds the part names stored with it (None if there were none).

    Raises
    ------
    SeparationError
        The file is missing, not JSON or ``.npz``, not a separation model, or of another format version.
    """
    document, arrays = _read_model_document(path)
    module = str(document.get("module") or "")
    try:
        # Importing registers the estimator class; only our own modules, so a file cannot run other code.
        if module.startswith("muspy_like.separation."):
            importlib.import_module(module)
        cls = estimator_class(str(document.get("estimator")))
    except (ImportError, SeparationError) as error:
        raise SeparationError(f"{path}: {error}") from error
    if hasattr(cls, "_set_arrays") and arrays is None:
        raise SeparationError(f"{path}: a {cls.__name__} is saved with its weights as a .npz archive, not JSON")
    try:
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in document["params"].items()}
        model = cls(**params)
        model.n_parts_ = int(document["n_parts"])
        model._set_state(document["state"])
        model.part_names_ = tuple(document["part_names"]) if document.get("part_names") else None
        if arrays is not None:
            model._set_arrays(arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise SeparationError(f"{path}: damaged model file ({error!r})") from error
    return model


def _read_model_document(path: Union[str, Path]) -> tuple[dict, Optional[dict[str, np.ndarray]]]:
    """The checked JSON document of a model file and, for a ``.npz`` model, its arrays."""
    arrays = None
    try:
        with open(path, "rb") as handle:
            is_archive = handle.read(4) == _ZIP_MAGIC
        if is_archive:
            with np.load(path, allow_pickle=False) as archive:
                document = json.loads(str(archive["header"]))
                arrays = {name[len(_ARRAY_PREFIX):]: archive[name] for name in archive.files
                          if name.startswith(_ARRAY_PREFIX)}
        else:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeparationError(f"{path}: model file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, ValueError) as error:
        raise SeparationError(f"{path}: not a separation model (JSON expected, or a .npz archive): {error}") from error
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise SeparationError(f"{path}: not a muspy_like separation model")
    if document.get("version") != MODEL_VERSION:
        raise SeparationError(
            f"{path}: model format version {document.get('version')!r} is not supported by this muspy_like "
            f"(it reads version {MODEL_VERSION}); retrain the model with this version"
        )
    return document, arrays
