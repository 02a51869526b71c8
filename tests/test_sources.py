"""Every source label the project cites is defined in docs/sources.md, inside the repository."""

import io
import re
import tokenize
from pathlib import Path

from labels import defined_labels

ROOT = Path(__file__).resolve().parents[1]
LABEL = re.compile(r"(?<![\w\]])\[((?:[A-Z][A-Za-z'\-]+(?: \d{4})?)|(?:facts §\d))\](?!\()")


def _prose(path: Path) -> str:
    """The text a reader sees: a Python file's strings and comments, other files whole."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return text
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return "\n".join(t.string for t in tokens if t.type in (tokenize.STRING, tokenize.COMMENT))


def _cited() -> dict[str, set[str]]:
    files = [*ROOT.glob("sim/**/*.py"), *ROOT.glob("sim/**/*.yaml"), *ROOT.glob("docs/*.md")]
    files += [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("experiments/*.yaml"), ROOT / "README.md"]
    out: dict[str, set[str]] = {}
    for f in files:
        if f.name == "sources.md":
            continue
        for m in LABEL.finditer(_prose(f)):
            out.setdefault(f"[{m.group(1)}]", set()).add(str(f.relative_to(ROOT)))
    return out


def test_every_cited_label_is_defined():
    cited = _cited()
    assert "[Kening]" in cited and "[facts §4]" in cited  # the scan sees real citations
    unknown = {k: sorted(v) for k, v in cited.items() if k not in defined_labels()}
    assert not unknown, f"labels not defined in docs/sources.md: {unknown}"


def test_nothing_points_outside_the_repository():
    bad = []
    for f in [*ROOT.glob("sim/**/*.py"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]:
        text = f.read_text(encoding="utf-8")
        if "facts.md" in text or "../shared" in text or "shared/" in text:
            bad.append(str(f.relative_to(ROOT)))
    assert not bad, f"cite docs/sources.md instead of files outside the repository: {bad}"
