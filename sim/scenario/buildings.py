"""A scenario from a buildings table: one row per building, as a community office keeps it.

Columns (English or Chinese headers): ``name`` 楼栋, ``compound`` 小区, ``floors`` 层数,
``units`` 单元数, ``households`` 户数, optional ``community`` 社区 and ``x``/``y`` coordinates
(metres or any planar unit; used to draw the map). Each building becomes one explicit entry of
its compound's layout with its own occupied households; everything else takes the scenario's
defaults (or those of a base scenario given as a mapping).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pandas as pd

from sim.messages import Msg
from sim.scenario.loading import InputError

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
ALIASES = {
    "name": ("name", "building", "楼栋", "楼栋名称", "楼号"),
    "compound": ("compound", "小区", "小区名称"),
    "floors": ("floors", "层数", "楼层数"),
    "units": ("units", "单元数", "单元"),
    "households": ("households", "户数", "住户数"),
    "community": ("community", "社区"),
    "x": ("x", "东", "x坐标"),
    "y": ("y", "北", "y坐标"),
}
REQUIRED = ("name", "compound", "floors", "units", "households")
INTEGER_BOUNDS = {"floors": (1, 60), "units": (1, 50), "households": (0, 50 * 60 * 20)}


def read_buildings(path: str | Path) -> pd.DataFrame:
    """Read a buildings table (``.csv``, ``.xlsx``) and normalise its column names.

    Raises:
        InputError: missing or unreadable file, too large, unknown format, missing columns,
            or a value that is not a whole number in range; each names the row and column.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(Msg("table_no_file", path=p))
    if p.stat().st_size > MAX_BYTES:
        raise InputError(Msg("table_too_large", path=p, mb=MAX_BYTES // 1_000_000))
    return read_buildings_bytes(p.read_bytes(), str(p))


def read_buildings_bytes(raw: bytes, source: str) -> pd.DataFrame:
    """Read a buildings table from its bytes; ``source`` (a file name) gives the format.

    CSV may be UTF-8 (with or without BOM) or GB18030, the encoding Excel uses for Chinese
    text when it saves CSV on a Chinese Windows.

    Raises:
        InputError: as :func:`read_buildings`.
    """
    if len(raw) > MAX_BYTES:
        raise InputError(Msg("table_too_large", path=source, mb=MAX_BYTES // 1_000_000))
    suffix = Path(source).suffix.lower()
    try:
        if suffix == ".csv":
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise InputError(Msg("table_encoding", path=source))
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False)
        else:
            raise InputError(Msg("table_format", path=source, suffix=suffix))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one message
        raise InputError(
            Msg("table_unreadable", path=source, error=f"{type(exc).__name__}: {exc}")
        ) from None
    return normalise(df, source)


def normalise(df: pd.DataFrame, source: str = "<table>") -> pd.DataFrame:
    """Rename known headers, check required columns and convert numbers (see read_buildings)."""
    if len(df) > MAX_ROWS:
        raise InputError(Msg("table_too_many_rows", source=source, n=len(df), limit=MAX_ROWS))
    if len(df) == 0:
        raise InputError(Msg("table_empty", source=source))
    rename = {}
    for col in df.columns:
        key = str(col).strip().lower()
        for canonical, names in ALIASES.items():
            if key in names:
                rename[col] = canonical
    df = df.rename(columns=rename)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            Msg(
                "table_missing_columns",
                source=source,
                missing=", ".join(missing),
                required=", ".join(REQUIRED),
            )
        )
    out = pd.DataFrame({"name": df["name"].astype(str).str.strip()})
    out["compound"] = df["compound"].astype(str).str.strip()
    for col, (lo, hi) in INTEGER_BOUNDS.items():
        values = []
        for i, raw in enumerate(df[col], start=2):  # row 1 is the header
            try:
                v = float(str(raw).strip())
            except ValueError:
                v = math.nan
            if not (math.isfinite(v) and v == int(v) and lo <= v <= hi):
                raise InputError(
                    Msg(
                        "table_not_whole",
                        source=source,
                        row=i,
                        col=col,
                        raw=repr(raw),
                        lo=lo,
                        hi=hi,
                    )
                )
            values.append(int(v))
        out[col] = values
    if "community" in df.columns:
        out["community"] = df["community"].astype(str).str.strip().replace("", None)
    has_xy = "x" in df.columns and "y" in df.columns
    if has_xy:
        for col in ("x", "y"):
            num = pd.to_numeric(df[col], errors="coerce")
            bad = num.isna() | ~num.abs().lt(1e7)
            if bad.any():
                row = int(bad.to_numpy().argmax()) + 2
                raise InputError(Msg("table_not_coordinate", source=source, row=row, col=col))
            out[col] = num.astype(float)
    empty = out["name"].eq("") | out["compound"].eq("")
    if empty.any():
        row = int(empty.to_numpy().argmax()) + 2
        raise InputError(Msg("table_name_compound", source=source, row=row))
    return out


def scenario_from_buildings(
    table: pd.DataFrame, name: str = "my-community", base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A raw scenario mapping with one compound per compound of the table, in table order.

    Args:
        table: a table from :func:`read_buildings` / :func:`normalise`.
        name: the scenario's name.
        base: a raw scenario mapping whose other sections are kept (its compounds are replaced).

    Returns:
        Plain data to validate with ``Scenario.model_validate`` or write as YAML.
    """
    data = dict(base or {})
    data["name"] = name
    compounds = []
    for compound, rows in table.groupby("compound", sort=False):
        layout = []
        for r in rows.itertuples(index=False):
            per_floor = max(1, math.ceil(r.households / (r.units * r.floors)))
            entry: dict[str, Any] = {
                "name": r.name,
                "units": int(r.units),
                "floors": int(r.floors),
                "households_per_floor": int(per_floor),
                "households": int(r.households),
            }
            if "x" in table.columns:
                entry["x"], entry["y"] = float(r.x), float(r.y)
            layout.append(entry)
        spec: dict[str, Any] = {"name": str(compound), "layout": layout}
        if "community" in table.columns and rows["community"].notna().any():
            spec["community"] = str(rows["community"].dropna().iloc[0])
        compounds.append(spec)
    data["compounds"] = compounds
    return data
