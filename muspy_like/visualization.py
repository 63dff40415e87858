"""MusPy's module path ``muspy.visualization`` (piano-roll plots); see :mod:`muspy_like.compat.visualization`."""

from muspy_like.compat.visualization import *  # noqa: F401,F403
from muspy_like.compat.visualization import __all__  # noqa: F401
