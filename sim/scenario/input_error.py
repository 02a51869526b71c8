"""The one exception for bad user input (a scenario, a spec, an option, a table)."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input: the message names the field and the fix.

    The message is usually a :class:`sim.messages.Msg`; :meth:`text` gives it in a language.
    """

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``zh``)."""
        from sim.messages import render

        return render(self, lang)
