"""The types of real data that ports name: `DataFrame` (a pandas table) and `Image` (PNG bytes).

pandas takes a third of a second to import, and the registry reads every built-in function's hints when it
is first used: `fancy-studio run`, the studio and every kernel would pay that even for a workflow of numbers.
So `DataFrame` here is a stand-in class that pandas' `DataFrame` is a subclass of (and an instance of it an
instance of), checked by the class's module and name without importing pandas. Table functions import
pandas inside their bodies. `typecheck` treats pandas' class and this one as the same type.

`Image` is a real, small class: PNG bytes and their size. Plots return one; the image viewer and the
canvas's thumbnails show it; it pickles as plain data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any


def class_named(cls: Any, modules: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """True when `cls` (or one of its bases) is a class called one of `names` from one of `modules` (top-level
    package names): a foreign class recognised without importing its library."""
    for base in getattr(cls, "__mro__", ()):
        module = getattr(base, "__module__", "") or ""
        if base.__name__ in names and module.split(".", 1)[0] in modules:
            return True
    return False


class _ForeignTypeMeta(type):
    """A class that stands for a foreign library's class, recognised by module and name."""

    _modules: tuple[str, ...] = ()
    _names: tuple[str, ...] = ()

    def __instancecheck__(cls, obj: Any) -> bool:
        return cls.__subclasscheck__(type(obj))

    def __subclasscheck__(cls, sub: Any) -> bool:
        if sub is cls:
            return True
        return isinstance(sub, type) and class_named(sub, cls._modules, cls._names)

    def stands_for(cls, hint: Any) -> bool:
        """True when `hint` is the foreign class itself (or a subclass): `pandas.DataFrame` for `DataFrame`."""
        return isinstance(hint, type) and hint is not cls and class_named(hint, cls._modules, cls._names)


class DataFrame(metaclass=_ForeignTypeMeta):
    """A table: a pandas `DataFrame`. A port of this type takes and gives pandas DataFrames."""

    _modules = ("pandas",)
    _names = ("DataFrame",)


FOREIGN_TYPES: tuple[_ForeignTypeMeta, ...] = (DataFrame,)
"""Stand-ins `typecheck` maps their foreign classes onto."""


def canonical_type(hint: Any) -> Any:
    """`DataFrame` for pandas' `DataFrame` (and its subclasses); any other hint unchanged."""
    for stand_in in FOREIGN_TYPES:
        if stand_in.stands_for(hint):
            return stand_in
    return hint


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Image:
    """A picture as PNG bytes, with its size in pixels. Plots return one; `Image.from_png` checks the bytes."""

    png: bytes
    width: int
    height: int

    @classmethod
    def from_png(cls, data: bytes) -> Image:
        """An `Image` of PNG bytes; a ValueError when they are not PNG."""
        data = bytes(data)
        if not is_png(data):
            raise ValueError("not a PNG image (its first bytes are not the PNG signature)")
        width, height = struct.unpack(">II", data[16:24])
        return cls(data, width, height)

    def __repr__(self) -> str:
        return f"Image({self.width}×{self.height} PNG, {len(self.png):,} bytes)"


def is_png(data: Any) -> bool:
    """True for bytes that start with the PNG signature and an IHDR chunk."""
    return (isinstance(data, (bytes, bytearray, memoryview)) and len(data) >= 24
            and bytes(data[:8]) == _PNG_SIGNATURE and bytes(data[12:16]) == b"IHDR")
