"""Self-contained HTML reports of runs and sweeps."""

from sim.report.html import write_report

__all__ = ["write_report"]
