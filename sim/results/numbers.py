"""Numbers, percentages and yuan as babel formats them for ``en_US`` and ``zh_Hans_CN``.

The catalogue shows numbers in two locales only, and both write them alike (CLDR: ``.`` for
decimals, ``,`` between groups of three, ``-`` before a negative number, ``%`` after a
percentage); they differ only in the yuan sign (``CN¥`` / ``¥``). This module applies babel's
number patterns with those symbols, the same way babel does (the value as
``Decimal(str(value))``, rounded half to even), without loading babel's locale data: loading
it imports ``babel.dates``, whose time-zone lookup makes pytz open all its ~600 zone files,
~30 ms of every ``sim run``. Dates are still formatted by babel.
``tests/test_catalog.py`` checks every format against babel on random values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CNY_SIGN = {"en": "CN¥", "zh": "¥"}  # en_US, zh_Hans_CN


def number(value: Any, min_frac: int, max_frac: int, scale: int = 0, affix: str = "") -> str:
    """``value`` with ``min_frac`` to ``max_frac`` decimals and groups of three.

    Args:
        value: an int, float or Decimal (numpy scalars too).
        min_frac: decimals always shown.
        max_frac: decimals at most (rounded half to even).
        scale: power of ten applied first (2 for a percentage).
        affix: the yuan sign before the digits, or ``%`` after them.

    Returns:
        The text, as babel's pattern ``#,##0.0…#`` (``-`` before a negative value) gives it.
    """
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    d = d.scaleb(scale)
    negative = d.is_signed()
    d = abs(d).normalize()
    if d.is_infinite():
        digits = "∞"
    else:
        whole, _, frac = f"{d.quantize(Decimal(10) ** -max_frac):f}".partition(".")
        digits = _grouped(whole) + _fraction(frac or "0", min_frac, max_frac)
    sign = "-" if negative else ""
    if affix == "%":
        return f"{sign}{digits}%"
    return f"{sign}{affix}{digits}"


def _grouped(whole: str) -> str:
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ",".join([whole, *groups])


def _fraction(frac: str, min_frac: int, max_frac: int) -> str:
    frac = frac.ljust(min_frac, "0")
    if max_frac == 0 or (min_frac == 0 and int(frac) == 0):
        return ""
    while len(frac) > min_frac and frac.endswith("0"):
        frac = frac[:-1]
    return "." + frac
