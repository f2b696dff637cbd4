"""A named registry of entries (handler kinds, transitions...), to which apps add their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries by name, in the order they were registered; registering a name again replaces it."""

    def __init__(self, what: str, *, check: Callable[[T], None] | None = None) -> None:
        self.what = what
        self._check = check
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        if self._check is not None:
            self._check(entry)
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    @contextmanager
    def temporarily_registered(self, entry: T) -> Iterator[T]:
        """An entry registered for the duration of a block (tests); whatever it replaced comes back."""
        previous = self._entries.get(entry.name)
        self.register(entry)
        try:
            yield entry
        finally:
            if previous is None:
                self.unregister(entry.name)
            else:
                self._entries[entry.name] = previous

    def entries(self) -> tuple[T, ...]:
        return tuple(self._entries.values())

    def find(self, name: str) -> T | None:
        return self._entries.get(name)

    def get(self, name: str) -> T:
        entry = self._entries.get(name)
        if entry is None:
            raise LookupError(f"No {self.what} {name!r} is registered.")
        return entry
