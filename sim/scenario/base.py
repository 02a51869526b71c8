"""Base class of every scenario and sweep-spec section."""

from pydantic import BaseModel, ConfigDict


class Spec(BaseModel):
    """A section of an input file: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
