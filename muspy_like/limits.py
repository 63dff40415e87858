"""How large a file may grow while muspy_like reads it: one policy for every size cap.

Compressed inputs can expand without bound (a 3 MB ``.json.gz`` may ask for 3 GiB), so every reader
that decompresses or parses untrusted data takes its bound from here and refuses more with
:class:`~muspy_like.errors.SizeLimitError`, whose message names the file, the cap and the three ways to
raise it. Each cap was sized against the largest real file of its kind that we know of, with a wide
margin:

* ``document_bytes`` = 64 MiB: native JSON/YAML text (after gunzip). Mahler's 42-minute, 51-track
  symphony (60,411 notes, ``bench/mahler.mid``) is 1.5 MB of native JSON, about 25 bytes per note: the
  cap holds pieces of some 2.5 million notes, 40 times that symphony.
* ``document_depth`` = 100: nesting of JSON/YAML containers. A native document nests 4 deep
  (``$.tracks[0].notes.time``); only annotation values are free JSON, and none we know of nests more
  than a few levels.
* ``score_member_bytes`` = 128 MiB: the XML inside a compressed score (``.mxl``, ``.mscz``). The largest
  in music21's corpus, Beethoven's op. 132, is 10.9 MB.
* ``archive_ratio`` = 100: extracted bytes per archive byte, for archives whose catalog entry publishes no
  extracted size. Real archives: MIDI in tar.gz 4.5x (Mahler), plain MusicXML in tar.gz 30x (music21's
  119 XML files), one ``.mxl`` up to 55x (music21's corpus); archive bombs reach 1,000x and far beyond.
* ``archive_margin`` = 1.25: allowance over the extracted size a catalog entry publishes.

Setting the caps
----------------
In order of precedence: a keyword of the call where one exists (``load(path, max_bytes=...)``,
``ExtractionLimits(max_total_bytes=...)``); :func:`configure` (process-wide) or :func:`override` (a
``with`` block); the environment variables of :data:`ENVIRONMENT` (also read by worker processes and
the command line); the defaults above. Byte counts accept units: ``MUSPY_LIKE_MAX_DOCUMENT_BYTES=256MiB``.

>>> from muspy_like import limits
>>> limits.current().document_bytes == 64 * 2**20
True
>>> with limits.override(document_bytes=2**30):
...     limits.current().document_bytes
1073741824
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from dataclasses import dataclass
from typing import IO, Any, Iterator, Optional

from muspy_like.errors import SizeLimitError

__all__ = ["ENVIRONMENT", "SizeLimits", "archive_cap", "check", "configure", "current", "override", "read_bounded"]

_MIB = 1 << 20


@dataclass(frozen=True)
class SizeLimits:
    """The caps of the policy (see the module notes for how each default was chosen).

    Parameters
    ----------
    document_bytes : int
        Largest native JSON/YAML document, in bytes of text (after decompression).
    document_depth : int
        Deepest nesting of lists and mappings in a native document.
    score_member_bytes : int
        Largest uncompressed score inside a ``.mxl`` or ``.mscz`` archive, in bytes.
    archive_ratio : float
        Largest extracted size of an archive, as a multiple of the archive's own size, when the catalog
        gives no extracted size.
    archive_margin : float
        Largest extracted size of an archive, as a multiple of the extracted size the catalog publishes.
    """

    document_bytes: int = 64 * _MIB
    document_depth: int = 100
    score_member_bytes: int = 128 * _MIB
    archive_ratio: float = 100.0
    archive_margin: float = 1.25

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{item.name} must be a positive number, not {value!r}")
        if self.archive_margin < 1:
            raise ValueError(f"archive_margin must be at least 1, not {self.archive_margin!r}")


#: Environment variable of each cap.
ENVIRONMENT = {
    "document_bytes": "MUSPY_LIKE_MAX_DOCUMENT_BYTES",
    "document_depth": "MUSPY_LIKE_MAX_DOCUMENT_DEPTH",
    "score_member_bytes": "MUSPY_LIKE_MAX_SCORE_MEMBER_BYTES",
    "archive_ratio": "MUSPY_LIKE_MAX_ARCHIVE_RATIO",
    "archive_margin": "MUSPY_LIKE_ARCHIVE_MARGIN",
}

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}
_overrides: dict[str, Any] = {}


def _parse(name: str, text: str) -> Any:
    variable = ENVIRONMENT[name]
    kind = type(getattr(SizeLimits, name))
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*", text)
    if match is None or match.group(2).lower() not in _UNITS or (kind is not int and match.group(2)):
        raise ValueError(f"{variable}={text!r}: expected a number" + (" of bytes (units: kB, MB, GB, KiB, MiB, GiB)"
                                                                          if name.endswith("bytes") else ""))
    value = float(match.group(1)) * _UNITS[match.group(2).lower()]
    return int(value) if kind is int else value


def current() -> SizeLimits:
    """The caps in force: :func:`configure`/:func:`override` over the environment over the defaults.

    Raises
    ------
    ValueError
        If an environment variable of :data:`ENVIRONMENT` holds no positive number.
    """
    values: dict[str, Any] = {}
    for name, variable in ENVIRONMENT.items():
        text = os.environ.get(variable)
        if text:
            values[name] = _parse(name, text)
    values.update(_overrides)
    return SizeLimits(**values)


def configure(**caps: Any) -> SizeLimits:
    """Set caps for the rest of the process (``None`` returns a cap to the environment or default).

    Worker processes started later with the *spawn* method do not inherit these settings; set the
    environment variables of :data:`ENVIRONMENT` to reach them.

    Returns
    -------
    SizeLimits
        The caps now in force.

    Raises
    ------
    TypeError
        For an unknown cap name.
    ValueError
        For a value that is not a positive number.
    """
    unknown = sorted(set(caps) - set(ENVIRONMENT))
    if unknown:
        raise TypeError(f"unknown cap {unknown[0]!r}; the caps are {', '.join(ENVIRONMENT)}")
    merged = {**_overrides, **caps}
    merged = {name: value for name, value in merged.items() if value is not None}
    SizeLimits(**merged)  # validate before changing anything
    _overrides.clear()
    _overrides.update(merged)
    return current()


@contextlib.contextmanager
def override(**caps: Any) -> Iterator[SizeLimits]:
    """Set caps inside a ``with`` block only (see :func:`configure`)."""
    saved = dict(_overrides)
    try:
        yield configure(**caps)
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _bytes_text(count: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{int(count)} bytes"


def _message(name: str, what: str, found: str, cap: float, keyword: Optional[str]) -> str:
    unit = _bytes_text(cap) if name.endswith("bytes") else f"{cap:g}"
    ways = [f"{keyword}=..."] if keyword else []
    ways += [f"muspy_like.limits.configure({name}=...)", f"the environment variable {ENVIRONMENT[name]}"]
    return f"{what}: {found} exceeds the {name} cap of {unit}; if the file is genuine, raise the cap with {', '.join(ways)}"


def check(
    name: str,
    value: float,
    what: str,
    *,
    error: type[Exception] = SizeLimitError,
    keyword: Optional[str] = None,
    cap: Optional[float] = None,
) -> None:
    """Raise ``error`` if ``value`` exceeds the cap ``name``.

    Parameters
    ----------
    name : str
        A field of :class:`SizeLimits`.
    value : float
        The measured size (bytes, or levels for ``document_depth``).
    what : str
        The file (and place) the value belongs to, for the message: the user's path, never a temporary one.
    error : type
        Exception class to raise (:class:`~muspy_like.errors.SizeLimitError` or a reader's own error).
    keyword : str, optional
        The keyword of the calling function that sets this cap, named in the message.
    cap : float, optional
        The bound to apply (default: ``current()``'s).
    """
    bound = getattr(current(), name) if cap is None else cap
    if value > bound:
        found = _bytes_text(value) if name.endswith("bytes") else f"a {name.split('_')[-1]} of {value:g}"
        raise error(_message(name, what, found, bound, keyword))


def read_bounded(
    stream: IO[bytes],
    name: str,
    what: str,
    *,
    error: type[Exception] = SizeLimitError,
    keyword: Optional[str] = None,
    cap: Optional[int] = None,
) -> bytes:
    """Read a whole stream, but never more than the cap ``name`` plus one byte (then raise ``error``).

    The allocation is bounded by the cap, whatever the stream would expand to, so a decompression bomb
    costs at most the cap in memory before it is refused.
    """
    bound = int(getattr(current(), name) if cap is None else cap)
    data = stream.read(bound + 1)
    if len(data) > bound:
        raise error(_message(name, what, "the decompressed data", bound, keyword))
    return data


def archive_cap(archive_bytes: int, published_bytes: Optional[int] = None) -> int:
    """The most bytes an archive may extract to: the published extracted size times ``archive_margin``
    when the catalog gives one, otherwise the archive's own size times ``archive_ratio``."""
    limits = current()
    if published_bytes is not None:
        return int(published_bytes * limits.archive_margin)
    return int(max(archive_bytes, 1) * limits.archive_ratio)
