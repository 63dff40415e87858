"""The dataset catalog: one declarative YAML file per dataset, read into :class:`DatasetSpec` objects.

The files live in the repository's ``datasets/`` folder and ship inside the package as
``muspy_like/datasets/catalog/`` (a link to that folder in a checkout, a copy in an installed wheel).
Each file declares a dataset once; downloading, verification, reading, splits and the documentation
table are all derived from that declaration.

Folders named in the environment variable ``MUSPY_LIKE_CATALOG`` (separated by ``os.pathsep``) are read
after the shipped catalog: a file there adds a dataset, or replaces the shipped entry of the same name
(to fix a stale URL or checksum without editing the package). :func:`override_sources` points one
entry's sources at other URLs or local files for one call.

Fields of a catalog file
------------------------
name, title, description, homepage, license, citation (BibTeX)
    What the dataset is and how to credit it.
format
    ``midi``, ``musicxml``, ``abc``, ``humdrum`` or ``mixed``.
download
    ``archive`` (downloaded from ``sources``), ``manual`` (the user places the files in the root) or
    ``music21`` (music21's bundled corpus, offline).
sources
    Archives to download: ``url``, ``filename``, ``archive`` (``zip``, ``tar``, ``tar.gz``, ``tar.bz2``,
    ``tar.xz``, ``gz``, ``xz`` or ``none``), optional ``size`` (bytes), ``sha256``, ``md5``,
    ``extracted_size`` (bytes, as published: it sets the archive's extraction bound, see
    :mod:`muspy_like.limits`) and ``mirrors`` (further URLs or local paths serving the same bytes, tried
    in order). A source with neither hash is *unverified*; a plain file (``archive: none``) needs a size
    or a hash, since nothing else tells a complete download from a cut one.
files
    Glob pattern, relative to the extracted data folder, selecting the pieces.
reader
    Options for reading each piece: ``resolution`` (override the declared ticks per quarter without
    rescaling times, for files that declare the wrong value) and ``via: music21`` (read through music21).
splits
    The official split, when the dataset has one: ``kind: folders`` with one glob per split, or
    ``kind: csv`` with the metadata ``file`` (glob), ``path_column`` and ``split_column``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from muspy_like.errors import DatasetError

__all__ = [
    "ARCHIVE_TYPES",
    "CATALOG_DIR",
    "DatasetSpec",
    "SourceSpec",
    "SplitSpec",
    "catalog_dirs",
    "catalog_table",
    "find_spec",
    "format_size",
    "get_spec",
    "load_catalog",
    "load_spec",
    "override_sources",
    "spec_from_dict",
    "update_table_in",
]


def _catalog_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "catalog"
    if packaged.is_dir():
        return packaged
    # A checkout whose link became a plain file (Windows without symbolic-link support).
    return Path(__file__).resolve().parents[2] / "datasets"


#: Folder holding one ``<name>.yaml`` per dataset.
CATALOG_DIR = _catalog_dir()

ARCHIVE_TYPES = ("zip", "tar", "tar.gz", "tar.bz2", "tar.xz", "gz", "xz", "none")
_DOWNLOAD_KINDS = ("archive", "manual", "music21")
_FORMATS = ("midi", "musicxml", "abc", "humdrum", "mixed")
_HEX = {"sha256": 64, "md5": 32}


@dataclass(frozen=True)
class SourceSpec:
    """One file to download.

    Parameters
    ----------
    url : str
        Primary URL.
    filename : str
        Name of the downloaded file inside ``<root>/archives``.
    archive : str
        Archive type, one of :data:`ARCHIVE_TYPES`.
    size : int, optional
        Expected size in bytes.
    sha256, md5 : str, optional
        Expected hex digests (lower case).
    mirrors : tuple of str
        Other URLs (or local paths) serving the same bytes, tried in order when the primary fails.
    extracted_size : int, optional
        Total size of the extracted files in bytes, as published (sets the extraction bound).
    """

    url: str
    filename: str
    archive: str = "none"
    size: Optional[int] = None
    sha256: Optional[str] = None
    md5: Optional[str] = None
    mirrors: tuple[str, ...] = ()
    extracted_size: Optional[int] = None

    @property
    def urls(self) -> tuple[str, ...]:
        """The primary URL followed by the mirrors."""
        return (self.url, *self.mirrors)

    @property
    def verified(self) -> bool:
        """True if the catalog gives a hash to check the download against."""
        return bool(self.sha256 or self.md5)


@dataclass(frozen=True)
class SplitSpec:
    """How a dataset declares its official split (see the module docstring)."""

    kind: str
    patterns: dict[str, str] = field(default_factory=dict)
    file: Optional[str] = None
    path_column: Optional[str] = None
    split_column: Optional[str] = None


@dataclass(frozen=True)
class DatasetSpec:
    """One catalog entry (see the module docstring for the meaning of each field)."""

    name: str
    title: str
    description: str
    homepage: str
    license: str
    format: str
    download: str
    citation: str = ""
    aliases: tuple[str, ...] = ()
    sources: tuple[SourceSpec, ...] = ()
    files: str = "**/*"
    reader: dict[str, Any] = field(default_factory=dict)
    splits: Optional[SplitSpec] = None
    path: Optional[Path] = None

    @property
    def size(self) -> Optional[int]:
        """Total download size in bytes, or None if a source's size is unknown."""
        sizes = [source.size for source in self.sources]
        return sum(sizes) if sizes and None not in sizes else None

    @property
    def checksum_status(self) -> str:
        """``"sha256"``, ``"md5"``, ``"sha256+md5"``, ``"unverified"``, ``"unverified (manual)"`` (files
        placed by hand, which nothing checks) or ``"n/a (music21)"``."""
        if self.download == "manual":
            return "unverified (manual)"
        if self.download != "archive":
            return f"n/a ({self.download})"
        if not all(source.verified for source in self.sources):
            return "unverified"
        kinds = {kind for source in self.sources for kind in ("sha256", "md5") if getattr(source, kind)}
        return "+".join(kind for kind in ("sha256", "md5") if kind in kinds)

    @property
    def verified(self) -> bool:
        """False if any source lacks a checksum (the download can then not be verified)."""
        return all(source.verified for source in self.sources)

    @property
    def where(self) -> str:
        """The dataset and its catalog file, to open error messages: ``nes_mdb (catalog file .../nes_mdb.yaml)``."""
        return f"{self.name} (catalog file {self.path})" if self.path else self.name


