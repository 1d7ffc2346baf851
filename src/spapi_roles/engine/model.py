"""What the collector records of a module, and the resolution reads: scopes, bindings, calls.

``syntax.py`` fills these in one walk over a module's ``ast``; the resolver, the readers and the
analyzer only read them.
"""

from __future__ import annotations

import ast
from typing import Dict, Final, List, Literal, NamedTuple, Optional, Sequence, Set, Tuple, Union

Order = Tuple[int, int]  # (statement number in the module, 0: its start / 1: after it binds)
Blocks = Tuple[int, ...]  # ids of the enclosing if / for / while / try / with blocks (outer first)

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
MODULE: Final = "module"
CLASS: Final = "class"
FUNCTION: Final = "function"
LAMBDA: Final = "lambda"
COMPREHENSION: Final = "comprehension"

# What a binding's value means (``Binding``).
BindingKind = Literal[
    "assign",
    "annotation",
    "with",
    "for",
    "unpack",
    "unpack-for",
    "param",
    "import",
    "def",
    "class",
    "other",
]


class Point(NamedTuple):
    """Where an expression is evaluated: its scope, the statement order in it, enclosing blocks.

    ``order`` None: anywhere in the scope (every binding of a name may reach).
    """

    scope: "Scope"
    order: Optional[Order]
    blocks: Blocks


def anywhere(scope: "Scope") -> Point:
    """A point in ``scope`` that every binding of the scope may reach."""
    return Point(scope, None, ())


class Binding:
    """One binding of a name: ``kind`` says what the value means.

    assign: ``value`` is the assigned expression; with: the context expression (clients return
    themselves); for: ``value`` is the iterable (the name takes its elements); unpack / unpack-for:
    a name inside a tuple target (``a, b = pair``, ``for k, v in d.items()``), ``value`` the
    assigned expression / the iterable and ``target`` the index path to the name (``(1, 0)`` for
    ``b`` in ``for i, (b, c) in ...``); param: ``value`` is the default, ``index`` the position;
    import: ``target`` is the qualified name; def / class: ``target`` is the Scope / ClassInfo;
    other: not followed.
    """

    __slots__ = (
        "name",
        "kind",
        "value",
        "annotation",
        "order",
        "blocks",
        "scope",
        "target",
        "index",
    )

    def __init__(
        self,
        name: str,
        kind: BindingKind,
        scope: "Scope",
        order: Order,
        blocks: Blocks,
        value: Optional[ast.expr] = None,
        annotation: Optional[ast.expr] = None,
        target: Union[str, "Scope", "ClassInfo", Tuple[int, ...], None] = None,
        index: int = -1,
    ):
        self.name = name
        self.kind = kind
        self.value = value
        self.annotation = annotation
        self.order = order
        self.blocks = blocks
        self.scope = scope
        self.target = target
        self.index = index

    def point(self) -> Point:
        """Where the bound value is evaluated: the start of the binding statement."""
        return Point(self.scope, (self.order[0], 0), self.blocks)


class Scope:
    """A module, class, function, lambda or comprehension scope."""

    __slots__ = (
        "kind",
        "name",
        "parent",
        "node",
        "module",
        "bindings",
        "items",
        "globals",
        "returns",
        "calls",
        "params",
        "cls",
        "method_of",
        "self_name",
        "decorators",
        "qualname",
        "staticmethod",
        "classmethod",
        "property",
    )

    def __init__(
        self,
        kind: ScopeKind,
        name: str,
        parent: Optional["Scope"],
        node: ast.AST,
        module: "ModuleInfo",
    ):
        self.kind = kind
        self.name = name
        self.parent = parent
        self.node = node
        self.module = module
        self.bindings: Dict[str, List[Binding]] = {}
        self.items: Dict[str, List[Binding]] = {}  # name[key] = value
        self.globals: Set[str] = set()
        self.returns: List[Tuple[ast.expr, Point]] = []
        self.calls: List["CallRecord"] = []
        self.params: List[Binding] = []
        self.cls: Optional["ClassInfo"] = None  # for class scopes
        self.method_of: Optional["ClassInfo"] = None  # for functions defined in a class body
        self.self_name: Optional[str] = None
        self.decorators: Sequence[ast.expr] = ()
        self.staticmethod = False
        self.classmethod = False
        self.property = False  # @property / @cached_property: reading the attribute calls it
        if parent is None or parent.kind == MODULE:
            self.qualname = name if kind != MODULE else ""
        else:
            self.qualname = f"{parent.qualname}.{name}" if parent.qualname else name

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


