"""MusPy's dataset classes (``muspy.JSBChoralesDataset`` ...) as thin subclasses of our dataset API.

Each class is a :class:`muspy_like.datasets.Dataset` (lazy reading, ``len``, indexing, our ``split(ratios,
seed)``, ``convert(cache_dir)``, ``to_representation``) with MusPy's constructor and methods on top:

* ``JSBChoralesDataset(root, download_and_extract=False, cleanup=False, convert=False, kind="json",
  n_jobs=1, ...)`` downloads, verifies and extracts through :func:`muspy_like.datasets.get_dataset`
  (checksums, retries, resume, safe extraction) and reads the catalog entry's files;
* ``convert()`` builds a fast cache in ``root/_converted`` and the dataset then reads from it
  (``use_converted()`` / ``on_the_fly()`` switch);
* ``split(filename, splits, random_state)`` returns MusPy's ``{"train", "test", "validation"}`` index
  lists (same shuffle as MusPy for the same ``random_state``), saved to / loaded from ``filename``;
* ``save(root, kind)``, ``to_pytorch_dataset(...)`` (picklable, so ``DataLoader`` workers work),
  ``to_tensorflow_dataset(...)``, ``info()``, ``citation()``.

:func:`get_dataset` and :func:`list_datasets` here are MusPy's: they return classes. Ours, in
:mod:`muspy_like.datasets`, return ready dataset objects and catalog names.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np

from muspy_like.datasets import base as _base
from muspy_like.datasets import music21_corpus as _music21
from muspy_like.errors import DatasetError

__all__ = [
    "Dataset",
    "MusicDataset",
    "FolderDataset",
    "ABCFolderDataset",
    "Music21Dataset",
    "RemoteDataset",
    "RemoteFolderDataset",
    "RemoteMusicDataset",
    "RemoteABCFolderDataset",
    "EMOPIADataset",
    "EssenFolkSongDatabase",
    "HaydnOp20Dataset",
    "HymnalDataset",
    "HymnalTuneDataset",
    "JSBChoralesDataset",
    "LakhMIDIAlignedDataset",
    "LakhMIDIDataset",
    "LakhMIDIMatchedDataset",
    "MAESTRODatasetV1",
    "MAESTRODatasetV2",
    "MAESTRODatasetV3",
    "MusicNetDataset",
    "NESMusicDatabase",
    "NottinghamDatabase",
    "WikifoniaDataset",
    "get_dataset",
    "list_datasets",
]

Pathish = Union[str, os.PathLike]
_SPLIT_NAMES = ("train", "test", "validation")
_NATIVE_SUFFIXES = {"json": (".json", ".json.gz"), "yaml": (".yaml", ".yml", ".yaml.gz", ".yml.gz")}


def _save_piece(job: tuple[int, Any], options: Mapping[str, Any], root: str, kind: str, width: int) -> str:
    """Read one piece and save it as ``root/<index>.<kind>`` (a module-level function, so it pickles)."""
    from muspy_like.datasets.pieces import read_piece

    index, piece = job
    path = Path(root) / f"{index:0{width}d}.{kind}"
    read_piece(piece, options).save(path)
    return str(path)


def _encode(music: Any, representation: str, options: Mapping[str, Any]) -> np.ndarray:
    from muspy_like.compat.representations import to_representation

    return to_representation(music, representation, **options)


class MusPyDatasetMethods:
    """MusPy's methods for every dataset: ``split`` (MusPy's form too), ``save``, PyTorch and TensorFlow."""

    def split(self, filename: Any = None, splits: Any = None, random_state: Any = None, **kwargs: Any) -> Any:
        """MusPy's split: index lists ``{"train", "test", "validation"}``; or ours, ``split(ratios, seed)``.

        Parameters
        ----------
        filename : str or Path, optional
            A JSON file to read the split from when it exists, or to write it to.
        splits : float or sequence of 2 or 3 floats
            Proportions of train, test (and validation), summing to 1; a float ``f`` means ``(f, 1 - f)``.
        random_state : int or numpy.random.RandomState, optional
            Seed of the shuffle (the same permutation as MusPy for the same seed).

        Returns
        -------
        dict of str to list of int
            Indices of each part. Called as ``split(ratios, seed=0)`` (a sequence or mapping of
            proportions first) it is our :meth:`muspy_like.datasets.Dataset.split` and returns datasets.
        """
        if filename is not None and not isinstance(filename, (str, os.PathLike)):
            return _base.Dataset.split(self, filename, *([splits] if splits is not None else []), **kwargs)
        if filename is not None and Path(filename).is_file():
            with open(filename, encoding="utf-8") as handle:
                return json.load(handle)
        if isinstance(splits, float):
            if not 0 < splits < 1:
                raise ValueError(f"splits={splits} must be between 0 and 1 (exclusive)")
            splits = [splits, 1 - splits]
        if not isinstance(splits, (list, tuple)) or not 2 <= len(splits) <= 3:
            raise TypeError(f"splits must be a float or a list of 2 or 3 proportions, not {splits!r}")
        if abs(sum(splits) - 1) > _base.RATIO_TOLERANCE:
            raise ValueError(f"splits must sum to 1, got {list(splits)}")
        state = random_state if isinstance(random_state, np.random.RandomState) else np.random.RandomState(random_state)
        order = state.permutation(len(self))
        bounds = np.cumsum([0.0, *splits])
        indices = {name: order[int(a * len(self)):int(b * len(self))].tolist()
                   for name, a, b in zip(_SPLIT_NAMES, bounds[:-1], bounds[1:])}
        if filename is not None:
            from muspy_like.files import atomic_write_text

            atomic_write_text(filename, json.dumps(indices))
        return indices

    def save(self, root: Pathish, kind: str = "json", n_jobs: int = 1, ignore_exceptions: bool = True,
             verbose: bool = True, **kwargs: Any) -> list[str]:
        """Save every piece as ``root/<index>.json`` (or ``.yaml``), on ``n_jobs`` processes.

        Returns the written paths. A piece that cannot be read is skipped (and reported in the raised
        error unless ``ignore_exceptions``).
        """
        from muspy_like.parallel import parallel_map

        if kind not in _NATIVE_SUFFIXES:
            raise ValueError(f"kind must be 'json' or 'yaml', not {kind!r}")
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        width = max(1, len(str(max(len(self) - 1, 0))))
        worker = functools.partial(_save_piece, options=self.reader_options, root=str(root), kind=kind, width=width)
        result = parallel_map(worker, list(enumerate(self.pieces)), n_jobs=n_jobs, progress=verbose)
        if result.failures and not ignore_exceptions:
            result.raise_if_failed()
        return [path for path in result.values if path is not None]

    def to_pytorch_dataset(self, factory: Optional[Callable] = None, representation: Optional[str] = None,
                           split_filename: Optional[Pathish] = None, splits: Any = None, random_state: Any = None,
                           **kwargs: Any) -> Any:
        """A map-style dataset for ``torch.utils.data.DataLoader`` (picklable: worker processes work).

        Give ``factory`` (a function of a Music) or ``representation`` (``"pitch"``, ``"event"``,
        ``"note"``, ``"pianoroll"``, with MusPy's options as keyword arguments). With ``splits`` the
        result is a dict of datasets, one per part (see :meth:`split`).
        """
        from muspy_like.datasets.ml import RepresentationDataset

        if (factory is None) == (representation is None):
            raise TypeError("give exactly one of factory and representation")
        if factory is None:
            factory = functools.partial(_encode, representation=representation, options=kwargs)
        if splits is None and split_filename is None:
            return RepresentationDataset(self, factory)
        parts = self.split(split_filename, splits, random_state)
        return {name: RepresentationDataset(self.subset(indices), factory) for name, indices in parts.items()}

    def to_tensorflow_dataset(self, factory: Optional[Callable] = None, representation: Optional[str] = None,
                              split_filename: Optional[Pathish] = None, splits: Any = None,
                              random_state: Any = None, **kwargs: Any) -> Any:
        """A ``tf.data.Dataset`` of the arrays (or a dict of them with ``splits``), built from a generator."""
        import tensorflow as tf

        arrays = self.to_pytorch_dataset(factory, representation, split_filename, splits, random_state, **kwargs)

        def as_tf(part: Any) -> Any:
            first = part[0]
            spec = tf.TensorSpec(shape=(None,) * np.ndim(first), dtype=tf.as_dtype(np.asarray(first).dtype))
            return tf.data.Dataset.from_generator(lambda: (part[i] for i in range(len(part))), output_signature=spec)

        return {name: as_tf(part) for name, part in arrays.items()} if isinstance(arrays, dict) else as_tf(arrays)


class Dataset(MusPyDatasetMethods, _base.Dataset):
    """A dataset with MusPy's methods (see the module notes); built from a list of pieces like ours."""


class FolderDataset(MusPyDatasetMethods, _base.FolderDataset):
    """Every readable file under a folder, with MusPy's methods.

    ``convert=True`` builds the fast cache in ``root/_converted`` and reads from it (see
    :meth:`convert`); MusPy's ``kind``, ``n_jobs`` and ``ignore_exceptions`` go to that conversion.
    """

    def __init__(self, root: Pathish, convert: bool = False, kind: str = "json", n_jobs: int = 1,
                 ignore_exceptions: bool = True, use_converted: Optional[bool] = None, pattern: str = "**/*",
                 **kwargs: Any) -> None:
        super().__init__(root, pattern, **kwargs)
        self._raw = (self.pieces, self.reader_options)
        self._cache: Optional[Any] = None
        if convert:
            self.convert(kind, n_jobs, ignore_exceptions)
        if use_converted is not None:
            self.use_converted() if use_converted else self.on_the_fly()

    @property
    def converted_dir(self) -> Path:
        """Where :meth:`convert` puts the cache (``root/_converted``)."""
        return Path(getattr(self, "dataset_root", self.root)) / "_converted"

    def converted_exists(self) -> bool:
        """Whether a finished cache is in :attr:`converted_dir`."""
        return (self.converted_dir / "index.json").is_file()

    def convert(self, kind: Any = "json", n_jobs: int = 1, ignore_exceptions: bool = True, verbose: bool = True,
                **kwargs: Any) -> Any:
        """Convert every piece into the cache in :attr:`converted_dir` and read from it from now on.

        (Called with a folder first, it is our :meth:`muspy_like.datasets.Dataset.convert`.) Returns self.
        """
        if not isinstance(kind, str) or kind not in _NATIVE_SUFFIXES:
            return _base.Dataset.convert(self, kind, n_jobs=n_jobs, **kwargs)
        pieces, options = self._raw
        raw = _base.Dataset(pieces, self.root, options, self.spec, self.name)
        report = raw.convert(self.converted_dir, n_jobs=n_jobs, progress=verbose)
        if report.failures and not ignore_exceptions:
            raise DatasetError(report.summary())
        return self.use_converted()

    def use_converted(self) -> "FolderDataset":
        """Read pieces from the converted cache (it must exist); only this dataset's pieces, if converted."""
        from muspy_like.datasets.cache import CachedDataset

        cache = CachedDataset(self.converted_dir)
        wanted = {(piece.path, piece.tune) for piece in self._raw[0]}
        self._cache = cache.subset([i for i, p in enumerate(cache.pieces) if (p.path, p.tune) in wanted])
        self.pieces = self._cache.pieces
        return self

    def _select(self, indices: Sequence[int]) -> None:
        # Keep the source pieces and the cache aligned with ``pieces`` (see Dataset.subset).
        super()._select(indices)
        if self._cache is not None:
            self._cache = self._cache.subset(indices)
        self._raw = (self.pieces, self._raw[1])

    def on_the_fly(self) -> "FolderDataset":
        """Read pieces from the source files."""
        self._cache = None
        self.pieces = self._raw[0]
        return self

    def read(self, index: int) -> Any:
        if self._cache is not None:
            return self._cache.read(index)
        return super().read(index)

    def get_raw_filenames(self) -> list[Path]:
        """The source files, in dataset order."""
        return sorted({Path(piece.path) for piece in self._raw[0]})

    def get_converted_filenames(self) -> list[Path]:
        """The converted JSON files, in dataset order."""
        from muspy_like.datasets.cache import CachedDataset

        cache = CachedDataset(self.converted_dir)
        return [cache.path(index, "json") for index in range(len(cache))]


class MusicDataset(FolderDataset):
    """A folder of native (or MusPy) JSON/YAML files; ``kind`` keeps only ``"json"`` or ``"yaml"``."""

    def __init__(self, root: Pathish, kind: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        if kind is not None:
            if kind not in _NATIVE_SUFFIXES:
                raise ValueError(f"kind must be 'json' or 'yaml', not {kind!r}")
            keep = [i for i, p in enumerate(self.pieces) if p.path.lower().endswith(_NATIVE_SUFFIXES[kind])]
            self._select(keep)
        else:
            suffixes = _NATIVE_SUFFIXES["json"] + _NATIVE_SUFFIXES["yaml"]
            self._select([i for i, p in enumerate(self.pieces) if p.path.lower().endswith(suffixes)])
        self._raw = (self.pieces, self.reader_options)


class ABCFolderDataset(FolderDataset):
    """A folder of ABC files, one piece per tune."""

    def __init__(self, root: Pathish, **kwargs: Any) -> None:
        super().__init__(root, pattern="**/*.abc", **kwargs)


class Music21Dataset(MusPyDatasetMethods, _music21.Music21Dataset):
    """music21's bundled corpus (offline), with MusPy's ``convert(root)`` that returns a :class:`MusicDataset`."""

    def convert(self, root: Pathish, kind: str = "json", n_jobs: int = 1, ignore_exceptions: bool = True,
                **kwargs: Any) -> Any:
        """Save every piece into ``root`` as JSON (or YAML) and return a :class:`MusicDataset` over them.

        With ``kind="cache"`` it is our :meth:`muspy_like.datasets.Dataset.convert` (a fast cache).
        """
        if kind == "cache":
            return _base.Dataset.convert(self, root, n_jobs=n_jobs, **kwargs)
        self.save(root, kind, n_jobs, ignore_exceptions, verbose=kwargs.get("verbose", True))
        return MusicDataset(root, kind=kind)


class RemoteFolderDataset(FolderDataset):
    """A catalog dataset under ``root``: downloaded, verified and extracted on request (MusPy's signature).

    Subclasses name their catalog entry in ``catalog_name``. ``overwrite`` has no effect: a complete root is
    verified by its completion marker and archives by their checksums, so nothing is ever downloaded twice
    or kept corrupt. ``cleanup`` removes the archives after extraction.

    Raises
    ------
    DatasetError
        If the root is not complete and ``download_and_extract`` is False (the message says what to run).
    """

    catalog_name: str = ""

    def __init__(self, root: Pathish, download_and_extract: bool = False, overwrite: bool = False,
                 cleanup: bool = False, convert: bool = False, kind: str = "json", n_jobs: int = 1,
                 ignore_exceptions: bool = True, use_converted: Optional[bool] = None, verbose: bool = True) -> None:
        from muspy_like.datasets import get_dataset as get_native

        native = get_native(self.catalog_name, root, download=download_and_extract, keep_archives=not cleanup)
        self.__dict__.update(native.__dict__)
        self.dataset_root = Path(root).expanduser()  # ``root`` stays the data folder, as for our datasets
        self._raw = (self.pieces, self.reader_options)
        self._cache = None
        if convert:
            self.convert(kind, n_jobs, ignore_exceptions, verbose)
        if use_converted is not None:
            self.use_converted() if use_converted else self.on_the_fly()

    def exists(self) -> bool:
        """Whether the dataset is completely downloaded and extracted (or, for a manual one, present) in ``root``."""
        from muspy_like.datasets.install import read_marker

        if self.spec is not None and self.spec.download == "manual":
            return bool(self._raw[0])  # put there by hand: no completion marker
        return read_marker(self.dataset_root) is not None

    def download_and_extract(self, **kwargs: Any) -> "RemoteFolderDataset":
        """Download, verify and extract into ``root`` (nothing happens when it is already complete)."""
        from muspy_like.datasets import get_dataset as get_native

        get_native(self.catalog_name, self.dataset_root, download=True, **kwargs)
        return self


RemoteDataset = RemoteFolderDataset
RemoteMusicDataset = RemoteFolderDataset
RemoteABCFolderDataset = RemoteFolderDataset


def _remote(class_name: str, catalog_name: str, summary: str) -> type:
    return type(class_name, (RemoteFolderDataset,), {
        "catalog_name": catalog_name,
        "__doc__": f"{summary} (catalog entry ``{catalog_name}``; see ``datasets/{catalog_name}.yaml``).",
        "__module__": __name__,
    })


EMOPIADataset = _remote("EMOPIADataset", "emopia", "EMOPIA: pop piano clips with emotion labels")
EssenFolkSongDatabase = _remote("EssenFolkSongDatabase", "essen", "Essen Folk Song Database (ABC)")
HaydnOp20Dataset = _remote("HaydnOp20Dataset", "haydn_op20", "Haydn Op. 20 string quartets (Humdrum)")
HymnalDataset = _remote("HymnalDataset", "hymnal", "Hymnal (manual download)")
HymnalTuneDataset = _remote("HymnalTuneDataset", "hymnal_tune", "Hymnal tunes (manual download)")
JSBChoralesDataset = _remote("JSBChoralesDataset", "jsb_chorales", "Bach chorales (MIDI)")
LakhMIDIDataset = _remote("LakhMIDIDataset", "lmd_full", "Lakh MIDI Dataset, full")
LakhMIDIMatchedDataset = _remote("LakhMIDIMatchedDataset", "lmd_matched", "Lakh MIDI Dataset, matched")
LakhMIDIAlignedDataset = _remote("LakhMIDIAlignedDataset", "lmd_aligned", "Lakh MIDI Dataset, aligned")
MAESTRODatasetV1 = _remote("MAESTRODatasetV1", "maestro_v1", "MAESTRO v1 piano performances")
MAESTRODatasetV2 = _remote("MAESTRODatasetV2", "maestro_v2", "MAESTRO v2 piano performances")
MAESTRODatasetV3 = _remote("MAESTRODatasetV3", "maestro_v3", "MAESTRO v3 piano performances")
MusicNetDataset = _remote("MusicNetDataset", "musicnet", "MusicNet (MIDI)")
NESMusicDatabase = _remote("NESMusicDatabase", "nes_mdb", "NES Music Database (MIDI)")
NottinghamDatabase = _remote("NottinghamDatabase", "nottingham", "Nottingham Music Database (ABC)")
WikifoniaDataset = _remote("WikifoniaDataset", "wikifonia", "Wikifonia lead sheets (MusicXML)")

_REMOTE_CLASSES = (
    EMOPIADataset, EssenFolkSongDatabase, HaydnOp20Dataset, HymnalDataset, HymnalTuneDataset, JSBChoralesDataset,
    LakhMIDIDataset, LakhMIDIMatchedDataset, LakhMIDIAlignedDataset, MAESTRODatasetV1, MAESTRODatasetV2,
    MAESTRODatasetV3, MusicNetDataset, NESMusicDatabase, NottinghamDatabase, WikifoniaDataset,
)
#: MusPy's keys that are not catalog names or aliases.
_MUSPY_KEYS = {"haydn": "haydn_op20", "nmd": "nottingham"}


def get_dataset(key: str) -> type:
    """MusPy's dataset class for a key (``"jsb"``, ``"maestro-v2"``, ``"nmd"``, ``"music21"``...).

    Raises
    ------
    ValueError
        For an unknown key.
    """
    from muspy_like.datasets import get_spec

    name = key.lower().replace("-", "_")
    if name == "music21":
        return Music21Dataset
    try:
        name = get_spec(_MUSPY_KEYS.get(name, name)).name
    except DatasetError:
        name = None
    for cls in _REMOTE_CLASSES:
        if cls.catalog_name == name:
            return cls
    raise ValueError(f"unknown dataset key {key!r}; MusPy's keys include 'jsb', 'nmd', 'maestro-v3', 'music21'")


def list_datasets() -> list[type]:
    """MusPy's dataset classes (muspy_like's catalog has more: :func:`muspy_like.datasets.list_datasets`)."""
    return [*_REMOTE_CLASSES, Music21Dataset]
