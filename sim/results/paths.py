"""Output paths that never lose data: folder names, writability checks, protected files.

A command writes only (a) a new folder, (b) a run folder of sim's that the user names with
``--force``, or (c) a file it creates; it never deletes or overwrites what it did not write.
Every check here runs *before* any simulation, so a bad path costs nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from sim.messages import Msg
from sim.scenario.loading import InputError

RESULTS = Path("results")
NAME_MAX = 80
RUN_MARKERS = ("manifest.json", "summary.json")
RUN_FILE_RE = re.compile(r"^[a-z_]+\.parquet$|^summary\.json$|^manifest\.json$")
SWEEP_FILES = {
    "sweep.json",
    "points.parquet",
    "seeds.parquet",
    "report.csv",
    "report.parquet",
    "sensitivity.csv",
    ".lock",
}
# mkdtemp(prefix=".NAME.") adds 8 characters from [a-z0-9_].
TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}$")
_UNSAFE = set('/\\:*?"<>|')
# Wall-clock start of this process: temp folders older than it belong to an earlier run.
STARTED = time.time()


class DamagedFile(ValueError):
    """A results file that cannot be read (corrupt parquet or JSON); the message names it."""


def safe_name(name: str, limit: int = NAME_MAX) -> str:
    """A file-name-safe form of a scenario name (any script, e.g. Chinese, is kept).

    Path separators, ``..``, NUL and other control characters are replaced; the result is
    capped at ``limit`` characters and never empty, hidden or a relative path.
    """
    text = unicodedata.normalize("NFC", str(name))
    chars = [
        "_" if ch in _UNSAFE or unicodedata.category(ch).startswith(("C", "Z")) else ch
        for ch in text
    ]
    out = re.sub(r"\.{2,}", "_", "".join(chars)).strip("._ -")
    out = re.sub(r"_+", "_", out)[:limit].strip("._ -")
    return out or "scenario"


def default_run_folder(name: str, seed: int, stamp: str) -> Path:
    """``results/NAME-sSEED-STAMP`` with a sanitised name: always inside ``results/``."""
    return RESULTS / f"{safe_name(name)}-s{seed}-{safe_name(stamp, 40)}"


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a run folder sim wrote (it holds manifest.json and summary.json)."""
    return path.is_dir() and all((path / m).is_file() for m in RUN_MARKERS)


def is_replaceable_run(path: Path) -> bool:
    """A run folder, or one whose replacement was interrupted (only files sim writes there)."""
    if is_run_folder(path):
        return True
    files = list(path.iterdir()) if path.is_dir() else []
    return (
        bool(files)
        and (path / "manifest.json").is_file()
        and all(f.is_file() and RUN_FILE_RE.match(f.name) for f in files)
    )


def is_sweep_folder(path: Path) -> bool:
    """Whether ``path`` is a sweep folder (it holds sweep.json)."""
    return path.is_dir() and (path / "sweep.json").is_file()


def _existing_ancestor(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_creatable(path: Path, option: str, shown: Path | None = None) -> None:
    """Check that ``path``'s folder exists or can be made, and that files can be written there.

    Raises:
        InputError: naming the option and the fix.
    """
    base = _existing_ancestor(path.parent if path.parent != Path("") else Path("."))
    shown = path if shown is None else shown
    if not base.is_dir():
        raise InputError(Msg("path_parent_not_folder", option=option, shown=shown, base=base))
    try:
        fd, probe = tempfile.mkstemp(prefix=".sim-write-check.", dir=base)
    except OSError as exc:
        raise InputError(
            Msg(
                "path_cannot_write",
                option=option,
                shown=shown,
                base=base,
                reason=exc.strerror or exc,
            )
        ) from None
    os.close(fd)
    os.unlink(probe)


def check_run_out(out: Path, force: bool) -> None:
    """Check a run's ``--out`` folder before the simulation starts.

    Allowed: a path that does not exist, an empty folder, or (with ``--force``) a run folder of
    sim's. Anything else would lose data and is refused.

    Raises:
        InputError: with the reason and the fix.
    """
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise InputError(Msg("out_not_folder", out=out))
        if is_replaceable_run(out):
            if not force:
                raise InputError(Msg("out_earlier_run", out=out))
        elif any(out.iterdir()):
            raise InputError(Msg("out_not_run_folder", out=out))
    check_creatable(out / "x", "--out", out)


def protected_reason(target: Path) -> Msg | None:
    """Why ``target`` must not be written by a report (it is a run's or sweep's own file)."""
    t = target.absolute()
    for depth, folder in enumerate(t.parents):
        if depth > 3:
            break
        rel = t.relative_to(folder)
        if is_run_folder(folder) and depth == 0 and RUN_FILE_RE.match(t.name):
            return Msg("protected_run_file", folder=folder, name=t.name)
        if is_sweep_folder(folder) and (
            rel.parts[0] == "runs" or t.name in SWEEP_FILES or t.suffix == ".parquet"
        ):
            return Msg("protected_sweep_file", folder=folder)
    return None


def check_output_file(target: Path, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Check a file a command is about to write, before any work starts.

    It must not be a folder, a run's or sweep's own file, or an existing file of another kind,
    and its folder must be writable.

    Raises:
        InputError: naming the option and the fix.
    """
    if target.is_dir():
        raise InputError(Msg("file_is_folder", option=option, target=target))
    why = protected_reason(target)
    if why:
        raise InputError(Msg("file_protected", option=option, target=target, why=why))
    if target.exists() and suffixes and target.suffix.lower() not in suffixes:
        raise InputError(
            Msg("file_wrong_kind", option=option, target=target, kinds="/".join(suffixes))
        )
    if target.exists() and not target.is_file():
        raise InputError(Msg("file_not_regular", option=option, target=target))
    check_creatable(target, option)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a hidden temporary name beside ``path``, then rename it in.

    A reader never sees half a file; a failed write removes its own temporary, and a killed
    writer leaves only its ``.NAME.PID.tmp`` (which sweeps and runs clear on their next start).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically (see :func:`write_atomic`)."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def clean_stale_temps(parent: Path) -> list[Path]:
    """Remove hidden temporary run folders (``.NAME.xxxxxxxx``) left by a killed run.

    Only folders that match sim's own temp pattern, were last changed before this process
    started, and hold nothing but files sim writes into a run folder are removed.

    Returns:
        The folders removed.
    """
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for d in parent.iterdir():
        try:
            if not (TEMP_RE.match(d.name) and d.is_dir() and not d.is_symlink()):
                continue
            if d.stat().st_mtime >= STARTED:
                continue
            files = list(d.iterdir())
            if not all(f.is_file() and RUN_FILE_RE.match(f.name) for f in files):
                continue
            for f in files:
                f.unlink()
            d.rmdir()
            removed.append(d)
        except OSError:
            continue
    return removed
