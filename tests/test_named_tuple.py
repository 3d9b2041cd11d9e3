"""translator.named_tuple.NamedTuple behaves as typing.NamedTuple: the same class body
makes the same record."""

from __future__ import annotations

import pickle
import typing

import pytest

from translator import named_tuple


class Theirs(typing.NamedTuple):
    """A record."""

    name: str
    number: int = 0
    tags: tuple[str, ...] = ()

    def tagged(self, tag: str) -> bool:
        return tag in self.tags

    @property
    def doubled(self) -> Theirs:
        return self._replace(number=2 * self.number)


class Ours(named_tuple.NamedTuple):
    """A record."""

    name: str
    number: int = 0
    tags: tuple[str, ...] = ()

    def tagged(self, tag: str) -> bool:
        return tag in self.tags

    @property
    def doubled(self) -> Ours:
        return self._replace(number=2 * self.number)


def test_named_tuple_at_run_time_is_not_typing() -> None:
    assert named_tuple.NamedTuple is not typing.NamedTuple
    assert "typing" not in named_tuple.__dict__


@pytest.mark.parametrize(
    "use",
    [
        lambda c: repr(c("a", 2, ("x",))),
        lambda c: c("a") == ("a", 0, ()),
        lambda c: hash(c("a", 1)) == hash(("a", 1, ())),
        lambda c: c._fields,
        lambda c: c._field_defaults,
        lambda c: list(c.__annotations__),
        lambda c: c("a", 1, ("x",))._asdict(),
        lambda c: repr(c("a", 3).doubled),
        lambda c: (c("a", tags=("x",)).tagged("x"), c("a").tagged("x")),
        lambda c: (c.__doc__, c.__name__, c.__qualname__.replace(c.__name__, "?"), c.__module__),
        lambda c: (c.__bases__, c.__slots__, isinstance(c("a"), tuple)),
        lambda c: repr(pickle.loads(pickle.dumps(c("a", 1, ("x",))))),
        lambda c: repr(c._make(["b", 5, ()])),
        lambda c: repr(c.__new__(c, "c")),
    ],
)
def test_the_same_body_makes_the_same_record(use: typing.Callable[[type], object]) -> None:
    assert str(use(Ours)).replace("Ours", "Record") == str(use(Theirs)).replace("Theirs", "Record")


def _error(base: type, body: str) -> str:
    with pytest.raises((TypeError, AttributeError)) as caught:
        exec(f"class Bad(base):\n{body}", {"base": base})
    return f"{type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize(
    "body",
    [
        "    a: int = 0\n    b: int\n",  # a field without a default after one with
        "    a: int = 0\n    b: int = 1\n    c: str\n",
        "    a: int\n    def _replace(self): pass\n",  # a namedtuple method overwritten
        "    a: int\n    __slots__ = ('a',)\n",
    ],
)
def test_the_same_mistakes_are_refused_the_same_way(body: str) -> None:
    assert _error(named_tuple.NamedTuple, body) == _error(typing.NamedTuple, body)


def test_a_record_without_fields_is_refused() -> None:
    """(typing allows one; ours refuses it, the sign of a module without the annotations
    future import on Python 3.14, whose class bodies hold no annotations)"""
    with pytest.raises(TypeError, match="Empty: no fields found"):
        exec("class Empty(base):\n    pass\n", {"base": named_tuple.NamedTuple})
