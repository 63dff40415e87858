"""MusPy's module path ``muspy.schemas`` (schema paths and validation); see :mod:`muspy_like.compat.schemas`."""

from muspy_like.compat.schemas import *  # noqa: F401,F403
from muspy_like.compat.schemas import __all__  # noqa: F401
