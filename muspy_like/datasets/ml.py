"""Machine-learning adapters: a picklable dataset of arrays, and padding/collation for batches.

:class:`RepresentationDataset` turns each piece of a dataset into an array with a user-given ``factory``
(for example ``functools.partial(to_pitch_representation, ...)`` from :mod:`muspy_like.representations`,
or any function of a :class:`~muspy_like.Music`). It is a map-style dataset (``len`` and integer
indexing), which is all PyTorch's ``DataLoader`` needs, and it pickles, so ``DataLoader(num_workers=2)``
and ``multiprocessing`` pools work: each worker reads and encodes its own pieces. (MusPy's torch
datasets are built from local classes and lambdas, which cannot be pickled.) The factory must be
picklable too: a module-level function or a ``functools.partial`` of one, not a lambda.

PyTorch is optional: it is imported only by :class:`PadCollate` when ``as_tensors=True``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import numpy as np

from muspy_like.extras import require

if TYPE_CHECKING:
    from muspy_like.core.music import Music
    from muspy_like.datasets.base import Dataset

__all__ = ["RepresentationDataset", "PadCollate", "pad_sequences"]


class RepresentationDataset:
    """``factory(dataset[i])`` for every piece, computed on access.

    Parameters
    ----------
    dataset : Dataset
        Any muspy_like dataset (a cached one is fastest).
    factory : callable
        Function of one :class:`~muspy_like.Music` returning an array (e.g. time steps x features).

    Examples
    --------
    >>> import functools  # doctest: +SKIP
    >>> from muspy_like.representations.pitch import to_pitch_representation  # doctest: +SKIP
    >>> arrays = dataset.to_representation(functools.partial(to_pitch_representation))  # doctest: +SKIP
    >>> loader = torch.utils.data.DataLoader(arrays, batch_size=8, num_workers=2,
    ...                                      collate_fn=PadCollate())  # doctest: +SKIP
    """

    def __init__(self, dataset: "Dataset", factory: Callable[["Music"], Any]) -> None:
        if not callable(factory):
            raise TypeError(f"factory must be callable, got {type(factory).__name__}")
        self.dataset = dataset
        self.factory = factory

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> np.ndarray:
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer, got {type(index).__name__}")
        return np.asarray(self.factory(self.dataset[int(index)]))

    def __repr__(self) -> str:
        name = getattr(self.factory, "__name__", type(self.factory).__name__)
        return f"RepresentationDataset({self.dataset!r}, factory={name})"


def pad_sequences(
    arrays: Sequence[Any],
    pad_value: float = 0,
    max_length: Optional[int] = None,
    dtype: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Stack arrays of different lengths (first axis) into one, padding at the end.

    Parameters
    ----------
    arrays : sequence of array-like
        Each of shape ``(length_i, *feature_shape)``; the feature shapes must agree.
    pad_value : number
        Value of the padding positions.
    max_length : int, optional
        Length of the result; longer sequences are truncated. Default: the longest input.
    dtype : numpy dtype, optional
        Dtype of the result (default: the common dtype of the inputs).

    Returns
    -------
    padded : numpy.ndarray
        Shape ``(batch, max_length, *feature_shape)``.
    mask : numpy.ndarray of bool
        Shape ``(batch, max_length)``; True at real (non-padding) positions.

    Raises
    ------
    ValueError
        If the list is empty or the feature shapes differ.

    Examples
    --------
    >>> padded, mask = pad_sequences([[1, 2, 3], [4]], pad_value=-1)
    >>> padded.tolist(), mask.tolist()
    ([[1, 2, 3], [4, -1, -1]], [[True, True, True], [True, False, False]])
    """
    items = [np.asarray(a) for a in arrays]
    if not items:
        raise ValueError("pad_sequences needs at least one array")
    if any(item.ndim == 0 for item in items):
        raise ValueError("every array needs a length (first axis); got a scalar")
    features = {item.shape[1:] for item in items}
    if len(features) > 1:
        raise ValueError(f"arrays must share their feature shape (all axes but the first), got {sorted(features)}")
    feature_shape = features.pop()
    length = max_length if max_length is not None else max(len(item) for item in items)
    dtype = dtype if dtype is not None else np.result_type(*items)
    padded = np.full((len(items), length, *feature_shape), pad_value, dtype=dtype)
    mask = np.zeros((len(items), length), dtype=bool)
    for row, item in enumerate(items):
        n = min(len(item), length)
        padded[row, :n] = item[:n]
        mask[row, :n] = True
    return padded, mask


class PadCollate:
    """A picklable ``collate_fn`` for PyTorch's ``DataLoader``: pads a batch and returns masks.

    Parameters
    ----------
    pad_value : number
        Value of the padding positions.
    max_length : int, optional
        Truncate or pad every batch to this length (default: the longest sequence in the batch).
    as_tensors : bool
        Return ``torch.Tensor`` (imports torch) instead of numpy arrays.

    Returns (when called on a batch)
    --------------------------------
    dict
        ``data`` (batch x length x features), ``mask`` (batch x length, True on real steps) and
        ``lengths`` (original lengths, before truncation).
    """

    def __init__(self, pad_value: float = 0, max_length: Optional[int] = None, as_tensors: bool = True) -> None:
        self.pad_value = pad_value
        self.max_length = max_length
        self.as_tensors = as_tensors

    def __call__(self, batch: Sequence[Any]) -> dict[str, Any]:
        padded, mask = pad_sequences(batch, self.pad_value, self.max_length)
        lengths = np.array([len(np.asarray(item)) for item in batch], dtype=np.int64)
        result = {"data": padded, "mask": mask, "lengths": lengths}
        if self.as_tensors:
            torch = require("torch", "ml", "tensors from the PyTorch collate function (as_tensors=True)")

            result = {key: torch.from_numpy(value) for key, value in result.items()}
        return result
