"""MusPy's module path ``muspy.outputs`` (writers and converters from a Music), for code ported from MusPy.

Every name here is muspy_like's top-level function of the same name (see ``docs/migration.md``); the
submodules (``outputs.midi``, ``outputs.json``...) hold the names MusPy keeps there. muspy_like's own modules are
:mod:`muspy_like.io`, :mod:`muspy_like.interop` and :mod:`muspy_like.representations`.
"""

from muspy_like.compat.modules import install_submodules, lazy_getattr
from muspy_like.compat.names import SUBMODULES

__all__ = sorted({name for names in SUBMODULES["outputs"].values() for name in names})

install_submodules(__name__, SUBMODULES["outputs"])
__getattr__ = lazy_getattr(__name__, tuple(__all__))
