"""Run and sweep folders: writing, reading, headline summaries and DuckDB views."""

from sim.results.read import read_run, read_table
from sim.results.summary import summarize
from sim.results.sweeps import open_sweep
from sim.results.write import tables, write_run

__all__ = ["open_sweep", "read_run", "read_table", "summarize", "tables", "write_run"]
