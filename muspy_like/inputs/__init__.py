"""MusPy's module path ``muspy.inputs`` (readers and converters into a Music), for code ported from MusPy.

Every name here is muspy_like's top-level function of the same name (see ``docs/migration.md``); the
submodules (``inputs.midi``, ``inputs.json``...) hold the names MusPy keeps there. muspy_like's own modules are
:mod:`muspy_like.io`, :mod:`muspy_like.interop` and :mod:`muspy_like.representations`.
"""

from muspy_like.compat.modules import install_submodules, lazy_getattr
from muspy_like.compat.names import SUBMODULES

__all__ = sorted({name for names in SUBMODULES["inputs"].values() for name in names})

install_submodules(__name__, SUBMODULES["inputs"])
__getattr__ = lazy_getattr(__name__, tuple(__all__))
