"""Run and sweep folders: writing, reading, headline summaries and DuckDB views.

The names below are loaded on first use (module ``__getattr__``), so importing one submodule,
say :mod:`sim.results.write`, does not pull in DuckDB through :mod:`sim.results.sweeps`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import lazy

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


__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
