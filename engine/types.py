"""The types of revmech values, shared by the snapshot model, the parameters and the checker.

Values at run time: numbers are int or fractions.Fraction, booleans bool, labels and ids
str, dates datetime.date, durations calendar.Duration, collections tuple (or frozenset
from set operations), tables dict, snapshot objects the attrs classes of `model`.
`None` is "not recorded".
"""

from __future__ import annotations

from .records import frozen

@frozen
class Type:
    """Base: every type has a readable name used in checker messages."""

    def describe(self) -> str:  # "a number", "a list of dates"
        raise NotImplementedError


@frozen
class Scalar(Type):
    name: str  # number | boolean | text | date | duration
    article: str = "a"

    def describe(self) -> str:
        return f"{self.article} {self.name}"

    def __str__(self) -> str:
        return self.name


NUMBER = Scalar("number")
BOOLEAN = Scalar("boolean")
TEXT = Scalar("text")
DATE = Scalar("date")
DURATION = Scalar("duration")


@frozen
class Entity(Type):
    """A snapshot object (State, Review, ...). `name` is the model class name."""

    name: str

    def describe(self) -> str:
        article = "an" if self.name[0] in "AEIOU" else "a"
        return f"{article} {self.name}"

    def __str__(self) -> str:
        return self.name


@frozen
class Actor(Type):
    """A State, or a label for someone who is not one ("secretariat", "public")."""

    def describe(self) -> str:
        return "a State or a label"

    def __str__(self) -> str:
        return "State or label"


ACTOR = Actor()


@frozen
class ListOf(Type):
    item: Type

    def describe(self) -> str:
        return f"a list of {plural(self.item)}"

    def __str__(self) -> str:
        return f"list of {self.item}"


@frozen
class MapOf(Type):
    key: Type
    value: Type

    def describe(self) -> str:
        return f"a table from {plural(self.key)} to {plural(self.value)}"

    def __str__(self) -> str:
        return f"table {self.key} -> {self.value}"


@frozen
class Unknown(Type):
    """Unknown statically (e.g. the element of an empty list): checks pass through it."""

    def describe(self) -> str:
        return "a value"

    def __str__(self) -> str:
        return "any"


ANY = Unknown()


def plural(t: Type) -> str:
    if isinstance(t, Scalar):
        return {"text": "texts", "boolean": "booleans"}.get(t.name, t.name + "s")
    if isinstance(t, Entity):
        if t.name.endswith("s"):  # Consultations
            return t.name
        if t.name.endswith("y") and t.name[-2:-1] not in "aeiou":  # Treaty, NgoSummary
            return t.name[:-1] + "ies"
        return t.name + "s"
    if isinstance(t, Actor):
        return "States or labels"
    return str(t) + "s"


def element(t: Type) -> Type | None:
    """What ranging over a value of type `t` yields (a table yields its keys), or None."""
    if isinstance(t, ListOf):
        return t.item
    if isinstance(t, MapOf):
        return t.key
    if isinstance(t, Unknown):
        return ANY
    return None


def is_state_like(t: Type) -> bool:
    return isinstance(t, Actor) or (isinstance(t, Entity) and t.name == "State")


def comparable(a: Type, b: Type) -> bool:
    """May `a = b` ever be true? Ids compare with the objects they name."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return True
    if a == b:
        return True
    stateish = lambda t: is_state_like(t) or t == TEXT  # noqa: E731
    if stateish(a) and stateish(b):
        return True
    if isinstance(a, Entity) and b == TEXT or isinstance(b, Entity) and a == TEXT:
        return True  # an object equals its id
    if isinstance(a, ListOf) and isinstance(b, ListOf):
        return comparable(a.item, b.item)
    if isinstance(a, MapOf) and isinstance(b, MapOf):
        return comparable(a.key, b.key) and comparable(a.value, b.value)
    return False


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two branches or list items, or None."""
    if isinstance(a, Unknown):
        return b
    if isinstance(b, Unknown) or a == b:
        return a
    if is_state_like(a) and is_state_like(b):
        return ACTOR
    if (is_state_like(a) and b == TEXT) or (is_state_like(b) and a == TEXT):
        return ACTOR
    if isinstance(a, ListOf) and isinstance(b, ListOf):
        item = unify(a.item, b.item)
        return ListOf(item) if item is not None else None
    return None