def load_spec(path: Path | str) -> DatasetSpec:
    """Read and validate one catalog file.

    Raises
    ------
    DatasetError
        If the file is not valid YAML or a field is missing or malformed (the message names the file
        and the field).
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DatasetError(f"{path}: cannot read the catalog file: {error}") from error
    return spec_from_dict(data, path)


def spec_from_dict(data: Any, path: Optional[Path] = None) -> DatasetSpec:
    """Build a :class:`DatasetSpec` from a parsed catalog document, validating every field."""
    where = str(path) if path else "catalog entry"
    if not isinstance(data, dict):
        raise DatasetError(f"{where}: expected a mapping at the top level")
    name, download, fmt = _identity(data, where)
    sources = tuple(
        _source_from_dict(item, f"{where}: sources[{i}]") for i, item in enumerate(data.get("sources") or [])
    )
    if download == "archive" and not sources:
        raise DatasetError(f"{where}: a dataset with download: archive needs at least one source")
    splits = data.get("splits")
    return DatasetSpec(
        name=name,
        title=_field(data, "title", where),
        description=" ".join(_field(data, "description", where).split()),
        homepage=_field(data, "homepage", where),
        license=_field(data, "license", where),
        format=fmt,
        download=download,
        citation=str(data.get("citation") or ""),
        aliases=tuple(data.get("aliases") or ()),
        sources=sources,
        files=str(data.get("files", "**/*")),
        reader=dict(data.get("reader") or {}),
        splits=_split_from_dict(splits, f"{where}: splits") if splits else None,
        path=path,
    )


def _field(mapping: dict, key: str, where: str, kind: type = str, place: str = "") -> Any:
    """``mapping[key]``, which must be there and of type ``kind``; ``place`` prefixes the key in messages."""
    if key not in mapping:
        raise DatasetError(f"{where}: missing field {place}{key}")
    value = mapping[key]
    if not isinstance(value, kind):
        raise DatasetError(f"{where}: field {place}{key} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _identity(data: dict, where: str) -> tuple[str, str, str]:
    """The entry's ``name``, ``download`` kind and ``format``, each checked against what the catalog allows."""
    name = _field(data, "name", where)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise DatasetError(f"{where}: name {name!r} must be lower-case letters, digits and underscores")
    download = _field(data, "download", where)
    if download not in _DOWNLOAD_KINDS:
        raise DatasetError(f"{where}: download must be one of {_DOWNLOAD_KINDS}, not {download!r}")
    fmt = _field(data, "format", where)
    if fmt not in _FORMATS:
        raise DatasetError(f"{where}: format must be one of {_FORMATS}, not {fmt!r}")
    return name, download, fmt


