"""Mesa's ``DataCollector`` for model reporters that return plain numbers."""

from __future__ import annotations

import types

import mesa


class DailyCollector(mesa.DataCollector):
    """A ``mesa.DataCollector`` that stores the model reporters' numbers as they come.

    Mesa deep-copies every reported value so that a reporter returning a mutable object cannot
    change the record afterwards; our reporters are functions of the model returning numbers
    (immutable), so after the first (validating) collection the copy is skipped. Any other
    reporter kind, agent reporters, tables and the frames are Mesa's.
    """

    def collect(self, model: mesa.Model) -> None:
        """Collect the model reporters (Mesa's own collection for anything else)."""
        plain = all(isinstance(r, types.FunctionType) for r in self.model_reporters.values())
        if not (plain and self._validated) or self.agent_reporters or self.agenttype_reporters:
            super().collect(model)
            return
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))
