"""Data files shipped inside the package (label catalogue, messages, help texts, meanings).

Imports nothing from ``sim``, so every layer may use it; PyYAML is imported on first use.
"""

from __future__ import annotations

from importlib import resources
from typing import Any


def load_yaml(package: str, name: str) -> Any:
    """Parse the YAML file ``name`` shipped in ``package`` (safe loading, no custom tags).

    libyaml's safe loader when PyYAML has it: the same data as ``yaml.safe_load``, about ten
    times faster, which counts for files every command reads.
    """
    import yaml

    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
