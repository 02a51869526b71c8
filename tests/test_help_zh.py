"""``--help`` follows ``--lang``: every command, option and argument has its Chinese text."""

import os
import re
import subprocess
import sys

import pytest
import typer.main

from sim.cli import app, help_zh

CJK = re.compile(r"[\u4e00-\u9fff]")


def tree():
    """``(path, command, params)`` for ``sim`` and every command and subcommand below it."""
    root = typer.main.get_command(app)
    rows = []
    for path, command in help_zh.walk(root):
        ctx = command.context_class(command, info_name=path or "sim")
        rows.append((path, command, command.get_params(ctx)))
    return rows


TREE = tree()
PATHS = [path for path, _, _ in TREE]


def help_screen(path, *lang):
    env = {**os.environ, "COLUMNS": "400"}  # wide: one row per option, nothing wrapped
    env.pop("SIM_LANG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *lang, *path.split(), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def row_of(screen, param):
    """The help-screen row that shows ``param`` (its option names, or the argument's name)."""
    names = param.opts if param.param_type_name == "option" else [param.name]
    for line in screen.splitlines():
        for name in names:
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line.split("<")[0]):
                return line
    raise AssertionError(f"no row for {names} in\n{screen}")


def test_tree_has_commands_and_subcommands():
    assert {"", "run", "sweep", "scenario", "scenario init", "doc outputs"} <= set(PATHS)


def test_every_command_and_parameter_has_a_chinese_entry():
    missing = []
    for path, _, params in TREE:
        if not CJK.search(help_zh.command_help(path) or ""):
            missing.append(f"{path or 'sim'}: help")
        missing += [
            f"{path or 'sim'} {param.name}"
            for param in params
            if not CJK.search(help_zh.param_help(path, param.name) or "")
        ]
    assert not missing, f"no Chinese help in sim/cli/help_zh.yaml for {missing}"


def test_table_has_no_entry_for_a_command_or_parameter_that_does_not_exist():
    names = {path: {p.name for p in params} for path, _, params in TREE}
    table = help_zh.table()["commands"]
    stale = [path for path in table if path not in names]
    stale += [
        f"{path} {name}"
        for path, entry in table.items()
        if path in names
        for name in entry.get("params") or {}
        if name not in names[path]
    ]
    assert not stale, f"help_zh.yaml entries with no command or parameter: {stale}"


@pytest.mark.parametrize("path", PATHS, ids=[p or "sim" for p in PATHS])
def test_help_in_chinese(path):
    screen = help_screen(path, "--lang", "zh")
    _, command, params = next(row for row in TREE if row[0] == path)
    assert "用法：" in screen and "Usage:" not in screen
    assert help_zh.command_help(path).split("\n\n")[0] in screen
    assert "选项" in screen and "Options" not in screen
    for param in params:
        if getattr(param, "hidden", False):
            continue
        row = row_of(screen, param)
        assert CJK.search(row), f"sim {path} --help: {param.name} has no Chinese: {row}"
        english = (param.help or "").split("\n\n")[0]
        assert english not in screen, f"English help left for {param.name}"
    if getattr(command, "commands", None):
        assert "命令" in screen and "Commands" not in screen


@pytest.mark.parametrize("path", PATHS, ids=[p or "sim" for p in PATHS])
def test_help_in_english_has_no_chinese(path):
    screen = help_screen(path)
    assert not CJK.search(screen), screen
    assert "Usage:" in screen and "Options" in screen


def test_sim_lang_environment_gives_chinese_help():
    env = {**os.environ, "COLUMNS": "400", "SIM_LANG": "zh"}
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert help_zh.command_help("run") in proc.stdout
