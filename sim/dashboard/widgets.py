"""Dash widgets whose own texts follow the page's language (graphs and dropdowns).

Plotly draws its toolbar (modebar), hover hints and date names in English unless a locale is
given; :func:`graph` passes the Chinese one (``assets/plotly-locale-zh-CN.json``, written for
this project) through the graph's ``config`` (``locale`` and ``locales``), so no script has to
be loaded before plotly. :func:`dropdown` fills the dropdown's placeholder and its own labels
("Select All", "No options found", "Search"...) from the catalogue.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from dash import dcc

from sim.results import catalog as ct

PLOTLY_LOCALES = {"zh": "zh-CN"}
DROPDOWN_LABELS = (
    "select_all",
    "deselect_all",
    "selected_count",
    "search",
    "clear_search",
    "clear_selection",
    "no_options_found",
)


@cache
def plotly_locale(lang: str) -> dict[str, Any] | None:
    """The plotly.js locale (``dictionary`` and ``format``) of ``lang``, None for English."""
    name = PLOTLY_LOCALES.get(lang)
    if name is None:
        return None
    path = resources.files("sim.dashboard").joinpath(f"assets/plotly-locale-{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def graph_config(lang: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``dcc.Graph`` config in ``lang``: ``config`` plus the plotly locale."""
    out = dict(config or {})
    out.setdefault("displaylogo", False)
    locale = plotly_locale(lang)
    if locale is not None:
        name = PLOTLY_LOCALES[lang]
        out["locale"] = name
        out["locales"] = {name: locale}
    return out


def graph(lang: str = "en", **kwargs: Any) -> dcc.Graph:
    """A ``dcc.Graph`` whose toolbar and hover hints speak ``lang``."""
    return dcc.Graph(config=graph_config(lang, kwargs.pop("config", None)), **kwargs)


def dropdown_labels(lang: str) -> dict[str, str]:
    """The dropdown's own texts in ``lang`` (its ``labels`` prop)."""
    return {k: ct.ui(f"dropdown_{k}", lang) for k in DROPDOWN_LABELS}


def dropdown(lang: str = "en", **kwargs: Any) -> dcc.Dropdown:
    """A ``dcc.Dropdown`` with its placeholder and labels in ``lang``."""
    kwargs.setdefault("placeholder", ct.ui("dropdown_placeholder", lang))
    kwargs.setdefault("labels", dropdown_labels(lang))
    return dcc.Dropdown(**kwargs)