def _source_from_dict(item: Any, where: str) -> SourceSpec:
    if not isinstance(item, dict) or "url" not in item:
        raise DatasetError(f"{where}: a source needs at least a url")
    url = str(item["url"])
    archive = str(item.get("archive", "none"))
    if archive not in ARCHIVE_TYPES:
        raise DatasetError(f"{where}: archive must be one of {ARCHIVE_TYPES}, not {archive!r}")
    size = item.get("size")
    if size is not None and (not isinstance(size, int) or size < 0):
        raise DatasetError(f"{where}: size must be a number of bytes, not {size!r}")
    extracted_size = item.get("extracted_size")
    if extracted_size is not None and (not isinstance(extracted_size, int) or extracted_size <= 0):
        raise DatasetError(f"{where}: extracted_size must be a positive number of bytes, not {extracted_size!r}")
    digests = {}
    for kind, length in _HEX.items():
        value = item.get(kind)
        if value is not None:
            value = str(value).lower()
            if not re.fullmatch(f"[0-9a-f]{{{length}}}", value):
                raise DatasetError(f"{where}: {kind} must be {length} hex digits, not {value!r}")
        digests[kind] = value
    filename = str(item.get("filename") or url.rstrip("/").rsplit("/", 1)[-1])
    if "/" in filename or "\\" in filename or filename in ("", ".", ".."):
        raise DatasetError(f"{where}: filename {filename!r} must be a plain file name")
    if archive == "none" and size is None and not any(digests.values()):
        raise DatasetError(
            f"{where}: a plain file (archive: none) needs a size or a checksum: nothing else tells a complete "
            "download from one cut short"
        )
    return SourceSpec(
        url=url,
        filename=filename,
        archive=archive,
        size=size,
        mirrors=tuple(str(m) for m in item.get("mirrors") or ()),
        extracted_size=extracted_size,
        **digests,
    )


def _split_from_dict(item: Any, where: str) -> SplitSpec:
    if not isinstance(item, dict):
        raise DatasetError(f"{where}: expected a mapping")
    kind = item.get("kind")
    if kind == "folders":
        patterns = item.get("patterns")
        if not isinstance(patterns, dict) or not patterns:
            raise DatasetError(f"{where}: kind folders needs patterns (split name -> glob)")
        return SplitSpec("folders", patterns={str(k): str(v) for k, v in patterns.items()})
    if kind == "csv":
        for key in ("file", "path_column", "split_column"):
            if not item.get(key):
                raise DatasetError(f"{where}: kind csv needs {key}")
        return SplitSpec("csv", file=item["file"], path_column=item["path_column"], split_column=item["split_column"])
    raise DatasetError(f"{where}: kind must be 'folders' or 'csv', not {kind!r}")


def catalog_dirs() -> list[Path]:
    """The folders the catalog is read from: the shipped one, then those of ``$MUSPY_LIKE_CATALOG``."""
    extra = [Path(part).expanduser() for part in os.environ.get("MUSPY_LIKE_CATALOG", "").split(os.pathsep) if part]
    return [CATALOG_DIR, *extra]


@functools.lru_cache(maxsize=1)
def load_catalog() -> dict[str, DatasetSpec]:
    """Every catalog entry, by name (read once per process; see :func:`catalog_dirs`).

    Raises
    ------
    DatasetError
        If a catalog folder is missing, an entry is invalid, or two entries share a name or alias.
    """
    specs: dict[str, DatasetSpec] = {}
    for folder in catalog_dirs():
        if not folder.is_dir():
            where = "" if folder == CATALOG_DIR else " (named in $MUSPY_LIKE_CATALOG)"
            raise DatasetError(f"the dataset catalog folder {folder}{where} is missing")
        for path in sorted(folder.glob("*.yaml")):
            spec = load_spec(path)
            if path.stem != spec.name:
                raise DatasetError(f"{path}: the file must be named after the dataset ({spec.name}.yaml)")
            specs[spec.name] = spec  # a later folder replaces an entry of the same name
    taken: dict[str, str] = {}
    for spec in specs.values():
        for alias in spec.aliases:
            if alias in specs or alias in taken:
                raise DatasetError(f"{spec.path}: alias {alias!r} is already used by another dataset")
            taken[alias] = spec.name
    return specs


