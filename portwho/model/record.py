"""The base of portwho's frozen records (model, facts, registry) and named constants (verdicts,
outcomes, exit codes).

They are on every lookup's path, so they are plain classes whose methods are compiled into the
.pyc, not dataclasses or enums: see Record and Constant.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs more than a lookup's own work
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    R = TypeVar("R", bound="Record")


class Record:
    """What `@dataclass(frozen=True, slots=True, kw_only=True)` gave these records (equality
    and hash by field, a repr, no assignment after __init__), written out once. Importing
    dataclasses (it brings inspect, ast and re) and having it exec each record's methods cost
    18 ms of every lookup; these records are built in plain code compiled into the .pyc."""

    __slots__ = ()
    #: the fields in declaration order (__slots__ is kept sorted)
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of frozen {type(self).__name__}")

    def values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, f) for f in self.FIELDS])

    def as_dict(self) -> dict[str, Any]:
        """Field name -> value (what dataclasses.asdict gave for these flat records)."""
        return {f: getattr(self, f) for f in self.FIELDS}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.values() == other.values()

    def __hash__(self) -> int:
        return hash(self.values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS)
        return f"{type(self).__name__}({inner})"

    def but(self: R, **changes: Any) -> R:
        """A copy with `changes` (what dataclasses.replace did)."""
        return type(self)(**(self.as_dict() | changes))

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle: __setattr__ refuses
        return (_rebuild, (type(self), self.as_dict()))


def _rebuild(cls: type[Record], values: dict[str, Any]) -> Record:
    return cls(**values)


class Constant(str):
    """A named string constant, what a `(str, enum.Enum)` member gave: compared by identity
    (`verdict is Verdict.FREE`) or as the str it is, its JSON form is `.value`. Not an enum:
    enum's import (it brings functools and collections) was a tenth of `portwho -q PORT`.
    Subclasses declare each member as a ClassVar and set it once, after the class."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.value!r}>"

    def __copy__(self) -> Constant:
        return self

    def __deepcopy__(self, memo: object) -> Constant:
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # unpickled as the same member, like an enum
        return (_member, (type(self), self.value))


def _member(cls: type[Constant], value: str) -> Constant:
    return next(v for v in vars(cls).values() if type(v) is cls and v == value)
