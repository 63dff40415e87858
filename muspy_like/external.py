"""MusPy's module path ``muspy.external`` (sound font and font downloads); see :mod:`muspy_like.compat.external`."""

from muspy_like.compat.external import *  # noqa: F401,F403
from muspy_like.compat.external import __all__  # noqa: F401
