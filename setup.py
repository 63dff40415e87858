"""Builds the optional compiled MIDI decoder; everything else about the package is in ``setup.cfg``.

The extension is optional: where Cython, a C compiler or the Python headers are missing, the build prints
a warning (pip shows it with ``-v``) and goes on, and ``muspy_like.io.midi`` reads with its numpy decoder
instead, with the same results (``docs/io-midi-native.md``). Setuptools' own ``Extension(optional=True)`` is not enough: an
editable install (``pip install -e .``, the README's command) fails on a compiler error all the same, so
the build step below catches every failure itself.
"""

import hashlib
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DECODER_SOURCE = "muspy_like/io/midi/_cdecoder.pyx"
HERE = Path(__file__).resolve().parent


def source_hash(path: str) -> str:
    """The hash that ``muspy_like.io.midi.compiled`` compares with the source beside the built module."""
    return hashlib.sha256(HERE.joinpath(path).read_bytes()).hexdigest()[:16]


class OptionalBuildExt(build_ext):
    """``build_ext`` that lets any failure (no Cython, no compiler, no headers) pass with a warning."""

    def finalize_options(self) -> None:
        try:
            from Cython.Build import cythonize

            modules = cythonize(self.distribution.ext_modules, compiler_directives={"language_level": 3}, quiet=True)
        except Exception as error:  # noqa: BLE001 - no Cython (a build without isolation), or a broken one
            self._skip(error)
            modules = []
        self.distribution.ext_modules = modules
        super().finalize_options()

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001 - no compiler or no Python headers
            self._skip(error)
            # forgotten, so that the later steps (an editable install's copy and output list) skip it
            self.extensions = [other for other in self.extensions if other is not ext]

    @staticmethod
    def _skip(error: Exception) -> None:
        print(f"WARNING: the compiled MIDI decoder was not built ({type(error).__name__}: {error}); muspy_like "
              "reads MIDI files with its numpy decoder instead (same results, slower). A C compiler and the "
              "Python headers (Debian: gcc python3-dev) let the next install build it.", file=sys.stderr)


decoder = Extension("muspy_like.io.midi._cdecoder", [DECODER_SOURCE],
                    define_macros=[("MUSPY_LIKE_SOURCE_HASH", f'"{source_hash(DECODER_SOURCE)}"')])
setup(ext_modules=[decoder], cmdclass={"build_ext": OptionalBuildExt})
