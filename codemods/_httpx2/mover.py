"""The transformer that moves a module's httpx code to httpx2 (:func:`codemods.to_httpx2.retarget`)."""

from __future__ import annotations

import re

import libcst as cst

from codemods._httpx2.respx import (
    RESPX_GLOBAL, RESPX_HANDLER, RESPX_KEEPS, EARLY_FUNCTIONS, built, wider_fixture,
)
from codemods._httpx2.tree import LOGGERS, PATCHERS, TYPE_TEXT, DropAlias, moved_path, renamed_module, with_text
from codemods.base import kwarg, literal_text
from migrator.engine.names import dotted
from migrator.engine.visitors import Transformer

class Mover(Transformer):
    def __init__(self, respx: bool, has_httpx2: bool):
        super().__init__()
        self.respx = respx
        self.has_httpx2 = has_httpx2
        self.not_names: set[int] = set()  # attribute and keyword names: never a reference
        self.kept_httpx = False  # respx's types stayed httpx.<name>
        self.kept_import = False  # ... and ``import httpx`` stayed for them
        self.global_router = False
        self.router_started_early = False  # respx's module-level router may start before a test's fixtures
        self.early_scopes: list[bool] = []  # per function: does it run before a test's fixtures?
        self.fixture_scopes: list[bool] = []  # per function: does respx_mock name pytest-httpx2's fixture?
        self.called: set[int] = set()  # ids of the func of every call
        self.split: set[int] = set()  # ids of ``import httpx`` statements that become two
        self.unmovable = ""
        self.respx_handler = False  # a respx router serves as a MockTransport's handler: _respx_handler is needed
        self.transport_handlers: tuple[set[str], set[int]] = (set(), set())  # (respx.transport_handlers)
        self.in_handler = 0  # depth of MockTransport handlers around the node
        self.annotations = 0  # depth of annotations around the node
        self.imports_respx = respx  # (else respx is used through its fixture alone)
        self.from_httpx: dict[str, str] = {}  # local name -> httpx's name, of ``from httpx import ...``
        self.patchers = PATCHERS  # the names of calls whose first argument is a dotted path to patch
        self.response_names: set[str] = set()  # (in a file using respx) local names of httpx.Response
        self.own_module = None  # (retarget's own_module)
        self.split_done = False  # ``import httpx`` became httpx's and httpx2's
        self.docstrings: set[int] = set()  # ids of strings standing as statements

    # ---- names -------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.not_names.add(id(node.attr))
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None:
            self.not_names.add(id(node.keyword))
        return True

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if self.respx and any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "side_effect" for t in original.targets):
            return updated.with_changes(value=built(updated.value, self.from_httpx))  # ``route.side_effect = httpx.ConnectError``
        return updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if self.respx and original.keyword is not None and original.keyword.value == "side_effect":
            # respx builds an exception class it is given with httpx's arguments (``message``
            # only for httpx's own classes): an httpx2 class is given built, the client adds the request
            value = updated.value
            if isinstance(value, (cst.List, cst.Tuple)):
                elements = [e.with_changes(value=built(e.value, self.from_httpx)) for e in value.elements]
                return updated.with_changes(value=value.with_changes(elements=elements))
            return updated.with_changes(value=built(value, self.from_httpx))
        return updated


    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if id(original) in self.not_names:
            return updated
        value = updated.value
        if value == "httpx":
            return updated.with_changes(value="httpx2")
        if value == "httpx_mock":
            return updated.with_changes(value="httpx2_mock")
        if value == "pytest_httpx":
            return updated.with_changes(value="pytest_httpx2")
        if value == "respx_mock" and self.fixture_scopes and self.fixture_scopes[-1]:
            return updated.with_changes(value="httpx2_mock")
        if value in self.response_names and id(original) not in self.called and not self.annotations:
            # ``from httpx import Response`` stays httpx's for respx: a use that is no route's answer
            # (an isinstance check of what the code returns) would need httpx2's under the same name
            self.unmovable = (f"{value} (httpx.Response, imported by name) answers respx's routes and is also used "
                              "otherwise: the first must stay httpx's class, the other becomes httpx2's")
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        head = dotted(original)
        if head is not None and head.endswith(".mark.httpx_mock"):
            return updated.with_changes(attr=cst.Name("httpx2_mock"))
        if head is not None and head.endswith(".mark.respx") and not self.imports_respx:
            return updated.with_changes(attr=cst.Name("httpx2"))
        if head is not None and head.startswith("respx.") and head.count(".") == 1:
            attr = original.attr.value
            if attr in RESPX_GLOBAL or attr == "mock" and id(original) not in self.called:
                self.global_router = True
                self.router_started_early |= attr in ("start", "stop") or not self.early_scopes or self.early_scopes[-1]
        return updated

    # ---- calls: patch targets, respx routers ----------------------------------
    def visit_Call(self, node: cst.Call) -> bool:
        self.called.add(id(node.func))
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = dotted(original.func) or ""
        if self.respx and func == "httpx.MockTransport" and original.args and isinstance(original.args[0].value, cst.Attribute):
            handler = original.args[0].value.attr.value
            if handler == "async_handler":
                self.unmovable = ("a respx router's async_handler serves as an httpx transport: it answers with httpx's "
                                  "responses, which httpx2's MockTransport rejects")
            elif handler == "handler":  # ``MockTransport(router.handler)``: through an adapter written once
                self.respx_handler = self.kept_httpx = True
                arg = updated.args[0]
                return updated.with_changes(args=[arg.with_changes(value=cst.Call(cst.Name(RESPX_HANDLER), [cst.Arg(arg.value)])),
                                                  *updated.args[1:]])
        if func == "httpx.Response" and self.respx and not self.in_handler:
            # in a file that uses respx, a response built is what a route answers with (directly, from
            # a side effect's function, a fixture, a variable): respx takes httpx's class alone
            self.kept_httpx = True
            return updated.with_changes(func=original.func)
        last = func.rsplit(".", 1)[-1]
        if last in ("object", "setattr", "delattr") and updated.args and isinstance(updated.args[0].value, cst.Attribute) \
                and updated.args[0].value.attr.value == "httpx":
            # ``patch.object(api.httpx, "get")``: the module api imports httpx2 now
            args = list(updated.args)
            args[0] = args[0].with_changes(value=args[0].value.with_changes(attr=cst.Name("httpx2")))
            return updated.with_changes(args=args)
        if last in self.patchers or last == "getLogger":
            # the dotted path patched (first, or ``target=``); a logger's name (httpx2 logs as "httpx2")
            at = next((k for k, a in enumerate(updated.args) if a.keyword is None and k == 0
                       or a.keyword is not None and a.keyword.value in ("target", "name")), None)
            first = updated.args[at].value if at is not None else None
            if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str) and (
                    re.fullmatch(r"[\w.]+", first.evaluated_value) if last != "getLogger" else LOGGERS.fullmatch(first.evaluated_value)):
                if last == "getLogger":
                    moved = with_text(first, lambda t: re.sub(r"^(httpx|httpcore)\b", r"\g<1>2", t))
                else:
                    moved = with_text(first, lambda t: moved_path(t, self.own_module))
                if moved.value != first.value:
                    args = list(updated.args)
                    args[at] = args[at].with_changes(value=moved)
                    return updated.with_changes(args=args)
        using = next((a for a in updated.args if a.keyword and a.keyword.value == "using"), None)
        if func in ("respx.mock", "respx.MockRouter") and using is not None and literal_text(using.value) in ("httpcore", "httpx"):
            args = [a.with_changes(value=cst.SimpleString('"httpcore2"')) if a is using else a for a in updated.args]
            return updated.with_changes(args=args)  # the mocker for httpx2's transport
        if func in ("respx.mock", "respx.MockRouter") and using is None:
            if any(a.keyword is None for a in updated.args):
                return updated  # @respx.mock(func) form: the module-level router (DEFAULT_MOCKER)
            args = list(updated.args)
            if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return updated.with_changes(args=[*args, kwarg("using", cst.SimpleString('"httpcore2"'))])
        return updated

    # ---- string annotations ----------------------------------------------
    def visit_Annotation(self, node: cst.Annotation) -> bool:
        self.annotations += 1
        return True

    def leave_Annotation(self, original: cst.Annotation, updated: cst.Annotation) -> cst.Annotation:
        self.annotations -= 1
        return updated

    def leave_FormattedStringText(self, original, updated):
        # ``f"{package}.httpx.get"``: a patch target built from parts
        if "httpx" in updated.value and re.fullmatch(r"[\w.]+", updated.value) and "." in updated.value:
            return updated.with_changes(value=moved_path(updated.value))
        return updated

    def visit_Expr(self, node: cst.Expr) -> bool:
        self.docstrings.add(id(node.value))
        return True

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        if "httpx." not in updated.value:
            return updated
        if self.annotations:  # a forward reference: ``"httpx.Client"``
            return updated.with_changes(value=re.sub(r"(?<![\w.])httpx\.", "httpx2.", updated.value))
        text = original.evaluated_value
        if id(original) in self.docstrings or not isinstance(text, str) or not TYPE_TEXT.fullmatch(
                text.replace(" | ", "|").replace(", ", ",")):
            return updated
        # ``cast("httpx.Client", x)``, ``TypeVar("C", bound="httpx.Client")``, ``Alias = "httpx.Client"``, a patch
        # target kept in a constant: the names httpx's objects have now
        return with_text(updated, lambda t: re.sub(r"[\w.]+", lambda m: moved_path(m.group(), self.own_module), t))

    # ---- functions: respx's fixture -----------------------------------------
    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.in_handler += id(node) in self.transport_handlers[1]
        return True

    def leave_Lambda(self, original, updated):
        self.in_handler -= id(original) in self.transport_handlers[1]
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.in_handler += node.name.value in self.transport_handlers[0]
        if node.name.value == RESPX_HANDLER:  # written by an earlier run: its httpx names are respx's
            self.kept_httpx = True
            self.fixture_scopes.append(False)
            self.early_scopes.append(False)
            return False
        self.early_scopes.append(bool(self.early_scopes and self.early_scopes[-1]) or node.name.value in EARLY_FUNCTIONS
                                 or any(wider_fixture(d.decorator) for d in node.decorators))
        takes = any(p.name.value == "respx_mock" for p in (*node.params.params, *node.params.kwonly_params))
        decorated = any((dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "").startswith("respx.")
                        for d in node.decorators)
        # respx's fixture: where respx is imported, its default mocker (set for the module) serves it
        self.fixture_scopes.append(self.respx and takes and not decorated and not self.imports_respx)
        self.global_router |= self.respx and takes and not decorated and self.imports_respx
        return True

    def leave_FunctionDef(self, original, updated):
        self.in_handler -= original.name.value in self.transport_handlers[0]
        self.fixture_scopes.pop()
        self.early_scopes.pop()
        return updated

    # ---- imports -----------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        names = []
        for alias in updated.names:
            name = dotted(alias.name) or ""
            if name == "httpx" and alias.asname is None and self.has_httpx2:
                if self.respx:  # stays for respx's types (dropped at the end if they are not used)
                    names.append(alias)
                    self.kept_import = True
                continue  # httpx2 is imported already
            if name == "httpx" and alias.asname is None and self.respx and len(updated.names) == 1:
                # respx's types stay httpx's: ``import httpx`` stays beside httpx2's if they are used
                self.split.add(id(original))
            if name == "httpx" or name.startswith("httpx."):
                names.append(alias.with_changes(name=renamed_module(alias.name, "httpx", "httpx2")))
            elif name == "pytest_httpx" or name.startswith("pytest_httpx."):
                names.append(alias.with_changes(name=renamed_module(alias.name, "pytest_httpx", "pytest_httpx2")))
            else:
                names.append(alias)
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        names = [n.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for n in names[:-1]] + names[-1:]
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if updated.relative or updated.module is None:
            return updated
        name = dotted(updated.module) or ""
        for old, new in (("httpx", "httpx2"), ("pytest_httpx", "pytest_httpx2")):
            if name == old or name.startswith(old + "."):
                return updated.with_changes(module=renamed_module(updated.module, old, new))
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        if self.response_names and len(original.body) == 1 and isinstance(original.body[0], cst.ImportFrom):
            return self._split_response_import(original, updated)
        if len(original.body) == 1 and id(original.body[0]) in self.split and not self.kept_import:
            self.kept_import = self.split_done = True
            old = original.with_changes(leading_lines=[])
            return cst.FlattenSentinel([updated.with_changes(body=[original.body[0]]), old.with_changes(body=updated.body)])
        return updated

    def _split_response_import(self, original, updated):
        """``from httpx import Response, ConnectError`` in a file using respx: Response stays httpx's
        (respx's answers), the rest comes from httpx2."""
        node = original.body[0]
        if isinstance(node.names, cst.ImportStar) or dotted(node.module) != "httpx" or node.relative:
            return updated
        kept = [a for a in node.names if (a.asname.name.value if a.asname else a.name.value) in self.response_names]
        if not kept:
            return updated
        self.kept_httpx = True
        moved = [a for a in updated.body[0].names if a.name.value not in RESPX_KEEPS or a.asname is not None and
                 a.asname.name.value not in self.response_names]
        kept = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(kept) - 1 else a for i, a in enumerate(kept)]
        lines = [original.with_changes(body=[node.with_changes(names=kept, rpar=None, lpar=None)])]
        if moved:
            moved[-1] = moved[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            lines.append(updated.with_changes(leading_lines=[], body=[updated.body[0].with_changes(names=moved)]))
        return cst.FlattenSentinel(lines)

    def leave_Module(self, original, updated):
        if self.kept_import and not self.kept_httpx:
            updated = updated.visit(DropAlias("httpx"))
        return updated
