"""Run and sweep folders: writing, reading, headline summaries and DuckDB views.

The names below are loaded on first use (module ``__getattr__``), so importing one submodule,
say :mod:`sim.results.write`, does not pull in DuckDB through :mod:`sim.results.sweeps`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.results.read import read_run, read_table
    from sim.results.summary import summarize
    from sim.results.sweeps import open_sweep
    from sim.results.write import tables, write_run

_EXPORTS = {
    "open_sweep": "sim.results.sweeps",
    "read_run": "sim.results.read",
    "read_table": "sim.results.read",
    "summarize": "sim.results.summary",
    "tables": "sim.results.write",
    "write_run": "sim.results.write",
}
__all__ = ["open_sweep", "read_run", "read_table", "summarize", "tables", "write_run"]


def __getattr__(name: str) -> Any:
    """Import an exported name from its submodule on first access."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
