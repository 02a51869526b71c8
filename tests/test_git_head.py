"""The manifest's git commit read from the repository's files equals ``git rev-parse HEAD``."""

import subprocess
from pathlib import Path

import pytest

from sim.results import git_head

SIM_DIR = Path(git_head.__file__).parent


def _git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("one")
    _git(root, "add", "a.txt")
    _git(root, "commit", "-q", "-m", "one")
    (root / "sub").mkdir()
    return root


def test_this_checkout():
    expected = git_head.rev_parse_head(SIM_DIR)
    assert git_head.git_commit() == expected
    if expected is not None:  # a checkout (as in development and CI): read without git
        assert git_head.read_head(SIM_DIR) == expected


def test_loose_packed_detached_and_worktree(repo, tmp_path):
    sub = repo / "sub"
    first = _git(repo, "rev-parse", "HEAD")
    assert git_head.read_head(sub) == first  # loose ref, from a subfolder
    _git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert git_head.read_head(sub) == first  # packed-refs
    (repo / "a.txt").write_text("two")
    _git(repo, "commit", "-q", "-am", "two")
    second = _git(repo, "rev-parse", "HEAD")
    assert second != first
    assert git_head.read_head(repo) == second  # a loose ref newer than its packed line
    _git(repo, "checkout", "-q", "--detach", first)
    assert git_head.read_head(repo) == first  # detached HEAD
    other = tmp_path / "other"
    _git(repo, "worktree", "add", "-q", "-b", "side", str(other), "main")
    assert (other / ".git").is_file()
    assert git_head.read_head(other) == second == git_head.rev_parse_head(other)


def test_unborn_branch_and_no_repository(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _git(empty, "init", "-q")
    assert git_head.read_head(empty) is None  # no commit yet: git says the same
    assert git_head.git_commit(empty) is None
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git_head.read_head(plain) is None  # no .git in it or above it
    assert git_head.git_commit(plain) is None
