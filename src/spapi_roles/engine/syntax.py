"""One pass over an ``ast`` tree: the scopes, bindings, calls and string literals of a module.

The pass is a hand-written walk in source order (cheaper than an ``ast.NodeVisitor``). It records
what the resolution needs (the records of ``model.py``) and nothing else:

- scopes (module, class, function, lambda, comprehension) with their name bindings, each with
  its statement order and enclosing blocks (for a cheap "latest binding before the use" rule);
- classes with ``self.<attr>`` assignments from any method and ``self.<attr>[key] = ...`` items;
- every call, every dict literal with a ``"path"`` key, string literals equal to a type name
  (docstrings excluded), attributes named like a type (``ReportType.X``) and attributes named like
  a client method that are read as values rather than called (``with_retry(client.get_order)``);
- but not the type names that are only *mentioned*: compared (``==``, ``in``), handed to a
  logging call, a database filter or a record write (``_MENTIONING_CALLS``), or spelled the MWS
  way (``"_GET_..._DATA_"``, an SP-API use only where it reaches a request, as a carrier's value);
- the ids of the expressions it walked, so that a reported node is known to lie in this module.

The tree is only read, never changed (flake8 shares it with its other plugins).
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple, Type, Union

from . import clients as clients_module
from .model import (
    CLASS,
    COMPREHENSION,
    FUNCTION,
    LAMBDA,
    Binding,
    BindingKind,
    Blocks,
    CallRecord,
    ClassInfo,
    MethodValue,
    ModuleInfo,
    Order,
    Point,
    Scope,
)
from .modules import absolute_module
from .nodes import HTTP_VERBS, Dispatched, arguments, dotted, string_value

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Comprehension = Union[ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp]


# Calls whose arguments mention a type name without requesting it: logging and printing, database
# filters (Django, SQLAlchemy, Odoo domains, Frappe, pymongo) and record writes (ORM creates, row
# inserts, DynamoDB items). No SP-API client method has one of these names.
_MENTIONING_CALLS = frozenset(
    (
        # logging and printing
        "print", "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
        "log", "echo", "secho",
        # database filters
        "filter", "filter_by", "exclude", "where", "search", "search_read", "search_count",
        "get_all", "get_list", "get_value", "find", "find_one", "count_documents",
        # record writes
        "create", "bulk_create", "get_or_create", "update_or_create", "insert", "insert_one",
        "insert_many", "insert_rows", "insert_rows_json", "put_item", "get_doc", "new_doc",
        "set_value", "db_set", "add_row", "writerow", "writerows", "update_one", "update_many",
    )
)

_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NOT_VISITED = frozenset(("ctx", "op", "ops", "type_comment", "type_ignores", "kind"))


def _fields(cls: Type[ast.AST]) -> Tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(f for f in cls._fields if f not in _NOT_VISITED)
    return fields


class Collector:
    """The walk. ``collect()`` returns a filled ModuleInfo."""

    def __init__(
        self,
        info: ModuleInfo,
        type_names: FrozenSet[str],
        resolve_import: Callable[[str], str] = str,
        method_names: FrozenSet[str] = frozenset(),
    ):
        self.info = info
        self.type_names = type_names
        self.method_names = method_names
        self.argument_slots: Dict[int, Tuple[ast.Call, int]] = {}  # see on_chain
        self.resolve_import = resolve_import  # absolute module name -> its name in the project
        self.walked = info.walked
        self.scope = info.scope
        self.stmt = 0
        self.blocks: Blocks = ()
        self.block_counter = 0
        self.in_fstring = 0
        self.mentioning = False  # inside a comparison or a mentioning call's arguments
        self.handlers: Dict[type, Callable[[Dispatched], None]] = {
            ast.Constant: self.on_string,
            ast.Attribute: self.on_chain,
            ast.Call: self.on_chain,
            ast.Subscript: self.on_chain,
            ast.JoinedStr: self.on_fstring,
            ast.BinOp: self.on_operation,
            ast.Compare: self.on_compare,
            ast.Expr: self.on_expr,
            ast.Assign: self.on_assign,
            ast.AnnAssign: self.on_annassign,
            ast.AugAssign: self.on_augassign,
            ast.Return: self.on_return,
            ast.Import: self.on_import,
            ast.ImportFrom: self.on_import_from,
            ast.Global: self.on_global,
            ast.FunctionDef: self.on_function,
            ast.AsyncFunctionDef: self.on_function,
            ast.ClassDef: self.on_class,
            ast.Lambda: self.on_lambda,
            ast.If: self.on_if,
            ast.For: self.on_for,
            ast.AsyncFor: self.on_for,
            ast.While: self.on_while,
            ast.With: self.on_with,
            ast.AsyncWith: self.on_with,
            ast.Try: self.on_try,
            ast.ExceptHandler: self.on_except,
            ast.IfExp: self.on_ifexp,
            ast.ListComp: self.on_comprehension,
            ast.SetComp: self.on_comprehension,
            ast.GeneratorExp: self.on_comprehension,
            ast.DictComp: self.on_comprehension,
            ast.Dict: self.on_dict,
            ast.Tuple: self.on_tuple,
            ast.NamedExpr: self.on_namedexpr,
        }
        for name, handler in (
            ("Match", self.on_match),  # Python 3.10
            ("MatchAs", self.on_match_as),
            ("TryStar", self.on_try),  # 3.11
            ("TypeAlias", self.on_type_alias),  # 3.12
        ):
            if hasattr(ast, name):
                self.handlers[getattr(ast, name)] = handler

    # ------------------------------------------------------------------ driving
    def collect(self) -> ModuleInfo:
        self.body(self.info.tree.body, docstring_owner=True)
        return self.info

    def visit(self, node: Optional[ast.AST]) -> None:
        if node is None:
            return
        self.walked.add(id(node))
        kind = type(node)
        if kind is ast.Name:
            return
        handler = self.handlers.get(kind)
        if handler is not None:
            handler(node)
            return
        for name in _fields(kind):
            value = getattr(node, name)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_all(self, nodes: Sequence[Optional[ast.AST]]) -> None:
        for node in nodes:
            self.visit(node)

    def bound_at(self) -> Order:
        return (self.stmt, 1)

    def point(self) -> Point:
        return Point(self.scope, (self.stmt, 0), self.blocks)

    def body(self, statements: Sequence[ast.stmt], docstring_owner: bool = False) -> None:
        for i, statement in enumerate(statements):
            if i == 0 and docstring_owner and _is_docstring(statements):
                self.stmt += 1
                continue
            self.stmt += 1
            self.visit(statement)

    def block(self, statements: Sequence[ast.stmt], docstring_owner: bool = False) -> None:
        """A nested block (if/else/for/while/try/with body): its statements get a new block id."""
        if not statements:
            return
        self.block_counter += 1
        saved = self.blocks
        self.blocks = saved + (self.block_counter,)
        self.body(statements, docstring_owner)
        self.blocks = saved

    # ------------------------------------------------------------------ leaves
    def on_chain(self, node: Dispatched) -> None:
        """``a.b(c)[d].e(...)`` chains, iteratively (builder-style chains can be very long)."""
        if (
            type(node) is ast.Attribute
            and node.attr in self.method_names
            and type(node.ctx) is ast.Load
        ):  # the outermost link, not called here: a method read as a value
            call, position = self.argument_slots.pop(id(node), (None, -1))
            self.info.method_values.append(MethodValue(node, self.point(), call, position))
        chain: List[Dispatched] = []
        walked = self.walked
        while True:
            kind = type(node)
            if kind is ast.Call:
                chain.append(node)
                node = node.func
            elif kind is ast.Attribute or kind is ast.Subscript:
                chain.append(node)
                node = node.value
            else:
                break
            walked.add(id(node))
        self.visit(node)
        for link in reversed(chain):
            kind = type(link)
            if kind is ast.Attribute:
                if link.attr in self.type_names and not self.mentioning:
                    self.info.type_attributes.append((link, self.point()))
            elif kind is ast.Call:
                record = CallRecord(link, self.point())
                self.info.calls.append(record)
                self.scope.calls.append(record)
                for position, argument in enumerate(link.args):
                    if type(argument) is ast.Attribute and argument.attr in self.method_names:
                        self.argument_slots[id(argument)] = (link, position)
                saved = self.mentioning
                func = link.func
                self.mentioning = saved or (
                    func.attr if type(func) is ast.Attribute else getattr(func, "id", "")
                ) in _MENTIONING_CALLS
                for argument in arguments(link):
                    self.visit(argument.value)
                self.mentioning = saved
            else:
                self.visit(link.slice)

    def on_operation(self, node: Dispatched) -> None:
        """Left-nested ``a + b + c ...`` chains, iteratively."""
        rights: List[ast.expr] = []
        while type(node) is ast.BinOp:
            rights.append(node.right)
            node = node.left
            self.walked.add(id(node))
        self.visit(node)
        for right in reversed(rights):
            self.visit(right)

    def on_compare(self, node: ast.Compare) -> None:
        """``x == "GET_..."``, ``t in ("A", "B")``: the type names compared are mentions."""
        saved = self.mentioning
        self.mentioning = True
        self.visit(node.left)
        self.visit_all(node.comparators)
        self.mentioning = saved

    def on_string(self, node: ast.Constant) -> None:
        value = node.value
        if (
            type(value) is str
            and not self.in_fstring
            and not self.mentioning
            and value in self.type_names
            and not (value.startswith("_") and value.endswith("_"))  # the MWS spelling
        ):
            self.info.type_literals.append((node, value, self.scope))

    def on_fstring(self, node: ast.JoinedStr) -> None:
        self.in_fstring += 1
        for part in node.values:
            if type(part) is ast.FormattedValue:
                self.walked.add(id(part))
                self.visit(part.value)
                self.visit(part.format_spec)
        self.in_fstring -= 1

    # ------------------------------------------------------------------ expressions
    def on_expr(self, node: ast.Expr) -> None:
        self.visit(node.value)

    def on_ifexp(self, node: ast.IfExp) -> None:
        self.visit(node.body)
        self.visit(node.test)
        self.visit(node.orelse)

    def on_dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            if string_value(key) == "path":
                self.info.path_dicts.append((node, self.point()))
                break
        for key, value in zip(node.keys, node.values):
            self.visit(key)
            self.visit(value)

    def on_tuple(self, node: ast.Tuple) -> None:
        """A request described as data: ``("POST", path, body)`` (a verb literal first)."""
        elements = node.elts
        if 2 <= len(elements) <= 4 and type(node.ctx) is ast.Load:
            verb = string_value(elements[0])
            if verb is not None and verb.upper() in HTTP_VERBS:
                self.info.request_tuples.append((node, self.point()))
        for element in elements:
            self.visit(element)

    def on_namedexpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.target)
        self.visit(node.value)
        scope = self.scope
        while scope.kind == COMPREHENSION and scope.parent is not None:
            scope = scope.parent
        scope.add(
            Binding(
                node.target.id, "assign", scope, self.bound_at(), self.blocks, value=node.value
            )
        )

    def on_lambda(self, node: ast.Lambda) -> None:
        self.parameters(node.args, defaults_only=True)
        scope = Scope(LAMBDA, "<lambda>", self.scope, node, self.info)
        saved = self.scope
        self.scope = scope
        self.parameters(node.args, bind=scope)
        self.visit(node.body)
        self.scope = saved

    def on_comprehension(self, node: Comprehension) -> None:
        scope = Scope(COMPREHENSION, "<comprehension>", self.scope, node, self.info)
        self.info.comprehensions[id(node)] = scope
        saved = self.scope
        self.scope = scope
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        for comp in node.generators:
            self.visit(comp.target)
            self.bind_target(comp.target, "for", comp.iter)
            self.visit(comp.iter)
            self.visit_all(comp.ifs)
        self.scope = saved

    # ------------------------------------------------------------------ bindings
    def bind_target(
        self,
        target: Dispatched,
        kind: BindingKind,
        value: Optional[ast.expr],
        annotation: Optional[ast.expr] = None,
        path: Tuple[int, ...] = (),
    ) -> None:
        """Bind ``target`` to ``value``; ``path``: where the target sits inside a tuple target
        whose value is not a tuple literal (``a, b = pair``: ``b`` has path ``(1,)``)."""
        scope = self.scope
        target_kind = type(target)
        if target_kind is ast.Name:
            owner = self.info.scope if target.id in scope.globals else scope
            owner.add(
                Binding(
                    target.id,
                    kind,
                    owner,
                    self.bound_at(),
                    self.blocks,
                    value=value,
                    annotation=annotation,
                    target=path or None,
                )
            )
        elif target_kind is ast.Tuple or target_kind is ast.List:
            values: Optional[Sequence[ast.expr]] = None
            if (
                kind == "assign"
                and isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
            ):
                values = value.elts
            unpack = _UNPACKING.get(kind)
            for i, element in enumerate(target.elts):
                if type(element) is ast.Starred:
                    self.bind_target(element.value, "other", None)
                elif values is not None and type(values[i]) is not ast.Starred:
                    self.bind_target(element, kind, values[i])
                elif unpack is not None:
                    self.bind_target(element, unpack, value, None, path + (i,))
                else:
                    self.bind_target(element, "other", None)
        elif target_kind is ast.Attribute:
            self.bind_attribute(target, kind, value, annotation, path)
        elif target_kind is ast.Subscript:
            self.bind_item(target, value)

    def _self_attr(self, node: ast.expr) -> Optional[Tuple[ClassInfo, str]]:
        """(the class, ``attr``) if ``node`` is ``<self>.attr`` inside a method of the class."""
        scope = self.scope
        while scope.kind in (LAMBDA, COMPREHENSION) and scope.parent is not None:
            scope = scope.parent
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and scope.method_of is not None
            and scope.self_name is not None
            and node.value.id == scope.self_name
        ):
            return scope.method_of, node.attr
        return None

    def bind_attribute(
        self,
        target: ast.Attribute,
        kind: BindingKind,
        value: Optional[ast.expr],
        annotation: Optional[ast.expr],
        path: Tuple[int, ...] = (),
    ) -> None:
        found = self._self_attr(target)
        if found is not None:
            cls, attr = found
            cls.attrs.setdefault(attr, []).append(
                Binding(
                    attr,
                    kind,
                    self.scope,
                    self.bound_at(),
                    self.blocks,
                    value=value,
                    annotation=annotation,
                    target=path or None,
                )
            )

    def bind_item(self, target: ast.Subscript, value: Optional[ast.expr]) -> None:
        container = target.value
        binding = Binding("", "assign", self.scope, self.bound_at(), self.blocks, value=value)
        found = self._self_attr(container)
        if found is not None:
            cls, binding.name = found
            cls.items.setdefault(binding.name, []).append(binding)
        elif isinstance(container, ast.Name):
            binding.name = container.id
            scope = self.info.scope if container.id in self.scope.globals else self.scope
            scope.items.setdefault(container.id, []).append(binding)

    def on_assign(self, node: ast.Assign) -> None:
        self.visit_all(node.targets)
        self.visit(node.value)
        for target in node.targets:
            self.bind_target(target, "assign", node.value)

    def on_annassign(self, node: ast.AnnAssign) -> None:
        self.visit(node.target)
        self.visit(node.annotation)
        self.visit(node.value)
        self.bind_target(
            node.target,
            "assign" if node.value is not None else "annotation",
            node.value,
            node.annotation,
        )

    def on_augassign(self, node: ast.AugAssign) -> None:
        self.visit(node.target)
        self.visit(node.value)

    def on_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.scope.returns.append((node.value, self.point()))

    def on_global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def on_import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.name
            self.info.imported.add(name)
            resolved = self.resolve_import(name)
            if alias.asname is not None:
                self._bind_import(alias.asname, resolved)
            else:  # ``import a.b`` binds ``a``: the same module, wherever ``a.b`` was found
                head = name.split(".")[0]
                self._bind_import(head, resolved[: len(resolved) - len(name) + len(head)])

    def on_import_from(self, node: ast.ImportFrom) -> None:
        base = absolute_module(node.level or 0, node.module or "", self.info.package)
        if base is None:
            return
        if not node.level:
            base = self.resolve_import(base)
        if node.names[0].name == "*":
            self.info.imported.add(base + ".*")
            self.scope.add(
                Binding("*", "import", self.scope, self.bound_at(), self.blocks, target=base)
            )
            return
        for alias in node.names:
            name = alias.name
            qualified = f"{base}.{name}" if base else name
            self.info.imported.add(qualified)
            if alias.asname is not None and alias.asname != name:
                self.info.import_aliases.setdefault(name, set()).add(alias.asname)
            self._bind_import(alias.asname if alias.asname is not None else name, qualified)

    def _bind_import(self, local: str, qualified: str) -> None:
        self.scope.add(
            Binding(local, "import", self.scope, self.bound_at(), self.blocks, target=qualified)
        )

    # ------------------------------------------------------------------ definitions
    def parameters(
        self, params: ast.arguments, bind: Optional[Scope] = None, defaults_only: bool = False
    ) -> None:
        """Visit annotations and defaults (enclosing scope), or bind the names (in ``bind``)."""
        ordered: List[ast.arg] = params.posonlyargs + params.args
        positional = len(ordered)
        defaults: List[Optional[ast.expr]] = [None] * (positional - len(params.defaults))
        defaults += params.defaults
        if params.vararg is not None:
            ordered.append(params.vararg)
            defaults.append(None)
        ordered += params.kwonlyargs
        defaults += params.kw_defaults
        if params.kwarg is not None:
            ordered.append(params.kwarg)
            defaults.append(None)
        for i, param in enumerate(ordered):
            if bind is None:
                if not defaults_only:
                    self.visit(param.annotation)
                self.visit(defaults[i])
            else:
                binding = Binding(
                    param.arg,
                    "param",
                    bind,
                    (self.stmt, 1),
                    (),
                    value=defaults[i],
                    annotation=param.annotation,
                    index=i if i < positional else -1,
                )
                bind.add(binding)
                bind.params.append(binding)

    def decorators(self, node: Union[FunctionNode, ast.ClassDef]) -> None:
        self.info.decorator_calls.update(
            id(decorator) for decorator in node.decorator_list if type(decorator) is ast.Call
        )
        self.visit_all(node.decorator_list)

    def on_function(self, node: FunctionNode) -> None:
        self.decorators(node)
        self.parameters(node.args)
        self.visit(node.returns)
        outer = self.scope
        scope = Scope(FUNCTION, node.name, outer, node, self.info)
        scope.decorators = node.decorator_list
        decorator_names = {(dotted(d) or "").rpartition(".")[2] for d in node.decorator_list}
        scope.staticmethod = "staticmethod" in decorator_names
        scope.classmethod = "classmethod" in decorator_names
        scope.property = not decorator_names.isdisjoint(("property", "cached_property"))
        if outer.kind == CLASS:
            scope.method_of = outer.cls
            positional = node.args.posonlyargs or node.args.args
            if not scope.staticmethod and positional:
                scope.self_name = positional[0].arg
        self.info.defined_methods.add(node.name)
        outer.add(Binding(node.name, "def", outer, self.bound_at(), self.blocks, target=scope))
        saved = (self.scope, self.blocks)
        self.scope, self.blocks = scope, ()
        self.parameters(node.args, bind=scope)
        self.block(node.body, docstring_owner=True)
        self.scope, self.blocks = saved

    def on_class(self, node: ast.ClassDef) -> None:
        self.decorators(node)
        self.visit_all(node.bases)
        for keyword in node.keywords:
            self.visit(keyword.value)
        outer = self.scope
        scope = Scope(CLASS, node.name, outer, node, self.info)
        info = ClassInfo(node.name, node, scope, outer)
        scope.cls = info
        self.info.classes.append(info)
        outer.add(Binding(node.name, "class", outer, self.bound_at(), self.blocks, target=info))
        saved = (self.scope, self.blocks)
        self.scope, self.blocks = scope, ()
        self.block(node.body, docstring_owner=True)
        self.scope, self.blocks = saved

    # ------------------------------------------------------------------ compound statements
    def on_if(self, node: ast.If) -> None:
        self.visit(node.test)
        self.block(node.body)
        self.block(node.orelse)  # ``elif`` and ``else: if`` alike: one more statement and block

    def on_for(self, node: Union[ast.For, ast.AsyncFor]) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        self.bind_target(node.target, "for", node.iter)
        self.block(node.body)
        self.block(node.orelse)

    def on_while(self, node: ast.While) -> None:
        self.visit(node.test)
        self.block(node.body)
        self.block(node.orelse)

    def on_with(self, node: Union[ast.With, ast.AsyncWith]) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.visit(item.optional_vars)
                self.bind_target(item.optional_vars, "with", item.context_expr)
        self.block(node.body)

    def on_try(self, node: ast.Try) -> None:
        self.block(node.body)
        for handler in node.handlers:
            self.stmt += 1
            self.visit(handler)
        self.block(node.orelse)
        self.block(node.finalbody)

    def on_except(self, node: ast.ExceptHandler) -> None:
        self.visit(node.type)
        if node.name is not None:
            self.scope.add(Binding(node.name, "other", self.scope, self.bound_at(), self.blocks))
        self.block(node.body)

    def on_match(self, node: ast.Match) -> None:
        self.visit(node.subject)
        for case in node.cases:
            self.stmt += 1
            self.visit(case.pattern)
            self.visit(case.guard)
            self.block(case.body)

    def on_match_as(self, node: ast.MatchAs) -> None:
        self.visit(node.pattern)
        if node.name is not None:
            self.scope.add(Binding(node.name, "other", self.scope, self.bound_at(), self.blocks))

    def on_type_alias(self, node: Dispatched) -> None:  # ast.TypeAlias, Python 3.12
        self.visit(node.name)
        self.visit(node.value)


# a tuple target unpacks each value (assignment) or each element (loop): the kind of its names
_UNPACKING: Dict[str, BindingKind] = {
    "assign": "unpack",
    "unpack": "unpack",
    "for": "unpack-for",
    "unpack-for": "unpack-for",
}


def _is_docstring(statements: Sequence[ast.stmt]) -> bool:
    """Whether the first statement is a docstring: a lone plain string (never a use)."""
    first = statements[0]
    return (
        type(first) is ast.Expr
        and type(first.value) is ast.Constant
        and type(first.value.value) in (str, bytes)
        and (len(statements) == 1 or statements[1].lineno > (first.end_lineno or first.lineno))
    )


def collect(
    path: str,
    module_name: str,
    is_package: bool,
    tree: ast.Module,
    source: str,
    type_names: FrozenSet[str],
    resolve_import: Callable[[str], str] = str,
) -> ModuleInfo:
    """Walk ``tree`` once and return its ModuleInfo (``resolve_import``: an absolute import's
    module name -> that module's name in the project index)."""
    info = ModuleInfo(path, module_name, is_package, tree, source)
    method_names = clients_module.load().method_names()
    return Collector(info, type_names, resolve_import, method_names).collect()
