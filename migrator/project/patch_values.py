"""What a followed test's mocks may hold: mock responses, side effects, fakes and the keywords they
read, checked so that the test sees, on httpx, what it saw on requests (:mod:`migrator.project.patch_follow`).

A ``Mock`` response is permissive: only the attributes the test sets, and those the migrated code
now reads under another name (``ok`` -> ``is_error``), matter. A fake of the test's own (a
function, a class) is not: it must take what httpx's call passes and have what the migrated code
reads. Anything else is :class:`Refused`, with the reason.
"""

from __future__ import annotations

import libcst as cst

from migrator.engine.names import dotted
from migrator.project.test_tree import bool_literal, builtin_exception, defs, names, returns, strings, used_names

# attributes of a mock response that mean the same to code on requests and on httpx
# (``text``, ``encoding`` and ``iter_lines`` go through the tool's helpers, which ask a mock for its own)
SAME_ATTRS = frozenset({"json", "status_code", "text", "content", "headers", "raise_for_status", "encoding", "url", "elapsed", "close",
                        "iter_lines"})
MOCK_CLASSES = frozenset({"Mock", "MagicMock", "NonCallableMock", "NonCallableMagicMock"})


class Refused(Exception):
    """This test cannot follow: the message says why."""


class MockValues:
    """The checks of :class:`migrator.project.patch_follow._Test` on what its mocks hold (a mixin:
    it reads the test's node, parents, targets and helpers, and records its edits)."""

    def _mock_made(self, mock: cst.Call, what: str) -> None:
        """``Mock(return_value=..., side_effect=...)`` standing in for ``what``."""
        for arg in mock.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == "return_value" and what != "requests":
                self._response_value(arg.value)
            elif keyword == "side_effect" and what != "requests":
                self._side_effect(arg.value, what)
            else:
                raise Refused(f"the mock is made with {keyword or 'a positional argument'}=, which the tool does not follow")

    def _side_effect(self, value: cst.BaseExpression, what: str) -> None:
        """What a mock of ``what`` does when called: raise a built-in exception, return responses in
        turn (``[busy, ok]``), or call a fake function."""
        if builtin_exception(value):
            return  # ValueError("boom"): the migrated code catches it where it did
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                if not builtin_exception(element.value):
                    self._response_value(element.value)
            return
        self._fake(value, what)

    def _fake(self, value: cst.BaseExpression, what: str) -> None:
        """A function of the test's own standing in for ``requests.<verb>``: it must take what httpx's
        call passes (``**kwargs``: ``follow_redirects=``, ``timeout=``), not look at the keywords the
        migration renamed or added, and the migrated code must read nothing on its responses that
        httpx names differently."""
        if what == "requests":
            raise Refused("the patch hands in a module of its own")
        function = value if isinstance(value, cst.Lambda) else self._function(value)
        if function is None:
            raise Refused("the patch hands in an object of its own, not a Mock or a function the tool can follow")
        shown = "the lambda" if isinstance(value, cst.Lambda) else f"{value.value}()"
        self._no_requests(function, shown, deep=True)
        keywords = function.params.star_kwarg
        if not isinstance(keywords, cst.Param):
            raise Refused(f"{shown} takes no **kwargs, and httpx's call passes follow_redirects= and timeout=")
        verb = what.removeprefix("requests.")
        if any(verb in code.url_params for code in self.targets.values()):
            raise Refused(f"the code's requests.{verb} params= now go into the URL, which {shown} would get instead")
        if any(verb in code.named for code in self.targets.values()):
            raise Refused(f"the code passes requests.{verb} arguments past the URL by position, which {shown} would now get by keyword")
        for string in strings(function):
            if string in ("allow_redirects", "follow_redirects"):
                raise Refused(f"{shown} looks at {string}, which the migration renamed or added")
        for use in names(function, keywords.name.value):
            self._keyword_read(use, f"{shown}'s **{keywords.name.value}")
        for code in self.targets.values():
            found = code.fake_reads_of(what)
            if found:
                now, then = next(iter(found.items()))
                raise Refused(f"the migrated code reads {now} (requests' {then}) on the responses of requests.{verb}, which {shown}'s may not have")

    def _no_requests(self, node: cst.CSTNode, who: str, deep: bool = False, seen: set[str] | None = None) -> None:
        """``node`` (and, ``deep``, the test module's functions it calls) uses no requests name:
        not ``requests``, a name imported from it, nor ``api.requests`` through a module."""
        seen = set() if seen is None else seen
        for used in used_names(node):
            if id(used) in self.handled:
                continue
            name = used.value
            module = "requests" if name == "requests" else self.imported.get(name, "")
            if module == "requests" or module.startswith("requests."):
                # a requests exception raised by a mock, a requests.Response: the code no longer takes those
                raise Refused(f"{who} still uses {module}, which the migrated code no longer raises, catches or returns")
            attribute = self.parents.get(used)
            if (module and isinstance(attribute, cst.Attribute) and attribute.value is used and attribute.attr.value == "requests"
                    and id(attribute) not in self.handled):
                raise Refused(f"{who} uses {name}.requests, which the migrated module no longer has")
            if deep and name in self.helpers and name not in seen:
                seen.add(name)
                self._no_requests(self.helpers[name], f"{name}()", deep, seen)

    def _keyword_read(self, node: cst.BaseExpression, who: str, params_gone: bool = False) -> None:
        """``node`` holds the keywords a call was given: read by name (``kw["json"]``, ``kw.get("json")``),
        where the name is not one the migration renamed or added (``follow_redirects``, and
        ``timeout`` when ``--timeout`` gives calls one), and ``.get`` has no default."""
        parent = self.parents.get(node)
        grand = self.parents.get(parent)
        read = None
        if isinstance(parent, cst.Subscript) and parent.value is node:
            read = parent.slice[0].slice.value if len(parent.slice) == 1 and isinstance(parent.slice[0].slice, cst.Index) else None
        elif isinstance(parent, cst.Attribute) and parent.attr.value == "get" and isinstance(grand, cst.Call) and len(grand.args) == 1:
            read = grand.args[0].value
        key_read = read.evaluated_value if isinstance(read, cst.SimpleString) else None
        if not isinstance(key_read, str):
            raise Refused(f"{who} is read whole or by a key the tool cannot read, and now holds follow_redirects= and timeout= too")
        if key_read in ("follow_redirects", "allow_redirects") or key_read == "timeout" and self.timeout != "None" and not isinstance(parent, cst.Subscript):
            raise Refused(f"{who} is read for {key_read}, which the migration renamed or added")
        if key_read == "params" and params_gone:
            raise Refused(f"{who} is read for params, which the migration wrote into the URL")

    def _function(self, value: cst.BaseExpression) -> cst.FunctionDef | None:
        """The function ``value`` names: one defined in the test, or in the test module."""
        if not isinstance(value, cst.Name):
            return None
        nested = [f for f in defs(self.node) if f.name.value == value.value]
        return nested[-1] if nested else self.helpers.get(value.value)

    def _response(self, node: cst.BaseExpression) -> None:
        """``node`` stands for a mock response (``get.return_value``, or a Mock it is given)."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.AssignTarget):
            assign = self.parents.get(parent)
            return self._response_value(assign.value)
        if isinstance(parent, cst.Comparison):
            return
        if isinstance(parent, cst.Assign) and parent.value is node and all((dotted(t.target) or "").endswith(".return_value") for t in parent.targets):
            return  # get.return_value = response: what brought the tool here
        if not isinstance(parent, cst.Attribute) or parent.value is not node:
            raise Refused("it hands the mock response on, where the tool cannot follow it")
        attr = parent.attr.value
        if attr in SAME_ATTRS:
            return
        target = self.parents.get(parent)
        assign = self.parents.get(target)
        if attr == "ok" and isinstance(target, cst.AssignTarget) and isinstance(assign, cst.Assign) and bool_literal(assign.value) is not None:
            self._edit_allowed()
            self.sets_ok = True
            self.edits[parent] = lambda n: n.with_changes(attr=cst.Name("is_error"))
            self.edits[assign.value] = lambda n: cst.Name(str(not bool_literal(n)))
            return
        raise Refused(f"it sets the mock response's {attr}, which the migrated code reads under another name or in another way")

    def _response_value(self, value: cst.BaseExpression) -> None:
        """A value a mock of a request function returns."""
        if isinstance(value, cst.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] in MOCK_CLASSES:
            for arg in value.args:
                name = arg.keyword.value if arg.keyword is not None else None
                if name in SAME_ATTRS:
                    continue
                if name == "ok" and bool_literal(arg.value) is not None:
                    self._edit_allowed()
                    self.sets_ok = True
                    self.edits[arg] = lambda n: n.with_changes(keyword=cst.Name("is_error"), value=cst.Name(str(not bool_literal(n.value))))
                    continue
                raise Refused(f"the mock response is made with {name or 'a positional argument'}=, which the tool does not follow")
            return
        if isinstance(value, cst.Name) and self._is_mock(value.value):
            uses = [u for u in names(self.scope.body, value.value) if u is not value]
            # given to another mock too (one this test may not follow): its ok must stay ok there
            given = [u for u in uses if isinstance(self.parents.get(u), cst.Assign)]
            shared, self.shared = self.shared, self.shared or len(given) > 0
            try:
                for use in uses:
                    self._response(use)
            finally:
                self.shared = shared
            return
        helper = self.helpers.get(value.func.value) if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) else None
        if helper is not None and not self.frozen:  # mock_get.return_value = ok_response({"id": 1})
            returned_values = returns(helper)
            if not returned_values:
                raise Refused(f"the mock response comes from {helper.name.value}(), which returns nothing the tool can follow")
            self._no_requests(helper, f"{helper.name.value}()")
            self.scope, self.frozen = helper, True
            try:
                for returned in returned_values:
                    self._response_value(returned)
            finally:
                self.scope, self.frozen = self.node, False
            return
        raise Refused("the mock returns an object of its own, not a Mock the tool can follow")

    def _edit_allowed(self) -> None:
        if self.frozen:
            raise Refused(f"the mock response comes from {self.scope.name.value}(), which sets ok: other tests share it")
        if self.shared:
            raise Refused("the mock response that sets ok is handed to another mock too, which may still read ok")
