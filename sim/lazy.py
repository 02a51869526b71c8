"""Lazy re-exports for packages: a name is imported from its submodule on first access.

A package that re-exports heavy names (pydantic models, Mesa, DuckDB) sets
``__getattr__, __dir__ = lazy.exports(__name__, {...})`` so that importing one light
submodule, or running ``sim --help``, does not import them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def exports(
    package: str, names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for a package's lazily imported names.

    Args:
        package: the package's ``__name__``.
        names: exported name -> the submodule that defines it.

    Returns:
        The two functions to assign to the package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        sys.modules[package].__dict__[name] = value  # later accesses skip this function
        return value

    def __dir__() -> list[str]:
        return sorted([*sys.modules[package].__dict__, *names])

    return __getattr__, __dir__
