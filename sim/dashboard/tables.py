"""Result tables for the dashboard (dash-ag-grid): catalogue headers, values in words, nulls."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import html

from sim.results import catalog as cat

TABLE_ROWS = 15
TABLE_LIMIT = 2000  # rows sent to the browser; the parquet file holds the rest (said on screen)
# columns whose values are words from the catalogue (status/resolved, meeting_kind/council...)
VALUE_KINDS = {
    "status": "status",
    "kind": "meeting_kind",
    "scope": "scope",
    "category": "category",
    "type": "project_type",
}
LEVEL_COLUMNS = ("level", "highest_level")
# ag-grid's own words (pager, filters) in Chinese
GRID_TEXT_ZH = {
    "page": "第",
    "of": "页，共",
    "to": "至",
    "more": "更多",
    "next": "下一页",
    "last": "末页",
    "first": "首页",
    "previous": "上一页",
    "pageSizeSelectorLabel": "每页行数：",
    "noRowsToShow": "无数据",
    "filterOoo": "筛选…",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "lessThan": "小于",
    "greaterThan": "大于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "blank": "为空",
    "notBlank": "不为空",
}


def display_frame(table: str, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy for display: level numbers and codes in words, shares rounded, nulls as None."""
    df = df.copy()
    for c in df.columns:
        if c in LEVEL_COLUMNS:
            df[c] = [cat.value_label("level", f"L{int(v)}", lang) for v in df[c]]
        elif c in VALUE_KINDS:
            df[c] = [cat.value_label(VALUE_KINDS[c], v, lang) for v in df[c].astype(str)]
        elif pd.api.types.is_bool_dtype(df[c]):
            df[c] = [cat.fmt(f"{table}/{c}", bool(v), lang) for v in df[c]]
        elif pd.api.types.is_float_dtype(df[c]):
            digits = 3 if cat.kind(f"{table}/{c}") in ("share", "score") else 2
            df[c] = df[c].round(digits)
        elif isinstance(df[c].dtype, pd.CategoricalDtype) or df[c].dtype == object:
            df[c] = df[c].astype(str)
    return df.astype(object).where(df.notna(), None)


def result_table(table_id: str, table: str, df: pd.DataFrame | None, lang: str = "en"):
    """An ag-grid of a result table (paginated, sortable, filterable), with a note if capped."""
    if df is None or df.empty:
        return html.P(cat.ui("none", lang), className="muted")
    note = None
    if len(df) > TABLE_LIMIT:
        note = html.P(
            cat.ui(
                "showing_first",
                lang,
                limit=f"{TABLE_LIMIT:,}",
                total=f"{len(df):,}",
                file=f"{table}.parquet",
            ),
            className="muted",
        )
        df = df.head(TABLE_LIMIT)
    shown = display_frame(table, df, lang)
    columns = [
        {
            "field": c,
            "headerName": cat.label(f"{table}/{c}", lang),
            "headerTooltip": cat.describe(f"{table}/{c}", lang),
        }
        for c in shown.columns
    ]
    grid = dag.AgGrid(
        id=table_id,
        rowData=shown.to_dict("records"),
        columnDefs=columns,
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": TABLE_ROWS,
            **({"localeText": GRID_TEXT_ZH} if lang == "zh" else {}),
        },
        columnSize="autoSize",
        style={"height": 520},
    )
    return html.Div([note, grid]) if note else grid
