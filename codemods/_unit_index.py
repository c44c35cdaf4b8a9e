"""One walk over a file's ``ast`` tree: scopes, parents and where each name and attribute occurs.

``codemods._units`` follows requests objects through the file with it. Scopes are identified by
*paths*, the names of the defs and classes around them (``("Api", "_make_session")``; lambdas and
comprehensions are ``"<expr>"``), so that the engine, walking LibCST's tree of the same source,
can name the same scope and ask what was decided there (``scope_path`` in ``codemods._units``).
"""

from __future__ import annotations

import ast

from migrator.engine.names import ast_children

EXPR_SCOPE = "<expr>"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_EXPR_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Scope:
    __slots__ = ("kind", "path", "parent", "node", "bound", "globals", "nonlocals", "self_name", "cls")

    def __init__(self, kind: str, path: tuple[str, ...], parent: "Scope | None", node: ast.AST):
        self.kind = kind  # "module" | "function" | "class" | "expr"
        self.path = path
        self.parent = parent
        self.node = node
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.self_name: str | None = None  # a method's first parameter
        self.cls: Scope | None = None  # a method's class

    def binding_scope(self, name: str) -> "Scope":
        """The scope whose binding of ``name`` a use here refers to (class bodies are not
        visible from their methods)."""
        scope: Scope | None = self
        first = True
        while scope is not None and scope.kind != "module":
            if name in scope.globals:
                break
            if (scope.kind != "class" or first) and name in scope.bound and name not in scope.nonlocals:
                return scope
            first = False
            scope = scope.parent
        while scope is not None and scope.kind != "module":
            scope = scope.parent
        return scope  # type: ignore[return-value]

    def function(self) -> "Scope | None":
        """The innermost def around (or being) this scope."""
        scope: Scope | None = self
        while scope is not None and scope.kind not in ("function", "module"):
            scope = scope.parent
        return scope if scope is not None and scope.kind == "function" else None


class FileIndex:
    """What ``codemods._units`` needs to know about a module, from one walk of its ``ast``."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.parent: dict[int, ast.AST] = {}
        self.scope_of: dict[int, Scope] = {}  # id(Name/Attribute/Call/arg) -> the scope it is in
        self.names: dict[str, list[ast.Name]] = {}
        self.attributes: dict[str, list[ast.Attribute]] = {}  # attr -> ``x.attr`` with a Name x
        self.calls: list[ast.Call] = []
        self.functions: dict[tuple[str, ...], tuple[ast.AST, Scope]] = {}  # path -> (def, its scope)
        self.classes: dict[tuple[str, ...], ast.ClassDef] = {}
        self.def_path: dict[int, tuple[str, ...]] = {}  # id(def) -> its path
        self.returns: dict[tuple[str, ...], list[ast.Return]] = {}  # a def's path -> its returns
        self.module = Scope("module", (), None, tree)
        self._walk()

    def _walk(self) -> None:
        parent = self.parent
        stack: list[tuple[ast.AST, Scope]] = [(self.tree, self.module)]
        while stack:
            node, scope = stack.pop()
            kind = node.__class__
            inner = scope
            if kind is ast.Name:
                self.scope_of[id(node)] = scope
                self.names.setdefault(node.id, []).append(node)  # type: ignore[attr-defined]
                if kind is ast.Name and node.ctx.__class__ is not ast.Load:  # type: ignore[attr-defined]
                    scope.bound.add(node.id)  # type: ignore[attr-defined]
                continue
            if kind is ast.Attribute:
                self.scope_of[id(node)] = scope
                if node.value.__class__ is ast.Name:  # type: ignore[attr-defined]
                    self.attributes.setdefault(node.attr, []).append(node)  # type: ignore[attr-defined]
            elif kind is ast.Call:
                self.scope_of[id(node)] = scope
                self.calls.append(node)  # type: ignore[arg-type]
            elif kind in _FUNCTIONS or kind is ast.ClassDef:
                scope.bound.add(node.name)  # type: ignore[attr-defined]
                path = scope.path + (node.name,)  # type: ignore[attr-defined]
                inner = Scope("class" if kind is ast.ClassDef else "function", path, scope, node)
                if kind is ast.ClassDef:
                    self.classes.setdefault(path, node)  # type: ignore[arg-type]
                else:
                    self.def_path[id(node)] = path
                    self.functions.setdefault(path, (node, inner))
                    self._parameters(node, inner, scope)  # type: ignore[arg-type]
                # decorators, bases, defaults and annotations are evaluated in the enclosing scope
                outer = [*node.decorator_list, *getattr(node, "bases", ()), *getattr(node, "keywords", ())]  # type: ignore[attr-defined]
                if kind is not ast.ClassDef:
                    args = node.args  # type: ignore[attr-defined]
                    outer += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
                    outer += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation]
                    outer += [node.returns] if node.returns is not None else []  # type: ignore[attr-defined]
                for child in outer:
                    parent[id(child)] = node
                    stack.append((child, scope))
                for child in node.body:  # type: ignore[attr-defined]
                    parent[id(child)] = node
                    stack.append((child, inner))
                continue
            elif kind in _EXPR_SCOPES:
                inner = Scope("expr", scope.path + (EXPR_SCOPE,), scope, node)
                if kind is ast.Lambda:
                    self._parameters(node, inner, scope)  # type: ignore[arg-type]
            elif kind is ast.Return and scope.kind == "function":
                self.returns.setdefault(scope.path, []).append(node)  # type: ignore[arg-type]
            elif kind is ast.Global:
                scope.globals.update(node.names)  # type: ignore[attr-defined]
            elif kind is ast.Nonlocal:
                scope.nonlocals.update(node.names)  # type: ignore[attr-defined]
            elif kind is ast.alias:
                scope.bound.add((node.asname or node.name).split(".")[0])  # type: ignore[attr-defined]
            elif kind is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
                scope.bound.add(node.name)  # type: ignore[attr-defined]
            for child in ast_children(node):
                parent[id(child)] = node
                stack.append((child, inner))

    def _parameters(self, node, inner: Scope, outer: Scope) -> None:
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
        inner.bound.update(a.arg for a in every)
        for a in every:
            self.parent[id(a)] = node
        if outer.kind == "class" and not isinstance(node, ast.Lambda):
            decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
            positional = [*args.posonlyargs, *args.args]
            if positional and not decorators & {"staticmethod", "classmethod"}:
                inner.self_name, inner.cls = positional[0].arg, outer

    # --- questions ------------------------------------------------------------------------
    def statement(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement holding ``node``."""
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parent.get(id(node))  # type: ignore[assignment]
        return node

    def self_class(self, node: ast.Attribute) -> Scope | None:
        """For ``self.attr`` in a method (or a def/lambda inside one): the class's scope."""
        value = node.value
        if not isinstance(value, ast.Name):
            return None
        binding = self.scope_of[id(node)].binding_scope(value.id)
        return binding.cls if binding.self_name == value.id else None

    def parameters(self, path: tuple[str, ...]) -> list[str]:
        node = self.functions[path][0]
        args = node.args  # type: ignore[attr-defined]
        return [a.arg for a in (*args.posonlyargs, *args.args)]