class ClassInfo:
    """A class defined in the analysed module."""

    __slots__ = ("name", "node", "scope", "outer", "bases", "attrs", "items", "qualname", "module")

    def __init__(self, name: str, node: ast.ClassDef, scope: Scope, outer: Scope):
        self.name = name
        self.node = node
        self.scope = scope
        self.outer = outer
        self.module = scope.module
        self.bases: List[ast.expr] = [base for base in node.bases if type(base) is not ast.Starred]
        self.attrs: Dict[str, List[Binding]] = {}  # self.attr = value (any method)
        self.items: Dict[str, List[Binding]] = {}  # self.attr[key] = value
        self.qualname = scope.qualname


class CallRecord:
    """A call and where it is evaluated."""

    __slots__ = ("node", "point")

    def __init__(self, node: ast.Call, point: Point):
        self.node = node
        self.point = point


class MethodValue:
    """``<expression>.<name>`` read as a value, not called where written (``with_retry(c.m, x)``,
    ``partial(c.m)``, ``fns = {"a": c.m}``): ``call`` and ``position`` when it is the positional
    argument ``position`` of ``call`` (whose later arguments are then the method's)."""

    __slots__ = ("node", "point", "call", "position")

    def __init__(
        self, node: ast.Attribute, point: Point, call: Optional[ast.Call], position: int
    ):
        self.node = node
        self.point = point
        self.call = call
        self.position = position


class ModuleInfo:
    """Everything the resolution needs from one module."""

    def __init__(
        self, path: str, module_name: str, is_package: bool, module: ast.Module, source: str
    ):
        self.path = path
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.tree = module
        self.source = source
        self.scope = Scope(MODULE, module_name, None, module, self)
        self.classes: List[ClassInfo] = []
        self.calls: List[CallRecord] = []
        self.path_dicts: List[Tuple[ast.Dict, Point]] = []
        self.decorator_calls: Set[int] = set()  # ids of ``@decorator(...)`` calls (never requests)
        self.request_tuples: List[Tuple[ast.Tuple, Point]] = []  # ("POST", path, body)
        self.type_literals: List[Tuple[ast.Constant, str, Scope]] = []  # (node, value, scope)
        self.type_attributes: List[Tuple[ast.Attribute, Point]] = []
        self.method_values: List[MethodValue] = []  # attributes named like a client method
        self.imported: Set[str] = set()  # qualified names imported
        # imported name -> the other local names ``from m import name as other`` binds it to
        self.import_aliases: Dict[str, Set[str]] = {}
        self.defined_methods: Set[str] = set()  # every def name
        self.comprehensions: Dict[int, Scope] = {}  # id(node) -> its scope
        self.walked: Set[int] = set()  # ids of the expressions walked (see positions.py)
        self._calls_by_name: Optional[Dict[str, List["CallRecord"]]] = None  # see calls_named
        self._passing: Optional[Dict[str, List[Tuple["CallRecord", int, Optional[str]]]]] = None

    def calls_named(self, name: str) -> List["CallRecord"]:
        """The calls ``name(...)`` or ``<expression>.name(...)``, in source order (lazy index)."""
        if self._calls_by_name is None:
            table: Dict[str, List[CallRecord]] = {}
            for record in self.calls:
                func = record.node.func
                called = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else None
                )
                if called is not None:
                    table.setdefault(called, []).append(record)
            self._calls_by_name = table
        return self._calls_by_name.get(name, [])

    def calls_passing(self, name: str) -> List[Tuple["CallRecord", int, Optional[str]]]:
        """Calls with an argument naming ``name`` (``name`` or ``<expression>.name``) as a value:
        (call, index among the written arguments, keyword or None), in source order (lazy)."""
        if self._passing is None:
            table: Dict[str, List[Tuple[CallRecord, int, Optional[str]]]] = {}
            for record in self.calls:
                node = record.node
                for position, arg in enumerate(node.args):
                    named = _named(arg)
                    if named:
                        table.setdefault(named, []).append((record, position, None))
                for keyword in node.keywords:
                    named = _named(keyword.value)
                    if named and keyword.arg is not None:
                        table.setdefault(named, []).append((record, -1, keyword.arg))
            self._passing = table
        return self._passing.get(name, [])


def _named(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    return expr.attr if isinstance(expr, ast.Attribute) else ""
