"""Which expressions hold httpx clients and responses, for the lint rules that follow them.

The file is read once, in source order, by a visitor derived from :class:`HttpxObjects`. A name
holds what its last assignment gave it: ``c = httpx.Client(...)``, ``with httpx.Client() as c``
(``"sync"``, or ``"async"`` for an AsyncClient), ``r = httpx.get(...)``, ``r = c.get(...)``,
``r = c.send(...)``, ``r = await ac.get(...)``, ``with httpx.stream(...) as r`` (``"response"``),
``q = c.build_request(...)`` (``"request"``),
a loop over ``r.iter_lines()`` (``"line"``), or a parameter annotated ``httpx.Client``/``httpx.Response``.
Each function and comprehension has its own names; ``self.<attr>`` is followed across the
methods of a class, unless the class also assigns that attribute something else.
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import VERBS
from migrator.engine.names import canonical, dotted, import_bindings
from migrator.engine.visitors import Visitor, walk

CLIENT_KINDS = {"Client": "sync", "AsyncClient": "async"}
# client methods that return a response (stream() only as a with item)
RESPONSE_METHODS = frozenset({*VERBS, "send"})
_ANNOTATED = {"httpx.Client": "sync", "httpx.AsyncClient": "async", "httpx.Response": "response"}
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class _Scope:
    def __init__(self, kind: str, names: dict[str, str | None] | None = None):
        self.kind = kind  # "module", "class", "function" or "comprehension"
        self.names: dict[str, str | None] = names or {}  # None: bound, to something not followed


class HttpxObjects(Visitor):
    def __init__(self) -> None:
        self.imports: dict[str, str] = {}  # local name -> qualified name (httpx, requests, urllib3...)
        self.httpx2 = False  # the file imports httpx2 (named httpx in ``imports``; findings speak of httpx2)
        self.scopes = [_Scope("module")]
        self.classes: list[dict[str, str | None]] = []  # per enclosing class: attr -> kind (None: not followed)

    # --- names -------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self.imports.update(import_bindings(node))
        for alias in node.names:
            module = dotted(alias.name)
            if module in ("httpx", "httpx2"):  # httpx2 is httpx's API under another name: the same rules
                self.imports[alias.asname.name.value if alias.asname else module] = "httpx"  # type: ignore[union-attr]
                self.httpx2 |= module == "httpx2"

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.imports.update(import_bindings(node))
        if node.module is not None and dotted(node.module) in ("httpx", "httpx2") and not isinstance(node.names, cst.ImportStar):
            self.httpx2 |= dotted(node.module) == "httpx2"
            for alias in node.names:
                name = dotted(alias.name) or ""
                self.imports[alias.asname.name.value if alias.asname else name] = f"httpx.{name}"  # type: ignore[union-attr]

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The qualified name a Name/Attribute chain spells through the file's imports, or None
        (``ctx.resolve``'s contract, so helpers written for codemods can be given the visitor)."""
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        qual = self.imports.get(head)
        if qual is None or self._local(head):
            return None
        return canonical(f"{qual}.{rest}") if rest else qual

    def httpx_name(self, node: cst.BaseExpression) -> str | None:
        """``get`` for ``httpx.get`` (however imported), else None."""
        qual = self.resolve(node)
        return qual[6:] if qual is not None and qual.startswith("httpx.") and qual.count(".") == 1 else None

    # --- what an expression holds --------------------------------------------------------------
    def lookup(self, name: str) -> str | None:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue  # class bodies are not visible from their methods
            if name in scope.names:
                return scope.names[name]
        return None

    def _local(self, name: str) -> bool:
        """Is ``name`` bound in a function (or comprehension, class body) being read?"""
        innermost = self.scopes[-1]
        return any(name in s.names for s in self.scopes[1:] if s.kind != "class" or s is innermost)

    def kind_of(self, node: cst.BaseExpression) -> str | None:
        """What ``node`` holds: a client ("sync", "async"), a "response", a "request"
        (``httpx.Request(...)``, ``client.build_request(...)``), a "line" from ``iter_lines()``,
        or None (nothing followed)."""
        kind = type(node)
        if kind is cst.Name:
            return self.lookup(node.value)  # type: ignore[attr-defined]
        if kind is cst.Attribute:
            owner = node.value  # type: ignore[attr-defined]
            if self.classes and type(owner) is cst.Name and owner.value == "self":
                return self.classes[-1].get(node.attr.value)  # type: ignore[attr-defined]
            return None
        if kind is cst.Subscript:  # a slice (or character) of a line is a str too
            return "line" if self.kind_of(node.value) == "line" else None  # type: ignore[attr-defined]
        if kind is cst.Await:
            call = node.expression  # type: ignore[attr-defined]
            if type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value in RESPONSE_METHODS:
                return "response" if self.kind_of(call.func.value) == "async" else None
            return None
        if kind is not cst.Call:
            return None
        func = node.func  # type: ignore[attr-defined]
        name = self.httpx_name(func)
        if name in CLIENT_KINDS:
            return CLIENT_KINDS[name]  # type: ignore[index]
        if name in VERBS or name == "Response":
            return "response"
        if name == "Request":
            return "request"
        if type(func) is cst.Attribute:
            owner = self.kind_of(func.value)
            if owner in ("sync", "async") and func.attr.value == "build_request":
                return "request"
            if (owner == "sync" and func.attr.value in RESPONSE_METHODS) or (owner == "response" and func.attr.value == "raise_for_status"):
                return "response"  # (raise_for_status() returns the response in httpx)
        return None

    def is_client(self, node: cst.BaseExpression) -> bool:
        return self.kind_of(node) in ("sync", "async")

    def stream_of(self, item: cst.BaseExpression) -> bool:
        """Is this with item ``httpx.stream(...)`` or ``client.stream(...)``?"""
        if type(item) is not cst.Call:
            return False
        func = item.func  # type: ignore[attr-defined]
        if self.httpx_name(func) == "stream":
            return True
        return type(func) is cst.Attribute and func.attr.value == "stream" and self.is_client(func.value)

    def iterates_lines(self, node: cst.BaseExpression) -> bool:
        """Is ``node`` ``<response>.iter_lines()``?"""
        return (
            type(node) is cst.Call and type(node.func) is cst.Attribute  # type: ignore[attr-defined]
            and node.func.attr.value == "iter_lines" and self.kind_of(node.func.value) == "response"  # type: ignore[attr-defined]
        )

    # --- binding -------------------------------------------------------------------------------
    def bind(self, target: cst.BaseExpression, kind: str | None) -> None:
        t = type(target)
        if t is cst.Name:
            self.scopes[-1].names[target.value] = kind  # type: ignore[attr-defined]
        elif t is cst.Attribute and self.classes and type(target.value) is cst.Name and target.value.value == "self":  # type: ignore[attr-defined]
            attrs = self.classes[-1]
            attr = target.attr.value  # type: ignore[attr-defined]
            if kind is not None and attrs.get(attr, kind) == kind:
                attrs[attr] = kind  # (the class's other assignments were judged up front)
        elif t in (cst.Tuple, cst.List):
            for element in target.elements:  # type: ignore[attr-defined]
                self.bind(element.value, None)
        elif t is cst.StarredElement:
            self.bind(target.value, None)  # type: ignore[attr-defined]

    def leave_Assign(self, node: cst.Assign) -> None:
        kind = self.kind_of(node.value)
        for target in node.targets:
            self.bind(target.target, kind)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, self.kind_of(node.value))

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self.bind(node.target, None)

    def leave_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:  # (bound before the body is read)
            self.bind(node.asname.name, "response" if self.stream_of(node.item) else self.kind_of(node.item))

    def visit_For(self, node: cst.For) -> None:
        self.bind(node.target, "line" if self.iterates_lines(node.iter) else None)

    def _comprehension(self, node) -> None:
        self.scopes.append(_Scope("comprehension"))
        comp = node.for_in
        while comp is not None:  # the element is read before the for: bind up front
            self.bind(comp.target, "line" if self.iterates_lines(comp.iter) else None)
            comp = comp.inner_for_in

    def _leave_scope(self, node) -> None:
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_scope

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes[-1].names[node.name.value] = None
        self.scopes.append(_Scope("function", self._parameters(node.params)))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.scopes.append(_Scope("function", self._parameters(node.params)))

    leave_FunctionDef = leave_Lambda = _leave_scope

    def _parameters(self, params: cst.Parameters) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            annotation = param.annotation.annotation if param.annotation is not None else None
            out[param.name.value] = _ANNOTATED.get(self.resolve(annotation) or "") if annotation is not None else None
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                out[star.name.value] = None
        return out

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes[-1].names[node.name.value] = None
        self.scopes.append(_Scope("class"))
        self.classes.append(self._self_attributes(node))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.pop()
        self.classes.pop()

    def _self_attributes(self, node: cst.ClassDef) -> dict[str, str | None]:
        """attr -> kind for the ``self.<attr>`` the class's methods assign: a client or response
        when every value assigned is one of that kind (or None, or a name judged when read)."""
        attrs: dict[str, str | None] = {}
        for stmt in walk(node.body):
            if type(stmt) is cst.Assign:
                targets, value = [t.target for t in stmt.targets], stmt.value  # type: ignore[attr-defined]
            elif type(stmt) is cst.AnnAssign and stmt.value is not None:  # type: ignore[attr-defined]
                targets, value = [stmt.target], stmt.value  # type: ignore[attr-defined]
            else:
                continue
            for target in targets:
                if type(target) is cst.Attribute and type(target.value) is cst.Name and target.value.value == "self":
                    if type(value) in (cst.Name, cst.Attribute):
                        continue  # None, or another name for something: judged when the assignment is read
                    kind = self.kind_of(value)
                    attr = target.attr.value
                    attrs[attr] = kind if attrs.get(attr, kind) == kind else None
        return attrs
