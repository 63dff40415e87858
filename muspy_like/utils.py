"""MusPy's module path ``muspy.utils`` (music-theory tables); see :mod:`muspy_like.compat.utils`."""

from muspy_like.compat.utils import *  # noqa: F401,F403
from muspy_like.compat.utils import __all__  # noqa: F401
