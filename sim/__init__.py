"""sim: an agent-based simulator of neighbourhood deliberation in residential compounds."""

__version__ = "0.1.0"
