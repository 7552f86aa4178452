"""Functions a workflow can call, registered under a slug.

A workflow file names functions only by slug, and a slug is only ever looked up in this registry: it is
never imported, evaluated or resolved as a module path, so opening a file cannot run code. Functions
come from three places: the built-in library (`fancy_studio.core.library`), installed plugin packages
that declare the entry-point group `fancy_studio.functions`, and `@fancy_function` in the user's code.

Inputs and outputs are read from the signature. A single return value is the output `"return"`; a
function whose return annotation is a `typing.NamedTuple` has one output per field.
"""

from __future__ import annotations

import inspect
import re
import threading
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fancy_studio.core.errors import FunctionRegistrationError, UnknownFunctionError
from fancy_studio.core.plugins import plugin_entry_points

ENTRY_POINT_GROUP = "fancy_studio.functions"
RETURN = "return"
"""The name of the output of a function with a single return value."""

_SLUG = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""The default of a parameter that has none."""


@dataclass(frozen=True, slots=True)
class Port:
    """One input or output of a function: its name, its type hint and (for inputs) its default."""

    name: str
    type: Any = Any
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def type_name(self) -> str:
        """A short readable name of the type, for labels and messages."""
        return type_name(self.type)


def type_name(hint: Any) -> str:
    if hint is Any or hint is inspect.Parameter.empty:
        return "any"
    if isinstance(hint, type) and not typing.get_args(hint):
        return hint.__name__
    return str(hint).replace("typing.", "")


@dataclass(frozen=True, slots=True)
class FancyFunction:
    """A registered function with what the studio shows of it and what the engine needs to call it."""

    slug: str
    func: Callable[..., Any]
    title: str
    category: str
    description: str
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    returns_named_tuple: bool = False
    input_names: frozenset[str] = field(default=frozenset(), repr=False)
    input_ports: dict[str, Port] = field(default_factory=dict, repr=False, compare=False)
    output_ports: dict[str, Port] = field(default_factory=dict, repr=False, compare=False)
    cacheable: bool = True
    """False for a function whose result must never be reused (it reads the clock, draws random numbers)."""
    fingerprint: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    """For a function that reads the outside world: called with the step's inputs, it returns a token
    (a file's size and modification time, say) that is part of the step's key, so the step runs again
    when the outside changed."""
    pinned_version: str | None = None
    """The `version=` given at registration; without one the version is a hash of the code."""
    _code_version: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def version(self) -> str:
        """The version its stored results are kept under: the pinned one, else a hash of its code
        (computed once, on first use)."""
        if self.pinned_version:
            return self.pinned_version
        computed = self._code_version
        if computed is None:
            from fancy_studio.core.caching import code_version

            computed = code_version(self.func)
            object.__setattr__(self, "_code_version", computed)  # a cache, not a change: frozen otherwise
        return computed

    def input(self, name: str) -> Port | None:
        return self.input_ports.get(name)

    def output(self, name: str) -> Port | None:
        return self.output_ports.get(name)

    def split_outputs(self, result: Any) -> dict[str, Any]:
        """Turn what the function returned into a value per output name."""
        if self.returns_named_tuple:
            return dict(zip((p.name for p in self.outputs), result, strict=True))
        return {RETURN: result}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)


def describe(func: Callable[..., Any], slug: str, *, title: str | None = None,
             category: str | None = None, description: str | None = None, cacheable: bool = True,
             fingerprint: Callable[..., Any] | None = None, version: str | None = None) -> FancyFunction:
    """Read a Python function's signature and docstring into a `FancyFunction`."""
    if not _SLUG.match(slug):
        raise FunctionRegistrationError(
            f"slug '{slug}' is not valid: use lowercase dotted words, for example 'math.increment'"
        )
    try:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(func)
    except (TypeError, ValueError, NameError) as exc:
        raise FunctionRegistrationError(f"cannot read the signature of {slug}: {exc}") from exc
    inputs = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise FunctionRegistrationError(
                f"{slug}: parameter '{param.name}' must be an ordinary named parameter "
                "(no *args, **kwargs or positional-only parameters)"
            )
        default = REQUIRED if param.default is param.empty else param.default
        inputs.append(Port(param.name, hints.get(param.name, Any), default))
    return_hint = hints.get("return", Any)
    named = _is_named_tuple(return_hint)
    if named:
        field_hints = typing.get_type_hints(return_hint)
        outputs = tuple(Port(name, field_hints.get(name, Any)) for name in return_hint._fields)
    else:
        outputs = (Port(RETURN, return_hint),)
    doc = inspect.getdoc(func) or ""
    return FancyFunction(
        slug=slug,
        func=func,
        title=title or _title_from_slug(slug),
        category=category or slug.split(".")[0],
        description=description if description is not None else doc,
        inputs=tuple(inputs),
        outputs=outputs,
        returns_named_tuple=named,
        input_names=frozenset(p.name for p in inputs),
        input_ports={p.name: p for p in inputs},
        output_ports={p.name: p for p in outputs},
        cacheable=cacheable,
        fingerprint=fingerprint,
        pinned_version=None if version is None else str(version),
    )


def _is_named_tuple(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields")


def _title_from_slug(slug: str) -> str:
    return slug.rsplit(".", 1)[-1].replace("_", " ").title()


class FunctionRegistry:
    """Slug → `FancyFunction`. Loads the built-in library and installed plugins on first use."""

    def __init__(self, *, load_builtins: bool = True) -> None:
        self._functions: dict[str, FancyFunction] = {}
        self._lock = threading.RLock()
        self._loaded = not load_builtins
        self.plugin_errors: list[str] = []
        """Plugins that failed to load, one readable line each (shown, never raised)."""

    def register(self, function: FancyFunction) -> FancyFunction:
        with self._lock:
            old = self._functions.get(function.slug)
            if old is not None and _origin(old.func) != _origin(function.func):
                raise FunctionRegistrationError(
                    f"slug '{function.slug}' is already registered by {_origin(old.func)}"
                )
            self._functions[function.slug] = function
        return function

    def unregister(self, slug: str) -> None:
        with self._lock:
            self._functions.pop(slug, None)

    def get(self, slug: str) -> FancyFunction:
        self._ensure_loaded()
        try:
            return self._functions[slug]
        except KeyError:
            raise UnknownFunctionError(slug) from None

    def find(self, slug: str) -> FancyFunction | None:
        """The function with this slug, or None."""
        if not self._loaded:
            self._ensure_loaded()
        return self._functions.get(slug)

    def __contains__(self, slug: object) -> bool:
        self._ensure_loaded()
        return slug in self._functions

    def __iter__(self) -> Iterator[FancyFunction]:
        self._ensure_loaded()
        return iter(sorted(self._functions.values(), key=lambda f: (f.category, f.title)))

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._functions)

    def categories(self) -> list[str]:
        return sorted({f.category for f in self})

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            import fancy_studio.core.library  # noqa: F401  (registers the built-ins)

            self._load_plugins()

    def _load_plugins(self) -> None:
        """Import installed plugin packages (never from the current folder: see `core.plugins`); a broken
        plugin is reported, never fatal."""
        for entry in plugin_entry_points(ENTRY_POINT_GROUP):
            try:
                loaded = entry.load()
            except Exception as exc:  # a plugin's own bug must not stop the studio
                self.plugin_errors.append(f"plugin '{entry.name}' ({entry.value}) failed: {exc}")
                continue
            if callable(loaded) and not isinstance(loaded, type):
                try:
                    loaded(self)
                except Exception as exc:
                    self.plugin_errors.append(f"plugin '{entry.name}' failed to register: {exc}")


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


registry = FunctionRegistry()
"""The process-wide registry that `@fancy_function` writes to and the engine reads from."""


def fancy_function(
    slug: str,
    *,
    title: str | None = None,
    category: str | None = None,
    description: str | None = None,
    registry: FunctionRegistry | None = None,
    cacheable: bool = True,
    fingerprint: Callable[..., Any] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function under `slug`; the function itself is returned unchanged.

    Its results are reused while its version (`version=`, else a hash of its code) and inputs are the
    same; `cacheable=False` always runs it; `fingerprint=` a callable taking the same inputs adds its
    token to the recipe."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        target = registry if registry is not None else globals()["registry"]
        target.register(describe(func, slug, title=title, category=category, description=description,
                                 cacheable=cacheable, fingerprint=fingerprint, version=version))
        return func

    return decorate
