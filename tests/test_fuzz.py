"""Fuzzing the inputs (hypothesis): mutated scenarios and sweep specs are accepted or refused
with a message (InputError / exit 2), never a traceback, a hang or a file outside the output.

Mutations: wrong types, out-of-range and non-finite numbers, huge and negative counts, deleted
and unknown keys, deep nesting, control characters and Chinese text, other encodings, YAML
aliases (a billion-laughs prefix), duplicate keys and truncated text.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiments.spec import load_spec
from sim.scenario import InputError, Scenario, load_scenario, scenario_dict

BASE_SCENARIO = scenario_dict(load_scenario())
BASE_SPEC = {
    "name": "fuzz",
    "days": 5,
    "replicates": 2,
    "design": "grid",
    "parameters": {
        "party.density": {"values": [0.0, 0.1]},
        "meetings.council_per_month": {"values": [0, 4]},
    },
    "metrics": ["disputes.share_of_all.resolved"],
}
LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '1, 2, 3, 4, 5, 6, 7, 8, 9'}]\n"
    for i in range(8)
)
SETTINGS = dict(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 10**9, 2**63, 36501, 2_000_001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "../../x", "/etc/passwd", "长沟新村", "x" * 300, "2024-02-30"]),
)
value = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _mutate(data, base):
    """Change one place of a copy of ``base``: replace, delete, add a key, or nest deeply."""
    doc = yaml.safe_load(yaml.safe_dump(base, allow_unicode=True))
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    kind = data.draw(st.sampled_from(["replace", "replace", "delete", "add", "deep"]))
    if kind == "replace":
        parent[path[-1]] = data.draw(value)
    elif kind == "delete":
        del parent[path[-1]]
    elif kind == "add":
        target = parent if isinstance(parent, dict) else doc
        target[data.draw(st.text(min_size=1, max_size=8))] = data.draw(value)
    else:
        nested = data.draw(value)
        for _ in range(data.draw(st.integers(20, 400))):
            nested = [nested]
        parent[path[-1]] = nested
    return doc


def _text(data, doc) -> bytes:
    """YAML of ``doc``, perhaps damaged at the text level, in some encoding."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    damage = data.draw(
        st.sampled_from(["none", "none", "duplicate", "aliases", "truncate", "encoding", "tab"])
    )
    if damage == "duplicate":
        first = text.splitlines()[0] if text.strip() else "days: 1"
        text = text + first + "\n"
    elif damage == "aliases":
        text = LAUGHS + text
    elif damage == "truncate":
        text = text[: data.draw(st.integers(0, max(0, len(text) - 1)))]
    elif damage == "tab":
        text = text.replace("  ", "\t", 1)
    if damage == "encoding":
        return text.encode(
            data.draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig"])), "replace"
        )
    return text.encode("utf-8")


@settings(max_examples=30, **SETTINGS)
@given(st.data())
def test_mutated_scenarios_validate_or_give_a_message(data):
    raw = _text(data, _mutate(data, BASE_SCENARIO))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_bytes(raw)
        try:
            sc = load_scenario(path)
        except InputError as exc:
            assert str(exc).startswith(str(path))
        else:
            assert isinstance(sc, Scenario) and sc.total_households() <= 2_000_000


@settings(max_examples=25, **SETTINGS)
@given(st.data())
def test_mutated_sweep_specs_validate_or_give_a_message(data):
    raw = _text(data, _mutate(data, BASE_SPEC))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(raw)
        try:
            load_spec(path)
        except InputError as exc:
            assert str(exc)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@settings(max_examples=8, **SETTINGS)
@given(st.data())
def test_cli_on_mutated_inputs_exits_0_or_2_and_writes_only_its_output(data):
    is_spec = data.draw(st.booleans())
    raw = _text(data, _mutate(data, BASE_SPEC if is_spec else BASE_SCENARIO))
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "in.yaml").write_bytes(raw)
        before = _files(cwd)
        if is_spec:
            args = ["sweep", "in.yaml", "--out", "out", "--workers", "1", "--max-runs", "4"]
        else:
            try:
                small = load_scenario(cwd / "in.yaml").total_households() <= 5000
            except InputError:
                small = True  # refused before anything runs
            args = ["run", "in.yaml", "--days", "2", "--out", "out"] if small else None
            args = args or ["scenario", "check", "in.yaml"]
        r = subprocess.run(
            [sys.executable, "-m", "sim", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode in (0, 2), r.stdout + r.stderr
        assert "Traceback" not in r.stdout + r.stderr
        new = _files(cwd) - before
        assert all(p == cwd / "out" or cwd / "out" in p.parents for p in new), new
