"""Hypothesis strategies that damage a real file: byte flips, truncations and splices.

The strategies draw a :class:`Damage` (positions and bytes only, so hypothesis never prints the file);
:meth:`Damage.apply` turns it into a :class:`Mutation` of the original bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True)
class Mutation:
    """A damaged file: its bytes, and which original positions changed (None: the length changed)."""

    data: bytes
    changed: tuple[int, ...] | None
    kind: str

    def __repr__(self) -> str:
        return f"Mutation({self.kind}, changed={self.changed}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class Damage:
    """What to do to a file: ``flip`` (XOR each spot with a non-zero byte), ``truncate`` at ``at``, or
    ``insert`` ``blob`` / ``delete`` ``span`` bytes / ``copy`` ``span`` bytes from ``source`` at ``at``."""

    kind: str
    at: int = 0
    span: int = 0
    source: int = 0
    blob: bytes = b""
    spots: tuple[tuple[int, int], ...] = ()

    def apply(self, original: bytes) -> Mutation:
        """The damaged copy of ``original``."""
        if self.kind == "flip":
            data = bytearray(original)
            for spot, delta in self.spots:
                data[spot] ^= delta
            return Mutation(bytes(data), tuple(sorted(spot for spot, _ in self.spots)), self.kind)
        head, tail = original[: self.at], original[self.at :]
        middle = {"insert": self.blob, "copy": original[self.source : self.source + self.span]}.get(self.kind, b"")
        if self.kind == "delete":
            tail = tail[self.span :]
        if self.kind == "truncate":
            tail = b""
        return Mutation(head + middle + tail, None, self.kind)


def flips(size: int, positions: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[Damage]:
    """One to three bytes (anywhere, or at ``positions``) replaced by different bytes."""
    spot = st.tuples(positions if positions is not None else st.integers(0, size - 1), st.integers(1, 255))
    spots = st.lists(spot, min_size=1, max_size=3, unique_by=lambda s: s[0])
    return spots.map(lambda s: Damage("flip", spots=tuple(s)))


def truncations(size: int) -> st.SearchStrategy[Damage]:
    """The file cut short anywhere (to nothing included)."""
    return st.integers(0, size - 1).map(lambda at: Damage("truncate", at=at))


def splices(size: int) -> st.SearchStrategy[Damage]:
    """Bytes inserted, a slice deleted, or a slice of the file copied elsewhere in it."""
    at, span = st.integers(0, size - 1), st.integers(1, 4096)
    return st.one_of(
        st.builds(Damage, st.just("insert"), at=at, blob=st.binary(min_size=1, max_size=64)),
        st.builds(Damage, st.just("delete"), at=at, span=span),
        st.builds(Damage, st.just("copy"), at=at, span=span, source=at),
    )


def damages(size: int) -> st.SearchStrategy[Damage]:
    """Any of the damages above."""
    return st.one_of(flips(size), truncations(size), splices(size))
