"""Optional libraries, the extras that install them, and the one way to import them.

The core install (``pip install muspy_like``) reads and writes MIDI, MusicXML, MuseScore and the native
JSON/YAML format, converts to and from mido, computes metrics and representations and manages datasets.
Every other area needs an extra (``pip install "muspy_like[audio]"``; ``docs/design.md`` says why each
library is there). Code that needs an optional library imports it through :func:`require`, inside the
function that uses it, so that a missing extra raises :class:`~muspy_like.errors.MissingExtraError` with
the pip line instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from muspy_like.errors import MissingExtraError

__all__ = ["EXTRAS", "require", "require_extra", "install_line", "missing_modules"]

#: Extra -> the top-level modules it provides (the tests skip by these; ``pyproject.toml`` installs them).
EXTRAS: dict[str, tuple[str, ...]] = {
    "music21": ("music21",),
    "interop": ("music21", "pretty_midi", "miditoolkit", "pypianoroll", "symusic"),
    "separation": ("sklearn", "scipy", "threadpoolctl"),
    "audio": ("soundfile", "scipy", "fluidsynth", "jinja2"),
    "stats": ("matplotlib", "jinja2", "pandas", "pyarrow"),
    "ml": ("torch",),
    "dask": ("dask", "distributed"),
    "jsonschema": ("jsonschema",),
}
#: README's first command: what ``muspy-like quickstart`` (the main job) needs.
EXTRAS["quickstart"] = tuple(dict.fromkeys(EXTRAS["music21"] + EXTRAS["separation"] + EXTRAS["audio"] + EXTRAS["stats"]))

#: Module -> the distribution pip installs it from, where the two names differ.
_DISTRIBUTIONS = {"sklearn": "scikit-learn", "fluidsynth": "pyfluidsynth", "yaml": "pyyaml"}


def install_line(extra: str) -> str:
    """The pip command that installs ``extra``, e.g. ``pip install "muspy_like[audio]"``."""
    return f'pip install "muspy_like[{extra}]"'


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import an optional module, or say which extra installs it.

    Parameters
    ----------
    module : str
        The module to import, possibly dotted (``"scipy.signal"``).
    extra : str
        The extra of :data:`EXTRAS` that installs it.
    feature : str
        What needs it, in the user's words, for the message (``"resampling"``).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingExtraError
        If the library (the top-level package of ``module``) is not installed. A library that is
        installed but fails to import for another reason raises its own error unchanged.

    Examples
    --------
    >>> signal = require("scipy.signal", "audio", "resampling")  # doctest: +SKIP
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        top = module.partition(".")[0]
        if error.name != top:
            raise
        library = _DISTRIBUTIONS.get(top, top)
        message = (
            f"{feature} needs {library}, which is not installed (the {extra!r} extra); "
            f"install it with: {install_line(extra)}"
        )
        raise MissingExtraError(message, module=top, extra=extra, feature=feature) from error


def require_extra(extra: str, feature: str) -> None:
    """Check up front that a whole extra is installed, before a long job that needs all of it starts.

    Raises
    ------
    MissingExtraError
        Naming every module of ``extra`` that is missing and the pip line.
    """
    missing = missing_modules(extra)
    if missing:
        libraries = ", ".join(_DISTRIBUTIONS.get(module, module) for module in missing)
        message = f"{feature} needs {libraries}, not installed (the {extra!r} extra); install it with: {install_line(extra)}"
        raise MissingExtraError(message, module=missing[0], extra=extra, feature=feature)


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be found (empty when the extra is installed); imports nothing."""
    return [module for module in EXTRAS[extra] if not _installed(module)]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a finder that refuses the name (or a missing parent package)
        return False
