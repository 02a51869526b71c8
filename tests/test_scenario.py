import re
from pathlib import Path

import pytest
import yaml
from labels import defined_labels

from sim.scenario import DEFAULT_SCENARIO, Scenario, load_scenario
from sim.scenario.loading import InputError, parse_yaml


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_default_scenario_is_changgou_sized_with_weekly_councils():
    s = load_scenario()
    assert s.total_households() == 339
    assert sum(c.buildings for c in s.compounds) == 19
    assert s.meetings.council_per_month == 4


def test_minimal_scenario_fills_every_default(tmp_path):
    s = load_scenario(write(tmp_path, "name: tiny\ndays: 30\n"))
    assert s.days == 30
    assert s == Scenario(name="tiny", days=30)


def test_set_overrides_nested_and_list_paths():
    s = load_scenario(
        sets=[
            "party.density=0.2",
            "compounds.0.buildings=3",
            "compounds.0.households=null",
            "meetings.adhoc=false",
        ]
    )
    assert s.party.density == 0.2
    assert s.compounds[0].buildings == 3
    assert s.meetings.adhoc is False


def test_big_v_default_adapts_to_no_party_members():
    assert load_scenario(sets=["party.density=0"]).party.big_v == 0


@pytest.mark.parametrize(
    ("text", "sets", "expect"),
    [
        ("days: [1\n", [], "YAML syntax error"),
        ("days: 30\n  bad: indent\n", [], "line 2"),
        ("meetigns:\n  council_per_month: 2\n", [], "did you mean 'meetings'"),
        ("meetings:\n  councils_per_month: 2\n", [], "did you mean 'council_per_month'"),
        ("days: many\n", [], "days"),
        ("party:\n  density: 1.5\n", [], "party.density"),
        ("compounds:\n  - households: -4\n", [], "compounds.0.households"),
        ("compounds:\n  - buildings: -1\n", [], "compounds.0.buildings"),
        ("party:\n  density: 0.01\n  big_v: 50\n", [], "party.big_v"),
        ("compounds:\n  - buildings: 1\n    households: 999\n", [], "households=999"),
        ("x: !!python/object:os.system {}\n", [], "!!python/object"),
        ("- a\n- b\n", [], "mapping"),
        ("days: 30\n", ["party.densty=0.1"], "did you mean 'density'"),
        ("days: 30\n", ["compounds.5.buildings=1"], "index"),
        ("days: 30\n", ["nonsense"], "KEY.PATH=VALUE"),
    ],
)
def test_bad_input_names_the_field(tmp_path, text, sets, expect):
    with pytest.raises(InputError) as err:
        load_scenario(write(tmp_path, text), sets)
    assert expect in str(err.value)


def test_missing_file_is_clear(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_tag_is_never_constructed():
    with pytest.raises(InputError, match="not allowed"):
        parse_yaml("a: !!python/object/apply:os.system ['true']\n")


def test_packaged_default_is_plain_yaml():
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    assert data["name"] == "changgou_xincun"


def test_embedded_default_is_the_calibrated_changgou_scenario():
    root = Path(__file__).resolve().parent.parent
    assert load_scenario(None) == load_scenario(root / "scenarios" / "changgou_xincun.yaml")


def test_explicit_layout_replaces_counts():
    s = Scenario.model_validate(
        {"compounds": [{"layout": [{"count": 2, "units": 1, "floors": 5}, {"units": 3}]}]}
    )
    assert s.compounds[0].capacity() == 2 * 1 * 5 * 2 + 3 * 6 * 2


def test_project_defaults_and_errors(tmp_path):
    s = load_scenario(write(tmp_path, "projects:\n  - type: elevator\n  - type: gas_pipe\n"))
    lift, gas = s.projects
    assert (lift.scope, lift.rule, lift.matter) == ("unit", "civil_code_in_unit", 7)
    assert (gas.scope, gas.rule) == ("compound", "civil_code")
    for text, expect in [
        ("projects:\n  - type: lift\n", "projects.0.type"),
        ("projects:\n  - compounds: [3]\n", "out of range"),
        ("projects:\n  - cost: 10\n    subsidy: 20\n", "subsidy"),
        ("projects:\n  - rule: majority\n", "projects.0.rule"),
    ]:
        with pytest.raises(InputError) as err:
            load_scenario(write(tmp_path, text))
        assert expect in str(err.value)


SCENARIOS = sorted(
    p for p in (__import__("pathlib").Path(__file__).parent.parent / "scenarios").glob("*.yaml")
)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_cite_their_source(path):
    s = load_scenario(path)
    assert s.name == path.stem
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    cited = set(re.findall(r"\[[^\]]+\]", " ".join(header)))
    assert cited & defined_labels(), f"{path.name}: its header cites no label of docs/sources.md"


def test_shipped_experiments_validate():
    from sim.experiments.spec import load_spec, points

    root = SCENARIOS[0].parent.parent / "experiments"
    from sim.experiments import calibration

    for path in root.glob("*.yaml"):  # every shipped spec validates, as what it is
        if "statistics" in path.read_text(encoding="utf-8"):
            calibration.load(path)
        else:
            load_spec(path)
    for name in ("meetings_x_party.yaml", "meetings_x_party_aoyuan.yaml"):
        spec, _ = load_spec(root / name)
        levels = {k: sorted({p[k] for p in points(spec)}) for k in points(spec)[0]}
        assert levels["meetings.council_per_month"] == [0, 1, 2, 4, 8]
        assert levels["party.density"] == [0, 0.02, 0.05, 0.1, 0.2]
        assert spec.replicates >= 10
    spec, _ = load_spec(root / "levers_morris.yaml")
    assert spec.design == "morris" and len(spec.parameters) >= 10


def test_readme_minimal_scenario_is_valid(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    s = load_scenario(write(tmp_path, block))
    assert s.name == "my-compound" and s.property_firm.kind == "none"
