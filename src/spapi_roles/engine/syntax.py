"""One pass over a libcst tree: scopes, bindings, calls and string literals of a module.

The pass is a hand-written walk in source order (much cheaper than a ``CSTVisitor``, which
dispatches on every whitespace node). It records what the resolution needs and nothing else:

- scopes (module, class, function, lambda, comprehension) with their name bindings, each with
  its statement order and enclosing blocks (for a cheap "latest binding before the use" rule);
- classes with ``self.<attr>`` assignments from any method and ``self.<attr>[key] = ...`` items;
- every call, every dict literal with a ``"path"`` key, string literals equal to a type name
  (docstrings excluded) and attributes named like a type (``ReportType.X``);
- expression names, attributes and string literals in source order, so that positions can be
  looked up afterwards for the few nodes that are reported (see ``positions.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

Order = Tuple[int, int]
Blocks = Tuple[int, ...]

MODULE, CLASS, FUNCTION, LAMBDA, COMPREHENSION = (
    "module",
    "class",
    "function",
    "lambda",
    "comprehension",
)
_NOT_NAMES = frozenset(("True", "False", "None"))  # libcst Names, ast Constants


class Binding:
    """One binding of a name: ``kind`` says what the value means.

    assign: ``value`` is the assigned expression; with: the context expression (clients return
    themselves); for: ``value`` is the iterable (the name takes its elements); param: ``value`` is
    the default, ``index`` the position; import: ``target`` is the qualified name; def / class:
    ``target`` is the Scope / ClassInfo; other: not followed.
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
        "node",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        scope: "Scope",
        order: Order,
        blocks: Blocks,
        value: Optional[cst.CSTNode] = None,
        annotation: Optional[cst.CSTNode] = None,
        target: object = None,
        index: int = -1,
        node: Optional[cst.CSTNode] = None,
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
        self.node = node


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
        kind: str,
        name: str,
        parent: Optional["Scope"],
        node: cst.CSTNode,
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
        self.returns: List[Tuple[cst.CSTNode, Order, Blocks]] = []
        self.calls: List["CallRecord"] = []
        self.params: List[Binding] = []
        self.cls: Optional["ClassInfo"] = None  # for class scopes
        self.method_of: Optional["ClassInfo"] = None  # for functions defined in a class body
        self.self_name: Optional[str] = None
        self.decorators: Sequence[cst.Decorator] = ()
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

    def __init__(self, name: str, node: cst.ClassDef, scope: Scope, outer: Scope):
        self.name = name
        self.node = node
        self.scope = scope
        self.outer = outer
        self.module = scope.module
        self.bases: List[cst.BaseExpression] = [
            arg.value for arg in node.bases if not arg.keyword and not arg.star
        ]
        self.attrs: Dict[str, List[Binding]] = {}  # self.attr = value (any method)
        self.items: Dict[str, List[Binding]] = {}  # self.attr[key] = value
        self.qualname = scope.qualname


class CallRecord:
    __slots__ = ("node", "scope", "order", "blocks")

    def __init__(self, node: cst.Call, scope: Scope, order: Order, blocks: Blocks):
        self.node = node
        self.scope = scope
        self.order = order
        self.blocks = blocks


