"""What every part-separation estimator shares: scikit-learn's estimator base, input checks and a registry.

An estimator's constructor stores hyper-parameters only; :meth:`PartSeparator.fit` learns from pieces and
sets attributes whose names end in ``_``; :meth:`PartSeparator.predict` returns one label array per piece.
``X`` is a list of note arrays (see :mod:`muspy_like.separation.data` for the columns), ``y`` a list of
integer label arrays, one label (part index) per note.

:class:`PartSeparator` inherits scikit-learn's :class:`~sklearn.base.BaseEstimator`, so ``get_params``
(with ``deep``), ``set_params``, :func:`sklearn.base.clone`, pipelines and grid searches work as with any
scikit-learn estimator; :meth:`PartSeparator.score` is the pooled note accuracy the paper reports.

Writing a new estimator
-----------------------
Subclass :class:`PartSeparator`; store every constructor argument under its own name; implement

* ``_fit(pieces, labels, **fit_params)``: learn from checked integer note arrays and labels (int64, or
  the int32 and int8 of a memory-mapped dataset; ``self.n_parts_`` is already set);
* ``_predict_piece(notes, hints)``: the labels of one piece; ``hints`` is its true labels or None, and
  the class documents exactly what it reads from them;
* ``_state()`` / ``_set_state(state)``: the learned attributes as JSON-compatible data, for model files.

Set ``requires_hints`` for oracles, ``inference_params`` for hyper-parameters used only by ``predict``,
``uses_validation`` when ``fit`` takes ``validation=(X_valid, y_valid)``. Subclasses register themselves
by class name (:func:`estimator_class`), which is how :func:`~muspy_like.separation.load_model` finds
them; give the method a name with :func:`~muspy_like.separation.register_method`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from muspy_like.errors import SeparationError
from muspy_like.extras import require
from muspy_like.separation.data import N_NOTE_FIELDS, NOTE_FIELDS, notes_from_columns

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
else:
    BaseEstimator = require("sklearn.base", "separation", "the part-separation estimators").BaseEstimator

__all__ = ["PartSeparator", "check_pieces", "check_labels", "estimator_class"]

#: Note arrays may give all columns, or only (time, pitch, duration[, velocity]): the rest get the
#: defaults of :func:`~muspy_like.separation.data.notes_from_columns` (velocity 64, 4/4 from tick 0).
_ACCEPTED_WIDTHS = (3, 4, N_NOTE_FIELDS)

#: Estimator classes by class name, filled as subclasses are defined.
_REGISTRY: dict[str, type] = {}


def estimator_class(name: str) -> type:
    """The :class:`PartSeparator` subclass of that class name (it must have been imported).

    Raises
    ------
    SeparationError
        If no such class is registered.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SeparationError(f"unknown estimator {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def check_pieces(X: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Validate a list of note arrays; return them as integer arrays of all :data:`NOTE_FIELDS`.

    Arrays with only ``time, pitch, duration`` (and optionally ``velocity``) are completed with the
    defaults of :func:`~muspy_like.separation.data.notes_from_columns`. Integer arrays are returned as
    they are (no copy: the int32 pieces of a memory-mapped dataset stay on disk); others become int64.

    Raises
    ------
    SeparationError
        When ``X`` is not a list, a piece has the wrong shape or no notes, or its notes are not sorted by
        (time, pitch, duration). The message names the piece index.
    """
    if isinstance(X, np.ndarray) or not isinstance(X, Sequence):
        raise SeparationError("X must be a list of note arrays (one per piece), not a single array")
    pieces = []
    for index, notes in enumerate(X):
        notes = np.asarray(notes)
        if notes.ndim != 2 or notes.shape[1] not in _ACCEPTED_WIDTHS:
            raise SeparationError(
                f"piece {index}: expected a note array of shape (n_notes, {N_NOTE_FIELDS}) with columns "
                f"{', '.join(NOTE_FIELDS)} (or only the first 3 or 4 of them); got shape {notes.shape}"
            )
        if len(notes) == 0:
            raise SeparationError(f"piece {index} has no notes; there is nothing to separate")
        if not np.issubdtype(notes.dtype, np.integer):
            notes = notes.astype(np.int64)
        if notes.shape[1] < N_NOTE_FIELDS:
            notes = notes_from_columns(*notes.T)
        order = np.lexsort((notes[:, 2], notes[:, 1], notes[:, 0]))
        if np.any(order != np.arange(len(notes))):
            raise SeparationError(
                f"piece {index}: notes must be sorted by (time, pitch, duration); "
                "use muspy_like.separation.sort_notes"
            )
        pieces.append(notes)
    return pieces


def check_labels(
    y: Sequence[np.ndarray], pieces: Sequence[np.ndarray], n_parts: Optional[int] = None
) -> list[np.ndarray]:
    """Validate label arrays against their pieces (and, if given, against the number of known parts).

    The arrays are returned as they are (any integer type).
    """
    if len(y) != len(pieces):
        raise SeparationError(f"got {len(pieces)} pieces but {len(y)} label arrays")
    labels = []
    for index, (piece_labels, notes) in enumerate(zip(y, pieces)):
        piece_labels = np.asarray(piece_labels)
        if piece_labels.shape != (len(notes),):
            raise SeparationError(
                f"piece {index}: {len(notes)} notes but labels of shape {piece_labels.shape}"
            )
        if not np.issubdtype(piece_labels.dtype, np.integer):
            raise SeparationError(f"piece {index}: labels must be integers (part indices)")
        if len(piece_labels) and piece_labels.min() < 0:
            raise SeparationError(f"piece {index}: negative part label {int(piece_labels.min())}")
        if n_parts is not None and len(piece_labels) and piece_labels.max() >= n_parts:
            raise SeparationError(
                f"piece {index} has part label {int(piece_labels.max())} but the model knows only "
                f"{n_parts} parts (labels 0 to {n_parts - 1})"
            )
        labels.append(piece_labels)
    return labels


class PartSeparator(BaseEstimator):
    """Base class of the part-separation estimators (a scikit-learn estimator).

    Subclasses implement ``_fit(pieces, labels)`` and ``_predict_piece(notes, hints)`` (see the module
    notes); this class checks the inputs and records ``n_parts_``; scikit-learn's base gives
    ``get_params``, ``set_params`` and ``repr``.

    ``predict`` accepts the true labels of the pieces being predicted as ``hints``. Each estimator
    documents exactly what it reads from them (the onset of each part for closest-pitch, everything for
    the oracle variants); most work without them. The evaluation always passes them, so that every
    method sees the information the paper gives it.
    """

    #: Whether ``predict`` needs the true labels as hints (oracle variants).
    requires_hints: bool = False
    #: Hyper-parameters used only by ``predict``: estimators differing only in these share one training.
    inference_params: tuple[str, ...] = ()
    #: Whether ``fit`` takes ``validation=(X_valid, y_valid)`` (early stopping).
    uses_validation: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    @property
    def requires_labels(self) -> bool:
        """Former name of :attr:`requires_hints` (kept for code written against muspy_like 0.1)."""
        return self.requires_hints

    def fit(self, X: Sequence[np.ndarray], y: Sequence[np.ndarray], **fit_params: Any) -> "PartSeparator":
        """Learn from pieces ``X`` (note arrays) and their part labels ``y``; return ``self``.

        ``fit_params`` go to the estimator's own learning step (e.g. ``validation`` for the MLP).
        """
        pieces = check_pieces(X)
        labels = check_labels(y, pieces)
        if not pieces:
            raise SeparationError("cannot fit on an empty list of pieces")
        self.n_parts_ = int(max(piece_labels.max() for piece_labels in labels)) + 1
        self._fit(pieces, labels, **fit_params)
        return self

    def predict(
        self,
        X: Sequence[np.ndarray],
        hints: Optional[Sequence[np.ndarray]] = None,
        *,
        labels: Optional[Sequence[np.ndarray]] = None,
    ) -> list[np.ndarray]:
        """Predict the part label of every note of every piece.

        Parameters
        ----------
        X : list of numpy.ndarray
            Note arrays, one per piece, sorted by (time, pitch, duration).
        hints : list of numpy.ndarray, optional
            The true labels, read only as the estimator's documentation says (onset hints, or
            everything for an oracle).
        labels : list of numpy.ndarray, optional
            Deprecated name of ``hints``.

        Returns
        -------
        list of numpy.ndarray of int64
            Part index of each note, piece by piece.
        """
        if labels is not None:
            warnings.warn("predict(labels=...) is deprecated; use hints=...", DeprecationWarning, stacklevel=2)
            hints = labels if hints is None else hints
        self._check_fitted()
        pieces = check_pieces(X)
        if hints is None:
            if self.requires_hints:
                raise SeparationError(f"{type(self).__name__} is an oracle: predict() needs the true labels as hints")
            return self._predict_pieces(pieces, [None] * len(pieces))
        return self._predict_pieces(pieces, check_labels(hints, pieces, self.n_parts_))

    def fit_predict(self, X: Sequence[np.ndarray], y: Sequence[np.ndarray]) -> list[np.ndarray]:
        """``fit(X, y)`` then ``predict(X, hints=y)``."""
        return self.fit(X, y).predict(X, y)

    def score(self, X: Sequence[np.ndarray], y: Sequence[np.ndarray]) -> float:
        """Note accuracy (0 to 1) pooled over the pieces, the labels given as hints, as in the paper.

        This is what :class:`sklearn.model_selection.GridSearchCV` maximises by default.
        """
        from muspy_like.separation.evaluation import accuracy

        return accuracy(y, self.predict(X, y))

    def is_fitted(self) -> bool:
        """Whether :meth:`fit` (or loading) has set the learned attributes."""
        return hasattr(self, "n_parts_")

    def __sklearn_is_fitted__(self) -> bool:
        return self.is_fitted()

    def _check_fitted(self) -> None:
        if not self.is_fitted():
            raise SeparationError(f"this {type(self).__name__} is not fitted yet: call fit() or load a model")

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        raise NotImplementedError

    def _predict_piece(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def _predict_pieces(self, pieces: list[np.ndarray], hints: list[Optional[np.ndarray]]) -> list[np.ndarray]:
        """The labels of checked pieces (with their checked hints, or None each): piece by piece, unless an
        estimator predicts several pieces at once faster (the sequence models batch them)."""
        return [self._predict_piece(notes, piece_hints) for notes, piece_hints in zip(pieces, hints)]

    def _state(self) -> dict[str, Any]:
        raise NotImplementedError

    def _set_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError
