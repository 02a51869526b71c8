"""Data files shipped inside the package (label catalogue, messages, help texts, meanings).

Imports nothing from ``sim``, so every layer may use it; PyYAML is imported on first use.

The YAML stays the single source. Its parsed data is kept in the user's cache folder
(``$XDG_CACHE_HOME/sim`` or ``~/.cache/sim``) as a ``marshal`` file named by the SHA-256 of
the YAML's bytes, so an edited file is never read from the cache (a different hash names a
different file). Parsing the label catalogue takes ~20 ms with libyaml; reading its cached
copy ~1 ms, and every command reads it. Any problem with the cache (unwritable folder,
damaged file, data ``marshal`` cannot hold) falls back to parsing.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1  # bump when the cached layout changes
KEEP_PER_FILE = 8  # cached versions kept per data file (older ones are removed when writing)


def cache_dir() -> Path | None:
    """The folder of sim's parsed-data cache: ``$XDG_CACHE_HOME/sim`` or ``~/.cache/sim``.

    A relative ``XDG_CACHE_HOME`` is ignored (as the XDG specification says); None (no cache)
    when the home folder is unknown too, so nothing is ever written relative to the working
    folder.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        base = os.path.join(home, ".cache") if os.path.isabs(home) else ""
    return Path(base) / "sim" / "packaged" if base else None


def cache_path(package: str, name: str, raw: bytes) -> Path | None:
    """Where the parsed data of ``raw`` (the bytes of ``package``'s ``name``) is cached."""
    folder = cache_dir()
    if folder is None:
        return None
    import hashlib  # ~2 ms: not for commands that read no data file (``sim --help``)

    digest = hashlib.sha256(raw).hexdigest()[:32]
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    stem = f"{package}.{name}".replace("/", ".")
    return folder / f"{stem}.{digest}.{python}.v{CACHE_FORMAT}.marshal"


def parse_yaml(raw: bytes) -> Any:
    """Parse YAML bytes (safe loading, no custom tags; libyaml's loader when available).

    libyaml's safe loader gives the same data as ``yaml.safe_load``, about ten times faster.
    """
    import yaml

    text = raw.decode("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def load_yaml(package: str, name: str) -> Any:
    """The data of the YAML file ``name`` shipped in ``package``: cached, else parsed.

    Returns:
        The same data as parsing the file (see the module docstring for the cache).
    """
    raw = resources.files(package).joinpath(name).read_bytes()
    path = cache_path(package, name, raw)
    if path is None:
        return parse_yaml(raw)
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass  # not cached yet, or unreadable: parse
    data = parse_yaml(raw)
    _store(path, data)
    return data


def _store(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically; silently nothing if it cannot be written."""
    import tempfile

    try:
        blob = marshal.dumps(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path)
    except (OSError, ValueError):
        return


def _prune(path: Path) -> None:
    """Remove old cached versions of ``path``'s data file (files this module wrote).

    ``path`` and the newest others are kept, :data:`KEEP_PER_FILE` in all.
    """
    parts = path.name.split(".")
    prefix = ".".join(parts[:-4]) + "."  # without digest, python, format and suffix
    others = [
        p
        for p in path.parent.glob(prefix + "*.marshal")
        if p != path and len(p.name.split(".")) == len(parts)
    ]
    if len(others) < KEEP_PER_FILE:
        return
    others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in others[KEEP_PER_FILE - 1 :]:
        old.unlink(missing_ok=True)