class ModuleInfo:
    """Everything the resolution needs from one module."""

    def __init__(
        self, path: str, module_name: str, is_package: bool, module: cst.Module, source: str
    ):
        self.path = path
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.tree = module
        self.source = source
        self.scope = Scope(MODULE, module_name, None, module, self)
        self.classes: List[ClassInfo] = []
        self.calls: List[CallRecord] = []
        self.path_dicts: List[Tuple[cst.Dict, Scope, Order, Blocks]] = []
        self.type_literals: List[Tuple[cst.CSTNode, str, Scope]] = []  # (string node, value, scope)
        self.type_attributes: List[Tuple[cst.Attribute, Scope, Order, Blocks]] = []
        self.imported: Set[str] = set()  # qualified names imported
        self.defined_methods: Set[str] = set()  # every def name
        self.comprehensions: Dict[int, Scope] = {}  # id(node) -> its scope
        self.standard_tree: Optional[object] = None  # ``ast`` tree, for positions
        self.position_tables: Optional[dict] = None  # built from it (positions.py)
        self._calls_by_name: Optional[Dict[str, List["CallRecord"]]] = None  # see calls_named
        # source-order lists for positions
        self.names: List[cst.Name] = []
        self.attributes: List[cst.Attribute] = []
        self.strings: List[cst.CSTNode] = []
        self.fstrings: List[cst.CSTNode] = []

    def calls_named(self, name: str) -> List["CallRecord"]:
        """The calls ``name(...)`` or ``<expression>.name(...)``, in source order (lazy index)."""
        if self._calls_by_name is None:
            table: Dict[str, List[CallRecord]] = {}
            for record in self.calls:
                func = record.node.func
                called = (
                    func.value
                    if isinstance(func, cst.Name)
                    else func.attr.value if isinstance(func, cst.Attribute) else None
                )
                if called is not None:
                    table.setdefault(called, []).append(record)
            self._calls_by_name = table
        return self._calls_by_name.get(name, [])