def find_spec(name: str) -> Optional[DatasetSpec]:
    """The catalog entry of a dataset, by name or alias (case-insensitive, ``-`` for ``_``), or None."""
    specs = load_catalog()
    key = name.lower().replace("-", "_")
    if key in specs:
        return specs[key]
    for spec in specs.values():
        if key in spec.aliases:
            return spec
    return None


def get_spec(name: str) -> DatasetSpec:
    """The catalog entry of a dataset, by name or alias (case-insensitive).

    Raises
    ------
    DatasetError
        If no entry has that name; the message lists the known names.
    """
    spec = find_spec(name)
    if spec is None:
        raise DatasetError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(load_catalog()))}")
    return spec


def override_sources(spec: DatasetSpec, locations: Union[str, Sequence[str], Mapping[str, Any]]) -> DatasetSpec:
    """A copy of ``spec`` whose sources are fetched from other URLs or local files.

    The sizes and checksums of the catalog still apply, so a local copy or another server must hold the
    very bytes the catalog describes (write a catalog file of your own, or one in ``$MUSPY_LIKE_CATALOG``,
    for other bytes).

    Parameters
    ----------
    spec : DatasetSpec
        The catalog entry.
    locations : str, sequence of str, or mapping
        URLs or local paths, tried in order instead of the catalog's. With several sources, each location
        is matched to the source of the same file name, or give a mapping ``{filename: location or list}``.

    Raises
    ------
    DatasetError
        If a location matches no source of the entry (the message lists the file names).
    """
    if isinstance(locations, (str, os.PathLike)):
        locations = [locations]
    by_file: dict[str, list[str]] = {}
    if isinstance(locations, Mapping):
        for filename, places in locations.items():
            by_file[str(filename)] = [str(p) for p in ([places] if isinstance(places, (str, os.PathLike)) else places)]
    elif len(spec.sources) == 1:
        by_file[spec.sources[0].filename] = [str(p) for p in locations]
    else:
        for place in locations:
            base = os.path.basename(str(place).split("?")[0].rstrip("/"))
            by_file.setdefault(base, []).append(str(place))
    names = {source.filename for source in spec.sources}
    unknown = sorted(set(by_file) - names)
    if unknown:
        raise DatasetError(
            f"{spec.where}: no source is named {unknown[0]!r}; the sources are {', '.join(sorted(names))} "
            "(name the file as the catalog does, or give a mapping filename -> location)"
        )
    sources = tuple(
        dataclasses.replace(source, url=by_file[source.filename][0], mirrors=tuple(by_file[source.filename][1:]))
        if source.filename in by_file
        else source
        for source in spec.sources
    )
    return dataclasses.replace(spec, sources=sources)


def format_size(size: Optional[int]) -> str:
    """A byte count for people: ``"1.7 GB"``, ``"215 kB"`` (decimal units), ``"unknown"`` for None."""
    if size is None:
        return "unknown"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


#: Markers around the generated table in a markdown page (see :func:`update_table_in`).
TABLE_START = "<!-- catalog-table:start -->"
TABLE_END = "<!-- catalog-table:end -->"


def catalog_table() -> str:
    """The catalog as a markdown table (name, title, download size, format, license, checksum status).

    ``docs/datasets.md`` embeds this table; regenerate it with
    ``muspy-like datasets table --update docs/datasets.md``.
    """
    rows = ["| name | dataset | download size | format | license | checksum |", "|---|---|---|---|---|---|"]
    for spec in load_catalog().values():
        size = format_size(spec.size) if spec.download == "archive" else "n/a"
        rows.append(
            f"| `{spec.name}` | [{spec.title}]({spec.homepage}) | {size} | {spec.format} | {spec.license} "
            f"| {spec.checksum_status} |"
        )
    return "\n".join(rows)


def update_table_in(path: Path | str) -> bool:
    """Replace the text between :data:`TABLE_START` and :data:`TABLE_END` in a markdown file by the
    current :func:`catalog_table`; return True if the file changed.

    Raises
    ------
    DatasetError
        If the file lacks the two markers.
    """
    from muspy_like.files import atomic_write_text

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise DatasetError(f"{path}: missing the markers {TABLE_START} ... {TABLE_END}")
    updated = text[: start + len(TABLE_START)] + "\n" + catalog_table() + "\n" + text[end:]
    if updated != text:
        atomic_write_text(path, updated)
    return updated != text

