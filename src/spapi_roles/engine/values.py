"""What an expression may evaluate to, statically: the small value domain of the resolver.

Strings carry the node they are reported at (``site``). Containers keep their literal node and
the point it is evaluated at, so elements are evaluated on demand. Anything the resolver cannot
see through is ``UNKNOWN``; objects it knows but that are not SP-API clients are ``Opaque``.
Values are immutable and hashable; ``ast`` nodes and scopes compare by identity.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional, Tuple, Union

from ..uses import TypeKind
from .clients import EntityKind
from .model import ClassInfo, Point, Scope

# Where a type name is written: (the module's path, its string literal or enum member node).
Written = Tuple[str, ast.AST]


class Value:
    """Base of the value domain."""


class Unknown(Value):
    """Not resolvable (a parameter without facts, config, environment...)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Opaque(Value):
    """A known object that is not an SP-API client (an external class instance, a response...)."""

    what: str


@dataclass(frozen=True)
class Str(Value):
    """A string; ``holes`` when parts are unknown (written as ``{}``), e.g. an f-string URL.

    ``origins``: where a type name it holds is written (the literal, also when the value has
    travelled through names and calls since; ``site`` follows the expression evaluated).
    """

    value: str
    site: Optional[ast.AST]
    holes: bool = False
    origins: Tuple[Written, ...] = ()
    pinned: bool = False  # a class attribute read through ``self``: reported where it is written

    def at(self, site: ast.AST) -> "Str":
        return self if self.pinned else Str(self.value, site, self.holes, self.origins)


@dataclass(frozen=True)
class EnumMember(Value):
    """A member of a package's ReportType / FeedType / NotificationType enum."""

    kind: TypeKind
    value: str
    site: Optional[ast.AST]
    origins: Tuple[Written, ...] = ()  # where the member (or the name picking it) is written
    pinned: bool = False  # as for ``Str``

    def at(self, site: ast.AST) -> "EnumMember":
        return self if self.pinned else EnumMember(self.kind, self.value, site, self.origins)


Scalar = Union[Str, EnumMember]  # what a type or a URL may be read from


@dataclass(frozen=True)
class Container(Value):
    """A dict / list / tuple / set literal or comprehension, with the point it is evaluated at."""

    node: ast.AST
    point: Point


@dataclass(frozen=True)
class Packed(Value):
    """One element of an iteration that unpacks: ``(key, value)`` of ``d.items()``, ``(i, x)`` of
    ``enumerate``, a row of ``zip``; ``parts[i]`` are the values of its ``i``-th part."""

    parts: Tuple[Tuple[Value, ...], ...]


@dataclass(frozen=True)
class Iterable(Value):
    """What ``d.items()``, ``enumerate(x)``, ``zip(a, b)``, ``sorted(x)``... yield, element-wise."""

    elements: Tuple[Value, ...]


@dataclass(frozen=True)
class QName(Value):
    """A qualified name outside the project that is not a known client entity ("requests.post")."""

    name: str


@dataclass(frozen=True)
class Entity(Value):
    """A client-package entity: class, dispatch class, version / type enum, root, decorator."""

    kind: EntityKind
    target: str


@dataclass(frozen=True)
class ClientObj(Value):
    """An instance of client class(es): several when a ``version=`` could not be resolved.

    ``front`` is the dispatching class it came from (its other versions are the fallback when
    the chosen version lacks a method).
    """

    classes: Tuple[str, ...]
    front: Optional[str] = None
    versions: Tuple[str, ...] = ()


@dataclass(frozen=True)
class RootObj(Value):
    """An object whose attributes are API clients (SellingPartner, AmazonSpApiClients...)."""

    root: str


@dataclass(frozen=True)
class BoundMethod(Value):
    """``getattr(client, "name")``: a client method picked by name; ``site`` is the name's node."""

    obj: ClientObj
    name: str
    site: Optional[ast.AST]


@dataclass(frozen=True)
class ProjectClass(Value):
    """A class defined in the project."""

    info: ClassInfo


@dataclass(frozen=True)
class ProjectObj(Value):
    """An instance of a project class."""

    info: ClassInfo


@dataclass(frozen=True)
class ProjectFunc(Value):
    """A function or method defined in the project; ``self_value`` for a bound method."""

    scope: Scope
    self_value: Optional[Value] = None


@dataclass(frozen=True)
class ProjectModule(Value):
    """A module of the project (by dotted name)."""

    name: str
