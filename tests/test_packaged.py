"""The package's own YAML data: parsed once, then read from the user's cache, never stale."""

import marshal
import sys

import pytest

from sim import packaged


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def data_package(tmp_path, monkeypatch):
    """A throwaway package ``simtestdata`` holding ``table.yaml``, importable for the test."""
    pkg = tmp_path / "src" / "simtestdata"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "table.yaml").write_text("a: 1\nb: [x, y]\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    yield pkg
    sys.modules.pop("simtestdata", None)


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("sim.results", "catalog.yaml"),
        ("sim", "messages.yaml"),
        ("sim.cli", "help_zh.yaml"),
        ("sim.scenario", "data/params_zh.yaml"),
    ],
)
def test_cached_data_equals_parsed_data(cache_home, package, name):
    from importlib import resources

    raw = resources.files(package).joinpath(name).read_bytes()
    parsed = packaged.parse_yaml(raw)
    first = packaged.load_yaml(package, name)  # parses and writes the cache
    assert packaged.cache_path(package, name, raw).is_file()
    second = packaged.load_yaml(package, name)  # reads it
    assert first == parsed
    assert second == parsed


def test_cache_is_read_and_keyed_by_content(cache_home, data_package):
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": 1, "b": ["x", "y"]}
    raw = (data_package / "table.yaml").read_bytes()
    path = packaged.cache_path("simtestdata", "table.yaml", raw)
    path.write_bytes(marshal.dumps({"from": "cache"}))
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"from": "cache"}
    (data_package / "table.yaml").write_text("a: 2\n", encoding="utf-8")  # edited: reparsed
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": 2}


def test_unwritable_cache_folder_still_parses(tmp_path, monkeypatch, data_package):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": 1, "b": ["x", "y"]}
    assert blocker.is_file()


def test_damaged_cache_file_is_parsed_again(cache_home, data_package):
    raw = (data_package / "table.yaml").read_bytes()
    path = packaged.cache_path("simtestdata", "table.yaml", raw)
    path.parent.mkdir(parents=True)
    path.write_bytes(marshal.dumps({"a": 1, "b": ["x", "y"]})[:-3])  # cut short
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": 1, "b": ["x", "y"]}
    assert marshal.loads(path.read_bytes()) == {"a": 1, "b": ["x", "y"]}  # rewritten whole


def test_data_marshal_cannot_hold_is_parsed_every_time(cache_home, data_package):
    (data_package / "table.yaml").write_text("day: 2024-01-01\n", encoding="utf-8")
    data = packaged.load_yaml("simtestdata", "table.yaml")
    assert str(data["day"]) == "2024-01-01"
    assert not list((cache_home / "sim" / "packaged").glob("simtestdata.*"))


def test_old_versions_are_pruned(cache_home, data_package):
    for i in range(packaged.KEEP_PER_FILE + 3):
        (data_package / "table.yaml").write_text(f"a: {i}\n", encoding="utf-8")
        assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": i}
    kept = list((cache_home / "sim" / "packaged").glob("simtestdata.table.yaml.*.marshal"))
    assert len(kept) == packaged.KEEP_PER_FILE
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": packaged.KEEP_PER_FILE + 2}


def test_relative_cache_locations_are_not_used(tmp_path, monkeypatch, data_package):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", "relative-home")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert packaged.cache_dir() is None
    assert packaged.load_yaml("simtestdata", "table.yaml") == {"a": 1, "b": ["x", "y"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written here
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # a relative XDG_CACHE_HOME is ignored
    assert packaged.cache_dir() == tmp_path / "home" / ".cache" / "sim" / "packaged"