def string_pieces(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The simple and formatted strings of an implicit concatenation, in order (iteratively)."""
    pieces: List[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.ConcatenatedString):
            stack.append(current.right)
            stack.append(current.left)
        else:
            pieces.append(current)
    return pieces


def _simple_value(node: cst.SimpleString) -> Optional[str]:
    raw = node.value
    i = 0
    while raw[i] not in "'\"":
        i += 1
    prefix = raw[:i].lower()
    if "b" in prefix:
        return None
    quote = raw[i:i + 3] if raw[i:i + 3] in ('"""', "'''") else raw[i]
    body = raw[i + len(quote):len(raw) - len(quote)]
    if "\\" in body and "r" not in prefix:
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return body


def string_value(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain (non-f, non-bytes) string literal node, else None."""
    if isinstance(node, cst.SimpleString):
        return _simple_value(node)
    if isinstance(node, cst.ConcatenatedString):
        parts = []
        for piece in string_pieces(node):
            value = _simple_value(piece) if isinstance(piece, cst.SimpleString) else None
            if value is None:
                return None
            parts.append(value)
        return "".join(parts)
    return None


def _has_fstring(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        return any(isinstance(piece, cst.FormattedString) for piece in string_pieces(node))
    return isinstance(node, cst.FormattedString)


def _is_bytes(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        node = string_pieces(node)[0]
    return isinstance(node, cst.SimpleString) and "b" in node.prefix.lower()


_SKIP_FIELDS = frozenset(
    (
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "newline",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "indent",
        "colon",
        "equal",
        "dot",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "asynchronous",
        "operator",
        "star",
        "conversion",
        "trailing_whitespace",
        "separator",
        "trailing_comma",
        "encoding",
        "default_indent",
        "default_newline",
        "has_trailing_newline",
        "relative",
        "prefix",
        "quote",
    )
)
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(cls: type) -> Tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
    return fields


class Collector:
    """The walk. ``collect()`` returns a filled ModuleInfo."""

    def __init__(self, info: ModuleInfo, type_names: FrozenSet[str]):
        self.info = info
        self.type_names = type_names
        self.scope = info.scope
        self.stmt = 0
        self.blocks: Blocks = ()
        self.block_counter = 0
        self.in_fstring = 0
        self.handlers: Dict[type, Callable[[cst.CSTNode], None]] = {
            cst.Name: self.on_name,
            cst.Attribute: self.on_attribute,
            cst.Call: self.on_call,
            cst.SimpleString: self.on_string,
            cst.ConcatenatedString: self.on_string,
            cst.FormattedString: self.on_fstring,
            cst.Arg: self.on_arg,
            cst.Subscript: self.on_chain,
            cst.BinaryOperation: self.on_operation,
            cst.BooleanOperation: self.on_operation,
            cst.SimpleStatementLine: self.on_statement_line,
            cst.SimpleStatementSuite: self.on_statement_line,
            cst.IndentedBlock: self.on_block_body,
            cst.Expr: self.on_expr,
            cst.Assign: self.on_assign,
            cst.AnnAssign: self.on_annassign,
            cst.AugAssign: self.on_augassign,
            cst.Return: self.on_return,
            cst.Import: self.on_import,
            cst.ImportFrom: self.on_import_from,
            cst.Global: self.on_global,
            cst.Nonlocal: self.on_global,
            cst.FunctionDef: self.on_function,
            cst.ClassDef: self.on_class,
            cst.Lambda: self.on_lambda,
            cst.If: self.on_if,
            cst.For: self.on_for,
            cst.While: self.on_while,
            cst.With: self.on_with,
            cst.Try: self.on_try,
            cst.TryStar: self.on_try,
            cst.ExceptHandler: self.on_except,
            cst.ExceptStarHandler: self.on_except,
            cst.IfExp: self.on_ifexp,
            cst.ListComp: self.on_comprehension,
            cst.SetComp: self.on_comprehension,
            cst.GeneratorExp: self.on_comprehension,
            cst.DictComp: self.on_comprehension,
            cst.Dict: self.on_dict,
            cst.NamedExpr: self.on_namedexpr,
            cst.Match: self.on_match,
            cst.MatchAs: self.on_match_as,
            cst.MatchStar: self.on_nothing,
            cst.MatchSingleton: self.on_nothing,
            cst.MatchKeywordElement: self.on_match_keyword,
            cst.MatchMapping: self.on_match_mapping,
            cst.TypeAlias: self.on_type_alias,
            cst.TypeParameters: self.on_nothing,
            cst.Integer: self.on_nothing,
            cst.Float: self.on_nothing,
            cst.Imaginary: self.on_nothing,
            cst.Ellipsis: self.on_nothing,
            cst.Pass: self.on_nothing,
            cst.Break: self.on_nothing,
            cst.Continue: self.on_nothing,
            cst.EmptyLine: self.on_nothing,
            cst.Comment: self.on_nothing,
        }

    # ------------------------------------------------------------------ driving
    def collect(self) -> ModuleInfo:
        module = self.info.tree
        self.body(module.body, docstring_owner=True)
        return self.info

    def visit(self, node: Optional[cst.CSTNode]) -> None:
        if node is None or isinstance(node, cst.MaybeSentinel):
            return
        handler = self.handlers.get(type(node))
        if handler is not None:
            handler(node)
            return
        for name in _fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self.visit(value)
            elif type(value) is tuple or type(value) is list:
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self.visit(item)

    def visit_all(self, nodes: Sequence[cst.CSTNode]) -> None:
        for node in nodes:
            self.visit(node)

    def at(self) -> Order:
        return (self.stmt, 0)

    def bound_at(self) -> Order:
        return (self.stmt, 1)

    def body(self, statements: Sequence[cst.CSTNode], docstring_owner: bool = False) -> None:
        for i, statement in enumerate(statements):
            if i == 0 and docstring_owner and self._docstring(statement):
                continue
            self.stmt += 1
            self.visit(statement)

    def _docstring(self, statement: cst.CSTNode) -> bool:
        """Record a docstring's position only (it is never a use)."""
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            expr = statement.body[0]
            if isinstance(expr, cst.Expr) and isinstance(
                expr.value, (cst.SimpleString, cst.ConcatenatedString)
            ):
                if not _has_fstring(expr.value):
                    self.stmt += 1
                    if not _is_bytes(expr.value):
                        self.info.strings.append(expr.value)
                    return True
        return False

    def block(self, node: Optional[cst.CSTNode], docstring_owner: bool = False) -> None:
        """A nested block (if/else/for/while/try/with body): its statements get a new block id."""
        if node is None:
            return
        self.block_counter += 1
        saved = self.blocks
        self.blocks = saved + (self.block_counter,)
        if isinstance(node, cst.IndentedBlock):
            self.body(node.body, docstring_owner)
        elif isinstance(node, cst.SimpleStatementSuite):
            self.body(node.body, docstring_owner)
        else:
            self.visit(node)
        self.blocks = saved

    def on_nothing(self, node: cst.CSTNode) -> None:
        return

    def on_block_body(self, node: cst.IndentedBlock) -> None:
        self.body(node.body)

    def on_statement_line(
        self, node: Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]
    ) -> None:
        for i, small in enumerate(node.body):
            if i:
                self.stmt += 1
            self.visit(small)

    # ------------------------------------------------------------------ leaves
    def on_name(self, node: cst.Name) -> None:
        if node.value not in _NOT_NAMES:
            self.info.names.append(node)

    def on_attribute(self, node: cst.Attribute) -> None:
        self.on_chain(node)

    def on_chain(self, node: cst.CSTNode) -> None:
        """``a.b(c)[d].e(...)`` chains, iteratively (builder-style chains can be very long)."""
        chain: List[cst.CSTNode] = []
        while isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)):
            chain.append(node)
            node = node.func if isinstance(node, cst.Call) else node.value
        self.visit(node)
        for link in reversed(chain):
            if isinstance(link, cst.Attribute):
                self.info.attributes.append(link)
                if link.attr.value in self.type_names:
                    self.info.type_attributes.append((link, self.scope, self.at(), self.blocks))
            elif isinstance(link, cst.Call):
                record = CallRecord(link, self.scope, self.at(), self.blocks)
                self.info.calls.append(record)
                self.scope.calls.append(record)
                for arg in link.args:
                    self.visit(arg.value)
            else:
                for element in link.slice:
                    self.visit(element.slice)

    def on_operation(self, node: Union[cst.BinaryOperation, cst.BooleanOperation]) -> None:
        """Left-nested ``a + b + c ...`` chains, iteratively."""
        rights: List[cst.CSTNode] = []
        while isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            rights.append(node.right)
            node = node.left
        self.visit(node)
        for right in reversed(rights):
            self.visit(right)

    def on_string(self, node: cst.CSTNode) -> None:
        if self.in_fstring or _has_fstring(node):
            if not self.in_fstring:
                self.info.fstrings.append(node)
            self.in_fstring += 1
            for piece in string_pieces(node):
                if isinstance(piece, cst.FormattedString):
                    self.on_fstring(piece)
            self.in_fstring -= 1
            return
        if _is_bytes(node):
            return
        self.info.strings.append(node)
        value = string_value(node)
        if value is not None and value in self.type_names:
            self.info.type_literals.append((node, value, self.scope))

    def on_fstring(self, node: cst.FormattedString) -> None:
        if not self.in_fstring:
            self.info.fstrings.append(node)
        self.in_fstring += 1
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                self.visit(part.expression)
                if part.format_spec:
                    self.visit_all(part.format_spec)
        self.in_fstring -= 1

    # ------------------------------------------------------------------ expressions
    def on_call(self, node: cst.Call) -> None:
        self.on_chain(node)

    def on_arg(self, node: cst.Arg) -> None:
        self.visit(node.value)

    def on_expr(self, node: cst.Expr) -> None:
        self.visit(node.value)

    def on_ifexp(self, node: cst.IfExp) -> None:
        self.visit(node.body)
        self.visit(node.test)
        self.visit(node.orelse)

    def on_dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == "path":
                self.info.path_dicts.append((node, self.scope, self.at(), self.blocks))
                break
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self.visit(element.key)
            self.visit(element.value)

    def on_namedexpr(self, node: cst.NamedExpr) -> None:
        self.visit(node.target)
        self.visit(node.value)
        if isinstance(node.target, cst.Name):
            scope = self.scope
            while scope.kind == COMPREHENSION and scope.parent is not None:
                scope = scope.parent
            scope.add(
                Binding(
                    node.target.value,
                    "assign",
                    scope,
                    self.bound_at(),
                    self.blocks,
                    value=node.value,
                )
            )

    def on_lambda(self, node: cst.Lambda) -> None:
        self.parameters(node.params, defaults_only=True)
        scope = Scope(LAMBDA, "<lambda>", self.scope, node, self.info)
        saved = self.scope
        self.scope = scope
        self.parameters(node.params, bind=scope)
        self.visit(node.body)
        self.scope = saved

    def on_comprehension(self, node: cst.CSTNode) -> None:
        scope = Scope(COMPREHENSION, "<comprehension>", self.scope, node, self.info)
        self.info.comprehensions[id(node)] = scope
        saved = self.scope
        self.scope = scope
        if isinstance(node, cst.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        comp: Optional[cst.CompFor] = node.for_in
        while comp is not None:
            self.visit(comp.target)
            self.bind_target(comp.target, "for", comp.iter)
            self.visit(comp.iter)
            for condition in comp.ifs:
                self.visit(condition.test)
            comp = comp.inner_for_in
        self.scope = saved

    # ------------------------------------------------------------------ bindings
    def bind_target(
        self,
        target: cst.CSTNode,
        kind: str,
        value: Optional[cst.CSTNode],
        annotation: Optional[cst.CSTNode] = None,
    ) -> None:
        scope = self.scope
        if isinstance(target, cst.Name):
            owner = self.info.scope if target.value in scope.globals else scope
            owner.add(
                Binding(
                    target.value,
                    kind,
                    owner,
                    self.bound_at(),
                    self.blocks,
                    value=value,
                    annotation=annotation,
                    node=target,
                )
            )
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: Optional[Sequence[cst.BaseElement]] = None
            if (
                kind == "assign"
                and isinstance(value, (cst.Tuple, cst.List))
                and len(value.elements) == len(target.elements)
            ):
                values = value.elements
            for i, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    self.bind_target(inner, "other", None)
                elif values is not None and not isinstance(values[i], cst.StarredElement):
                    self.bind_target(inner, kind, values[i].value)
                else:
                    self.bind_target(inner, "for" if kind == "for" else "other", None)
        elif isinstance(target, cst.Attribute):
            self.bind_attribute(target, kind, value, annotation)
        elif isinstance(target, cst.Subscript):
            self.bind_item(target, value)

    def _self_attr(self, node: cst.CSTNode) -> Optional[str]:
        """``attr`` if ``node`` is ``<self>.attr`` inside a method."""
        scope = self.scope
        while scope.kind in (LAMBDA, COMPREHENSION) and scope.parent is not None:
            scope = scope.parent
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and scope.method_of is not None
            and scope.self_name is not None
            and node.value.value == scope.self_name
        ):
            return node.attr.value
        return None

    def _method_class(self) -> Optional[ClassInfo]:
        scope = self.scope
        while scope.kind in (LAMBDA, COMPREHENSION) and scope.parent is not None:
            scope = scope.parent
        return scope.method_of

    def bind_attribute(
        self,
        target: cst.Attribute,
        kind: str,
        value: Optional[cst.CSTNode],
        annotation: Optional[cst.CSTNode],
    ) -> None:
        attr = self._self_attr(target)
        if attr is not None:
            cls = self._method_class()
            cls.attrs.setdefault(attr, []).append(
                Binding(
                    attr,
                    kind,
                    self.scope,
                    self.bound_at(),
                    self.blocks,
                    value=value,
                    annotation=annotation,
                )
            )

    def bind_item(self, target: cst.Subscript, value: Optional[cst.CSTNode]) -> None:
        container = target.value
        binding = Binding("", "assign", self.scope, self.bound_at(), self.blocks, value=value)
        attr = self._self_attr(container)
        if attr is not None:
            binding.name = attr
            self._method_class().items.setdefault(attr, []).append(binding)
        elif isinstance(container, cst.Name):
            binding.name = container.value
            scope = self.info.scope if container.value in self.scope.globals else self.scope
            scope.items.setdefault(container.value, []).append(binding)

    def on_assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.visit(target.target)
        self.visit(node.value)
        for target in node.targets:
            self.bind_target(target.target, "assign", node.value)

    def on_annassign(self, node: cst.AnnAssign) -> None:
        self.visit(node.target)
        self.visit(node.annotation)
        self.visit(node.value)
        self.bind_target(
            node.target,
            "assign" if node.value is not None else "annotation",
            node.value,
            node.annotation.annotation,
        )

    def on_augassign(self, node: cst.AugAssign) -> None:
        self.visit(node.target)
        self.visit(node.value)

    def on_return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            scope = self.scope
            scope.returns.append((node.value, self.at(), self.blocks))

    def on_global(self, node: Union[cst.Global, cst.Nonlocal]) -> None:
        if isinstance(node, cst.Global):
            self.scope.globals.update(item.name.value for item in node.names)

    def on_import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            self.info.imported.add(name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind_import(alias.asname.name.value, name)
            else:
                head = name.split(".")[0]
                self._bind_import(head, head)

    def on_import_from(self, node: cst.ImportFrom) -> None:
        base = self.resolve_relative(
            len(node.relative), dotted(node.module) if node.module else ""
        )
        if base is None:
            return
        if isinstance(node.names, cst.ImportStar):
            self.info.imported.add(base + ".*")
            self.scope.add(
                Binding("*", "import", self.scope, self.bound_at(), self.blocks, target=base)
            )
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            qualified = f"{base}.{name}" if base else name
            self.info.imported.add(qualified)
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            self._bind_import(local, qualified)

    def resolve_relative(self, level: int, module: Optional[str]) -> Optional[str]:
        if module is None:
            return None
        if not level:
            return module
        package = self.info.package.split(".") if self.info.package else []
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join([p for p in base if p] + ([module] if module else []))

    def _bind_import(self, local: str, qualified: str) -> None:
        self.scope.add(
            Binding(local, "import", self.scope, self.bound_at(), self.blocks, target=qualified)
        )

    # ------------------------------------------------------------------ definitions
    def parameters(
        self, params: cst.Parameters, bind: Optional[Scope] = None, defaults_only: bool = False
    ) -> None:
        """Visit annotations and defaults (enclosing scope), or bind the names (in ``bind``)."""
        ordered: List[cst.Param] = list(params.posonly_params) + list(params.params)
        positional = len(ordered)
        if isinstance(params.star_arg, cst.Param):
            ordered.append(params.star_arg)
        ordered.extend(params.kwonly_params)
        if params.star_kwarg is not None:
            ordered.append(params.star_kwarg)
        for i, param in enumerate(ordered):
            if bind is None:
                if not defaults_only and param.annotation is not None:
                    self.visit(param.annotation.annotation)
                self.visit(param.default)
            else:
                kind = "param"
                annotation = param.annotation.annotation if param.annotation is not None else None
                binding = Binding(
                    param.name.value,
                    kind,
                    bind,
                    (self.stmt, 1),
                    (),
                    value=param.default,
                    annotation=annotation,
                    index=i if i < positional else -1,
                    node=param,
                )
                bind.add(binding)
                bind.params.append(binding)

    def on_function(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.visit(decorator.decorator)
        self.parameters(node.params)
        if node.returns is not None:
            self.visit(node.returns.annotation)
        outer = self.scope
        scope = Scope(FUNCTION, node.name.value, outer, node, self.info)
        scope.decorators = node.decorators
        decorator_names = {(dotted(d.decorator) or "").rpartition(".")[2] for d in node.decorators}
        scope.staticmethod = "staticmethod" in decorator_names
        scope.classmethod = "classmethod" in decorator_names
        scope.property = not decorator_names.isdisjoint(("property", "cached_property"))
        if outer.kind == CLASS:
            scope.method_of = outer.cls
            if not scope.staticmethod and (node.params.posonly_params or node.params.params):
                first = (list(node.params.posonly_params) + list(node.params.params))[0]
                scope.self_name = first.name.value
        self.info.defined_methods.add(node.name.value)
        outer.add(
            Binding(
                node.name.value, "def", outer, self.bound_at(), self.blocks, target=scope, node=node
            )
        )
        saved = (self.scope, self.blocks)
        self.scope, self.blocks = scope, ()
        self.parameters(node.params, bind=scope)
        self.block(node.body, docstring_owner=True)
        self.scope, self.blocks = saved

    def on_class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.visit(decorator.decorator)
        for arg in node.bases:
            self.visit(arg.value)
        for arg in node.keywords:
            self.visit(arg.value)
        outer = self.scope
        scope = Scope(CLASS, node.name.value, outer, node, self.info)
        info = ClassInfo(node.name.value, node, scope, outer)
        scope.cls = info
        self.info.classes.append(info)
        outer.add(
            Binding(
                node.name.value,
                "class",
                outer,
                self.bound_at(),
                self.blocks,
                target=info,
                node=node,
            )
        )
        saved = (self.scope, self.blocks)
        self.scope, self.blocks = scope, ()
        self.block(node.body, docstring_owner=True)
        self.scope, self.blocks = saved

    # ------------------------------------------------------------------ compound statements
    def on_if(self, node: cst.If) -> None:
        self.visit(node.test)
        self.block(node.body)
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            self.stmt += 1
            self.block_counter += 1
            saved = self.blocks
            self.blocks = saved + (self.block_counter,)
            self.on_if(orelse)
            self.blocks = saved
        elif isinstance(orelse, cst.Else):
            self.block(orelse.body)

    def on_for(self, node: cst.For) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        self.bind_target(node.target, "for", node.iter)
        self.block(node.body)
        if node.orelse is not None:
            self.block(node.orelse.body)

    def on_while(self, node: cst.While) -> None:
        self.visit(node.test)
        self.block(node.body)
        if node.orelse is not None:
            self.block(node.orelse.body)

    def on_with(self, node: cst.With) -> None:
        for item in node.items:
            self.visit(item.item)
            if item.asname is not None:
                self.visit(item.asname.name)
                self.bind_target(item.asname.name, "with", item.item)
        self.block(node.body)

    def on_try(self, node: Union[cst.Try, cst.TryStar]) -> None:
        self.block(node.body)
        for handler in node.handlers:
            self.stmt += 1
            self.visit(handler)
        if node.orelse is not None:
            self.block(node.orelse.body)
        if node.finalbody is not None:
            self.block(node.finalbody.body)

    def on_except(self, node: Union[cst.ExceptHandler, cst.ExceptStarHandler]) -> None:
        self.visit(node.type)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.scope.add(
                Binding(node.name.name.value, "other", self.scope, self.bound_at(), self.blocks)
            )
        self.block(node.body)

    def on_match(self, node: cst.Match) -> None:
        self.visit(node.subject)
        for case in node.cases:
            self.stmt += 1
            self.visit(case.pattern)
            self.visit(case.guard)
            self.block(case.body)

    def on_match_as(self, node: cst.MatchAs) -> None:
        self.visit(node.pattern)
        if node.name is not None:
            self.scope.add(
                Binding(node.name.value, "other", self.scope, self.bound_at(), self.blocks)
            )

    def on_match_keyword(self, node: cst.MatchKeywordElement) -> None:
        self.visit(node.pattern)

    def on_match_mapping(self, node: cst.MatchMapping) -> None:
        for element in node.elements:
            self.visit(element.key)
            self.visit(element.pattern)

    def on_type_alias(self, node: cst.TypeAlias) -> None:
        self.visit(node.name)
        self.visit(node.value)


def dotted(node: Optional[cst.CSTNode]) -> Optional[str]:
    """'a.b.c' for a Name / Attribute chain (also a decorator call's function), else None."""
    if isinstance(node, cst.Call):
        node = node.func
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def collect(
    path: str,
    module_name: str,
    is_package: bool,
    tree: cst.Module,
    source: str,
    type_names: FrozenSet[str],
) -> ModuleInfo:
    """Walk ``tree`` once and return its ModuleInfo."""
    info = ModuleInfo(path, module_name, is_package, tree, source)
    return Collector(info, type_names).collect()
