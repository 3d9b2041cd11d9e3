"""``NamedTuple`` for the records ``check`` and ``status`` read, without importing
:mod:`typing` at run time: importing it costs those two commands a twentieth of their time.

A type checker sees :class:`typing.NamedTuple` itself. At run time a class written the
same way is made as :mod:`typing` makes it (Python 3.11): by
:func:`collections.namedtuple`, its fields from the class's annotations and their
defaults from the values given, then its methods, properties and docstring set on it.
``tests/test_named_tuple.py`` holds both to the same behaviour. One difference: a class
with no fields is refused, since without ``from __future__ import annotations`` in its
module Python 3.14 no longer gives the class body its annotations.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; type checkers know it
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # typing's own lists: what the made class keeps as given, and what it refuses
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})
    _PROHIBITED = frozenset(
        {
            "__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
            "_field_defaults", "_make", "_replace", "_asdict", "_source",
        }
    )  # fmt: skip

    class _Maker(type):
        def __new__(cls, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(cls, name, bases, namespace)
            if bases != (NamedTuple,):
                raise TypeError("can only inherit from a NamedTuple type")
            annotations = namespace.get("__annotations__", {})
            if not annotations:  # (without the future import, Python 3.14 keeps them elsewhere)
                raise TypeError(
                    f"{name}: no fields found (its module needs the annotations future import)"
                )
            with_default = []
            for field in annotations:
                if field in namespace:
                    with_default.append(field)
                elif with_default:
                    raise TypeError(
                        f"Non-default namedtuple field {field} cannot follow default "
                        f"field{'s' if len(with_default) > 1 else ''} {', '.join(with_default)}"
                    )
            made = namedtuple(
                name,
                annotations,
                defaults=[namespace[field] for field in with_default],
                module=namespace["__module__"],
            )
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    class NamedTuple(metaclass=_Maker):
        """The base of a record: ``class Point(NamedTuple): x: int; y: int = 0``."""
