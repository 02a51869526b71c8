"""The source tree's git commit, for a run's manifest, read from the repository's own files.

Reading ``.git/HEAD`` and the ref it names (loose or packed) costs well under a millisecond;
starting ``git rev-parse HEAD`` costs a process (several milliseconds of a ``sim run``). What
the files cannot answer (another ref storage, ``GIT_DIR`` set, a damaged file) is asked of
``git`` as before.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")  # SHA-1 or SHA-256 object names
MAX_SYMREF_DEPTH = 5  # HEAD -> refs/heads/x -> ... (git itself allows 5)


def git_commit(start: Path | None = None) -> str | None:
    """The commit checked out in the git work tree holding ``start`` (default: this package).

    Returns:
        The full object name, or None when ``start`` is not inside a git checkout.
    """
    start = Path(__file__).parent if start is None else start
    if "GIT_DIR" not in os.environ:
        try:
            found = read_head(start)
        except (OSError, UnicodeDecodeError, ValueError):
            found = None
        if found is not None:
            return found
    return rev_parse_head(start)


def rev_parse_head(start: Path) -> str | None:
    """``git rev-parse HEAD`` run in ``start`` (None if git is missing or it is no checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=start, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def find_git_dir(start: Path) -> Path | None:
    """The git directory of the work tree holding ``start`` (``.git``, or a worktree's)."""
    for folder in (start.resolve(), *start.resolve().parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a linked worktree or submodule: "gitdir: PATH"
            text = dot_git.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                raise ValueError(f"{dot_git}: not a gitdir file")
            target = Path(text.removeprefix("gitdir:").strip())
            return target if target.is_absolute() else (folder / target).resolve()
    return None


def read_head(start: Path) -> str | None:
    """HEAD's commit read from the files of the git directory holding ``start``.

    Returns:
        The commit, or None when there is no git directory or the files do not say it
        (reftable storage, an unborn branch): the caller then asks git.
    """
    git_dir = find_git_dir(start)
    if git_dir is None:
        return None
    common = git_dir
    if (git_dir / "commondir").is_file():  # a linked worktree shares refs with its main tree
        rel = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        common = (git_dir / rel).resolve()
    if (common / "reftable").exists():  # refs in binary tables: git reads them
        return None
    value = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    for _ in range(MAX_SYMREF_DEPTH):
        if not value.startswith("ref:"):
            return value if _SHA.fullmatch(value) else None
        value = _read_ref(value.removeprefix("ref:").strip(), git_dir, common)
        if value is None:
            return None
    return None


def _read_ref(ref: str, git_dir: Path, common: Path) -> str | None:
    """The content of ``ref``: a loose ref file, else its line in ``packed-refs``."""
    if not ref.startswith("refs/") or ".." in ref.split("/"):
        return None
    for folder in dict.fromkeys((git_dir, common)):  # per-worktree refs first
        loose = folder / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            if line and line[0] not in "#^":
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    return sha
    return None
