"""Messages for errors that reach the command line's top-level handler (one sentence each)."""

from __future__ import annotations

from sim.results.paths import DamagedFile
from sim.scenario.loading import InputError


def error_message(exc: BaseException) -> str:
    """One sentence for an error that reached the top: what failed, on which file, the fix."""
    if isinstance(exc, InputError | DamagedFile):
        return str(exc)
    if isinstance(exc, MemoryError):
        return (
            "out of memory; use a smaller scenario or sweep (fewer households, days, runs) "
            "or fewer --workers"
        )
    if isinstance(exc, OSError):
        name = exc.filename or ""
        where = f"{name}: " if name else ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{where}{reason}; check the path, its permissions and the free disk space"
    kind = type(exc).__name__
    module = type(exc).__module__ or ""
    if module.startswith(("pyarrow", "duckdb")) or isinstance(exc, ValueError | KeyError):
        return (
            f"could not read the input or results ({kind}: {exc}); the file may be damaged "
            "or not made by sim: re-create it, or check the option values"
        )
    if isinstance(exc, OverflowError | ArithmeticError):
        return f"a value is out of range ({kind}: {exc}); use smaller numbers in the scenario"
    return (
        f"unexpected error ({kind}: {exc}); check the inputs, and report it with the command "
        "if they look right (set SIM_DEBUG=1 for details)"
    )
