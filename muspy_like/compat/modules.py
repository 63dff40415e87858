"""Lazy modules for MusPy's module paths (``muspy.inputs.midi``, ``muspy.outputs.event``...).

Each submodule is a module object registered in ``sys.modules`` under its full name, whose attributes
are resolved from the top level of ``muspy_like`` on first access, so importing a module path loads no
heavy library until a name is used.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Callable

__all__ = ["LazyModule", "install_submodules", "lazy_getattr"]


def _resolve(name: str) -> Any:
    import muspy_like

    return getattr(muspy_like, name)


class LazyModule(types.ModuleType):
    """A module whose listed names come from ``muspy_like``'s top level when first used."""

    def __init__(self, name: str, names: tuple[str, ...]) -> None:
        super().__init__(name, f"MusPy's module path {name.partition('.')[2] or name}: {', '.join(names)}.")
        self.__all__ = list(names)

    def __getattr__(self, name: str) -> Any:
        if name not in self.__all__:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = _resolve(name)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.__all__))


def install_submodules(package_name: str, submodules: dict[str, tuple[str, ...]]) -> None:
    """Register one :class:`LazyModule` per submodule under ``package_name`` (and as its attributes)."""
    package = sys.modules[package_name]
    for sub, names in submodules.items():
        module = LazyModule(f"{package_name}.{sub}", names)
        sys.modules[module.__name__] = module
        setattr(package, sub, module)


def lazy_getattr(module_name: str, names: tuple[str, ...]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` giving ``names`` from ``muspy_like``'s top level."""
    allowed = frozenset(names)

    def __getattr__(name: str) -> Any:
        if name not in allowed:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = _resolve(name)
        setattr(sys.modules[module_name], name, value)
        return value

    return __getattr__
