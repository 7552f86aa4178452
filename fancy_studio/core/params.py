"""A step's parameters: literal values of inputs that no wire feeds, kept in the step itself.

A workflow file holds only JSON, so a parameter is a JSON value; what the function receives is that value,
except for an input annotated with an `Enum`, whose parameter is the name of a member (the studio offers
the names in a drop-down) and which receives the member. Every call gets its own copy of a list or dict
parameter, so a step that changes its input in place cannot change the workflow.
"""

from __future__ import annotations

import copy
import enum
import typing
from collections.abc import Mapping
from typing import Any

from fancy_studio.core.functions import Port
from fancy_studio.core.typecheck import value_accepted


def _enum_type(hint: Any) -> type[enum.Enum] | None:
    return hint if isinstance(hint, type) and issubclass(hint, enum.Enum) else None


def param_problem(port: Port, value: Any) -> str | None:
    """Why `value` can never be this input's parameter (to follow "but its value … "), or None."""
    members = _enum_type(port.type)
    if members is not None:
        if isinstance(value, str) and value in members.__members__:
            return None
        names = ", ".join(members.__members__)
        return f"its value {value!r:.40} is not the name of one of its members ({names:.200})"
    if typing.get_origin(port.type) is typing.Literal:
        allowed = typing.get_args(port.type)
        if any(type(value) is type(choice) and value == choice for choice in allowed):
            return None
        return f"its value {value!r:.40} is not one of {', '.join(map(repr, allowed)):.200}"
    if value_accepted(port.type, value):
        return None
    return f"its value {value!r:.40} is a {type(value).__name__}"


def call_params(ports: Mapping[str, Port], params: Mapping[str, Any]) -> dict[str, Any]:
    """The params as the function receives them (an Enum input's name made its member); compiled once per
    plan. A param that does not fit was refused by validation: it is passed on as it is."""
    converted = dict(params)
    for name, value in params.items():
        port = ports.get(name)
        members = None if port is None else _enum_type(port.type)
        if members is not None and isinstance(value, str) and value in members.__members__:
            converted[name] = members[value]
    return converted


def fresh(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params for one call: each list or dict a copy of its own (see the module docstring)."""
    return {name: copy.deepcopy(value) if type(value) is list or type(value) is dict else value
            for name, value in params.items()}
