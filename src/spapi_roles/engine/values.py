"""What an expression may evaluate to, statically: the small value domain of the resolver.

Strings carry the node they are reported at (``site``). Containers keep their literal node and
the scope it is evaluated in, so elements are evaluated on demand. Anything the resolver cannot
see through is ``UNKNOWN``; objects it knows but that are not SP-API clients are ``Opaque``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst


class Value:
    __slots__ = ()


class Unknown(Value):
    """Not resolvable (parameter without facts, config, environment...)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class Opaque(Value):
    """A known object that is not an SP-API client (an external class instance, a response...)."""

    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.what == self.what

    def __hash__(self) -> int:
        return hash(("opaque", self.what))

    def __repr__(self) -> str:
        return f"Opaque({self.what})"


class Str(Value):
    """A string; ``holes`` when parts are unknown (written as ``{}``), e.g. an f-string URL."""

    __slots__ = ("value", "site", "holes")

    def __init__(self, value: str, site: Optional[cst.CSTNode], holes: bool = False):
        self.value = value
        self.site = site
        self.holes = holes

    def at(self, site: cst.CSTNode) -> "Str":
        return Str(self.value, site, self.holes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Str) and (other.value, other.site, other.holes) == (
            self.value,
            self.site,
            self.holes,
        )

    def __hash__(self) -> int:
        return hash((self.value, id(self.site), self.holes))

    def __repr__(self) -> str:
        return f"Str({self.value!r})"


class EnumMember(Value):
    """A member of a package's ReportType / FeedType / NotificationType enum."""

    __slots__ = ("kind", "value", "site")

    def __init__(self, kind: str, value: str, site: Optional[cst.CSTNode]):
        self.kind = kind
        self.value = value
        self.site = site

    def at(self, site: cst.CSTNode) -> "EnumMember":
        return EnumMember(self.kind, self.value, site)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EnumMember) and (other.kind, other.value, other.site) == (
            self.kind,
            self.value,
            self.site,
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.value, id(self.site)))

    def __repr__(self) -> str:
        return f"EnumMember({self.kind}:{self.value})"


class Container(Value):
    """A dict / list / tuple / set literal, with the scope its elements are evaluated in."""

    __slots__ = ("node", "scope", "order", "blocks")

    def __init__(self, node: cst.CSTNode, scope, order, blocks):
        self.node = node
        self.scope = scope
        self.order = order
        self.blocks = blocks

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Container) and other.node is self.node and other.scope is self.scope
        )

    def __hash__(self) -> int:
        return hash((id(self.node), id(self.scope)))

    def __repr__(self) -> str:
        return f"Container({type(self.node).__name__})"


class QName(Value):
    """A qualified name outside the project that is not a known client entity ("requests.post")."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QName) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("qname", self.name))

    def __repr__(self) -> str:
        return f"QName({self.name})"


class Entity(Value):
    """A client-package entity: class, dispatch class, version / type enum, root, decorator."""

    __slots__ = ("kind", "target")

    def __init__(self, kind: str, target: str):
        self.kind = kind
        self.target = target

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and (other.kind, other.target) == (self.kind, self.target)

    def __hash__(self) -> int:
        return hash(("entity", self.kind, self.target))

    def __repr__(self) -> str:
        return f"Entity({self.kind}:{self.target})"


class ClientObj(Value):
    """An instance of client class(es): several when a ``version=`` could not be resolved.

    ``front`` is the dispatching class it came from (its other versions are the fallback when
    the chosen version lacks a method).
    """

    __slots__ = ("classes", "front", "versions")

    def __init__(
        self, classes: Tuple[str, ...], front: Optional[str] = None, versions: Tuple[str, ...] = ()
    ):
        self.classes = classes
        self.front = front
        self.versions = versions

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientObj) and (other.classes, other.front) == (
            self.classes,
            self.front,
        )

    def __hash__(self) -> int:
        return hash(("client", self.classes, self.front))

    def __repr__(self) -> str:
        return f"ClientObj({','.join(self.classes)})"


class RootObj(Value):
    """An object whose attributes are API clients (SellingPartner, AmazonSpApiClients...)."""

    __slots__ = ("root",)

    def __init__(self, root: str):
        self.root = root

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RootObj) and other.root == self.root

    def __hash__(self) -> int:
        return hash(("root", self.root))

    def __repr__(self) -> str:
        return f"RootObj({self.root})"


class BoundMethod(Value):
    """``getattr(client, "name")``: a client method picked by name; ``site`` is the name's node."""

    __slots__ = ("obj", "name", "site")

    def __init__(self, obj: ClientObj, name: str, site: Optional[cst.CSTNode]):
        self.obj = obj
        self.name = name
        self.site = site

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoundMethod) and (other.obj, other.name, other.site) == (
            self.obj,
            self.name,
            self.site,
        )

    def __hash__(self) -> int:
        return hash(("bound", self.obj, self.name, id(self.site)))


class ProjectClass(Value):
    """A class defined in the project (``info`` is its ClassInfo)."""

    __slots__ = ("info",)

    def __init__(self, info):
        self.info = info

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectClass) and other.info is self.info

    def __hash__(self) -> int:
        return hash(("pclass", id(self.info)))

    def __repr__(self) -> str:
        return f"ProjectClass({self.info.qualname})"


class ProjectObj(Value):
    """An instance of a project class."""

    __slots__ = ("info",)

    def __init__(self, info):
        self.info = info

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectObj) and other.info is self.info

    def __hash__(self) -> int:
        return hash(("pobj", id(self.info)))

    def __repr__(self) -> str:
        return f"ProjectObj({self.info.qualname})"


class ProjectFunc(Value):
    """A function or method defined in the project; ``self_value`` for a bound method."""

    __slots__ = ("scope", "self_value")

    def __init__(self, scope, self_value: Optional[Value] = None):
        self.scope = scope
        self.self_value = self_value

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ProjectFunc)
            and other.scope is self.scope
            and other.self_value == self.self_value
        )

    def __hash__(self) -> int:
        return hash(("pfunc", id(self.scope), self.self_value))

    def __repr__(self) -> str:
        return f"ProjectFunc({self.scope.qualname})"


class ProjectModule(Value):
    """A module of the project (by dotted name)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectModule) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("pmod", self.name))

    def __repr__(self) -> str:
        return f"ProjectModule({self.name})"
