"""Dataclasses that pydantic validates and describes: the records (`models`) and the rule files
(`rulebook.schema`).

A pydantic model costs its share of pydantic's machinery the moment its class is made, which a
cold `extract` would pay before reading a line. A plain dataclass costs nothing; pydantic reads
its fields' metadata (`description`, `pattern`, `min_length`, `exclude`) as it reads `Field(...)`,
and `adapter` builds the validator and serializer of a class only when one is first asked for
(JSON read back, a rule file validated, a schema written).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def field(description: str = "", *, default: Any = dataclasses.MISSING, default_factory: Any = dataclasses.MISSING,
          **constraints: Any) -> Any:
    """A dataclass field with its description and any constraint pydantic's `Field` takes."""
    metadata = {**({"description": description} if description else {}), **constraints}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


_adapters: dict[type, TypeAdapter[Any]] = {}


def adapter(cls: type) -> TypeAdapter[Any]:
    """pydantic's validator, serializer and schema of a dataclass, built the first time one is needed."""
    built = _adapters.get(cls)
    if built is None:
        from pydantic import TypeAdapter

        built = _adapters[cls] = TypeAdapter(cls)
    return built
