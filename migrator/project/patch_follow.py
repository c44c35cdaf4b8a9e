"""Tests that patch requests in a migrated module follow it: the patch names httpx, exactly.

## What it does
A test that replaces ``requests`` as a module of the project sees it follows that module once the
run has moved it to httpx:

| before | after |
|---|---|
| ``@mock.patch("pkg.api.requests.get")`` | ``@mock.patch("pkg.api.httpx.get")`` |
| ``mock.patch("pkg.api.requests")``, ``mocker.patch(...)`` | ``mock.patch("pkg.api.httpx")`` |
| ``mock.patch.object(api.requests, "get")`` | ``mock.patch.object(api.httpx, "get")`` |
| ``monkeypatch.setattr(api.requests, "get", fake)`` (a ``Mock()``, or a function taking ``**kwargs``) | ``monkeypatch.setattr(api.httpx, "get", fake)`` |
| ``mock.patch("requests.get")`` (requests itself) | ``mock.patch("httpx.get")``, when every module the test reaches moved |
| ``get.assert_called_once_with(url, {"q": 1}, allow_redirects=False)`` | ``get.assert_called_once_with(url, params={"q": 1}, follow_redirects=False, timeout=None)`` |
| ``get.return_value.ok = False``, ``Mock(ok=True)`` | ``get.return_value.is_error = True``, ``Mock(is_error=False)`` |

Call assertions (``assert_called_with``, ``assert_called_once_with``, ``assert_any_call``, and the
``call(...)`` items of ``assert_has_calls``) get the arguments the migrated call now passes:
positional arguments named, ``allow_redirects`` renamed, and the ``follow_redirects=True`` and
``timeout=`` the migration wrote out where the call had none. A test's assertion equals the call
it recorded, so the same rewrite gives the same result. The mock responses a test configures
(``get.return_value``, a ``Mock()`` it is given, or one a function of the test module builds and
returns) are checked attribute by attribute; so are the ``call_args`` reads (the URL, keywords by
name, ``call_args == call(...)``). A fake function (``side_effect=``, ``new=``, monkeypatch's
value) follows when it takes ``**kwargs`` and does not look at ``allow_redirects``/``follow_redirects``;
``side_effect=`` a built-in exception or a list of mock responses follows as it is.

## Why
Once ``pkg/api.py`` imports httpx, ``mock.patch("pkg.api.requests.get")`` raises AttributeError
(there is no ``requests`` there), and where ``requests`` is still imported the patch intercepts
nothing: the test reaches the network. Such test files often never import requests themselves, so
only a pass that sees the whole run can follow them.

## When it reports instead of rewriting
The test is left as it was, with one ``test-patches-migrated-code`` error that says why, when:
the patched module's calls became anything but the same httpx function with arguments the test
can follow whatever their values (a ``stream()`` context, a str body becoming ``content=``, a
timeout tuple, ``*args``/``**kwargs``, a call kept on requests); the whole module is patched and the
code uses more of requests than its request functions (``requests.exceptions``); the patch
hands in an object of its own that is neither a Mock nor a function taking ``**kwargs`` (a fake
module, a class instance, ``autospec``); the test reads the mock in another way (``mock_calls``,
positional arguments past the URL, handing it on); the mock response sets an attribute httpx
names differently (``reason``, ``iter_content``) or leaves unset one the migrated
code now reads under another name (``ok``, read as ``is_error``, which an unset mock makes true);
a fake function's responses may lack what the migrated code now reads (``is_error``,
``iter_bytes``, ``reason_phrase``; ``iter_lines`` on an async stream, whose lines are str); the test still uses
requests (an injected ``requests.HTTPError`` the migrated code no longer catches); the patch is
made on a class, in ``setUp``, in a fixture, or at module level.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from codemods._helpers import PARAMS
from codemods._request_args import _NO_BODY_VERBS, _POSITIONAL, VERBS
from codemods.base import append_args, kwarg, with_function, with_keyword
from migrator.engine.imports import fix_imports
from migrator.engine.names import dotted
from migrator.project.patch_values import MOCK_CLASSES as _MOCKS, MockValues, Refused as _Refused
from migrator.project.patched_code import PatchedCode
from migrator.project.test_tree import assigns, calls, defs, injects, key, names, patcher as _patcher, used_names

_CALL_ASSERTS = frozenset({"assert_called_with", "assert_called_once_with", "assert_any_call"})
_PLAIN_ASSERTS = frozenset({"assert_called", "assert_called_once", "assert_not_called", "reset_mock"})
_COUNTS = frozenset({"called", "call_count"})

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def follow(text: str, wanted: dict[str, dict[str, PatchedCode]], imported: dict[str, str], timeout: str) -> tuple[str, dict[str, str]]:
    """``text`` with the patches of the tests in ``wanted`` (test -> {patched target
    ``pkg.api.requests[.verb]`` -> what that module did}) following the code; and, for each test
    left as it was, why. ``imported``: local name -> module, for ``patch.object(api.requests, ...)``."""
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    parents = wrapper.resolve(ParentNodeProvider)
    edits: dict[cst.CSTNode, Edit] = {}
    refused: dict[str, str] = {}
    helpers = {f.name.value: f for f in wrapper.module.body if isinstance(f, cst.FunctionDef)}
    add: set[str] = set()
    helper = False
    for test, node in _tests(wrapper.module):
        if test not in wanted:
            continue
        here: dict[cst.CSTNode, Edit] = {}
        try:
            followed = _Test(node, wanted[test], imported, timeout, parents, here, helpers)
            followed.follow()
        except _Refused as why:
            refused[test] = str(why)
            continue
        edits.update(here)
        if followed.names_httpx:
            add.add("httpx")
        if followed.params_helper:
            helper = True
    for test in wanted.keys() - {t for t, _ in _tests(wrapper.module)}:
        refused[test] = "the patch is not made in a test function the tool can follow (a class decorator, setUp, module level)"
    if not edits:
        return text, refused
    module = wrapper.module.visit(_Apply(edits))
    if helper and PARAMS.name not in helpers:  # the code's own helper, for the assertions
        module = _with_params_helper(module)
        add.add("urllib.parse")
    if add:  # patch.object(requests, "get") became patch.object(httpx, "get")
        still = {n.value for n in used_names(module)}
        drop = {name for name, where in imported.items() if where == "requests" and name not in still}
        module = fix_imports(module, drop, add - set(imported))
    return module.code, refused


def _with_params_helper(module: cst.Module) -> cst.Module:
    """The code's own ``_requests_url``, after the test module's imports, for its assertions."""
    at = max((i + 1 for i, st in enumerate(module.body) if isinstance(st, cst.SimpleStatementLine)
              and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in st.body)), default=0)
    return module.with_changes(body=with_function(module.body, at, PARAMS.text))


def _tests(module: cst.Module):
    for top in module.body:
        if isinstance(top, cst.FunctionDef):
            yield top.name.value, top
        elif isinstance(top, cst.ClassDef):
            for member in top.body.body:
                if isinstance(member, cst.FunctionDef):
                    yield f"{top.name.value}.{member.name.value}", member


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: dict[cst.CSTNode, Edit]):
        self.edits = edits

    def on_leave(self, original, updated):
        edit = self.edits.get(original)
        return edit(updated) if edit is not None else updated


class _Test(MockValues):
    """One test function: its patches of moved modules, the mocks they bind, and every use of those."""

    def __init__(self, node: cst.FunctionDef, targets: dict[str, PatchedCode], imported: dict[str, str], timeout: str, parents, edits,
                 helpers: dict[str, cst.FunctionDef]):
        self.node, self.targets, self.imported, self.timeout = node, targets, imported, timeout
        self.helpers = helpers  # the test module's own functions, which may build mock responses
        self.scope = node  # where the names of the mock response being checked live
        self.frozen = False  # checking a helper other tests share: it is followed only if it needs no edit
        self.shared = False  # checking a Mock response also handed to another mock: the same
        self.parents, self.edits = parents, edits
        self.sets_ok = False
        self.reads_ok = False  # the code still reads ok somewhere: a mock's ok must stay ok
        self.reads: dict[str, str] = {}
        self.seen: set[str] = set()
        self.handled: set[int] = set()  # ids of names of requests the follow rewrites
        self.names_httpx = False  # it now names httpx itself: the file must import it
        self.params_helper = False  # an assertion now calls _requests_url: the file must define it

    def follow(self) -> None:
        if any(isinstance(d.decorator, cst.Call) and _patcher(d.decorator, self.imported).endswith(("patch", "patch.object"))
               and any(a.star == "**" and not isinstance(a.value, cst.Dict) for a in d.decorator.args) for d in self.node.decorators):
            raise _Refused("a patch decorator is given **kwargs: the tool cannot tell which mocks the test gets")
        self.fixture = any((dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "").endswith("fixture")
                           for d in self.node.decorators)
        injected = [d.decorator for d in reversed(self.node.decorators) if injects(d.decorator, self.imported)]  # bottom-up
        params = [p.name.value for p in self.node.params.params]
        if params[:1] in (["self"], ["cls"]):
            params = params[1:]
        if len(params) < len(injected):
            raise _Refused("its patch decorators hand in more mocks than it takes parameters")
        for call, name in zip(injected, params):
            if self._patch(call) is not None:
                self._follow_patch(call, name)
        for call in calls(self.node.body):
            if self._patch(call) is not None:
                self._follow_patch(call, self._bound_to(call))
        for decorator in self.node.decorators:
            if isinstance(decorator.decorator, cst.Call) and decorator.decorator not in injected and self._patch(decorator.decorator):
                raise _Refused("its patch decorator hands in an object of its own (new=)")
        missed = self.targets.keys() - self.seen
        if missed:
            raise _Refused(f"it patches {min(missed)} in a way the tool cannot follow")
        if self.sets_ok and self.reads_ok:
            raise _Refused("the migrated code still reads ok on some response, where the test's ok=... now becomes is_error")
        for now, then in self.reads.items():
            if then == "ok" and not self.sets_ok:
                raise _Refused(f"the migrated code reads the response's {now} where it read {then}, and the mock leaves {then} unset: an unset mock attribute is true either way, so the code would now see an error")
            if then == "url":
                raise _Refused("the migrated code reads str(response.url), which differs on a mock's url unless the test sets it to a str")
        self._no_requests(self.node, "it")

    def _patch(self, call: cst.Call) -> tuple[str, cst.CSTNode, Edit] | None:
        """(the patched target ``pkg.api.requests[.verb]``, the node naming it, its edit) for a
        patch of a moved module, else None."""
        name = _patcher(call, self.imported)
        args = call.args
        if name.endswith(("patch", "setattr")) and args and isinstance(args[0].value, cst.SimpleString):
            value = args[0].value.evaluated_value
            target = next((t for t in self.targets if value == t), None)
            if target is None:
                return None
            parts = target.split(".")
            parts[parts.index("requests")] = "httpx"  # the module's own name, not pkg.requests_helper
            return target, args[0].value, lambda n, new=".".join(parts): n.with_changes(value=n.value.replace(target, new, 1))
        if name.endswith(("patch.object", "setattr")) and len(args) >= 2 and self._is_requests(args[0].value):
            attr = args[1].value.evaluated_value if isinstance(args[1].value, cst.SimpleString) else None
            target = f"requests.{attr}"  # patch.object(requests, "get"): requests itself
            if target not in self.targets:
                return None
            return target, args[0].value, self._to_httpx(args[0].value)
        if name.endswith(("patch.object", "setattr")) and len(args) >= 2 and isinstance(args[0].value, cst.Attribute):
            spelled = dotted(args[0].value) or ""
            head, _, rest = spelled.partition(".")
            module = self.imported.get(head)
            attr = args[1].value.evaluated_value if isinstance(args[1].value, cst.SimpleString) else None
            if module is None or rest != "requests" or not isinstance(attr, str):
                return None
            target = f"{module}.requests.{attr}"
            if target not in self.targets:
                return None
            self.handled.add(id(args[0].value))  # (api.requests here names the target, nothing else)
            return target, args[0].value, lambda n: n.with_changes(attr=cst.Name("httpx"))
        return None

    def _is_requests(self, node: cst.BaseExpression) -> bool:
        """``node`` is a name of the requests module itself."""
        return isinstance(node, cst.Name) and self.imported.get(node.value) == "requests"

    def _to_httpx(self, node: cst.Name) -> Edit:
        self.handled.add(id(node))
        self.names_httpx = True
        return lambda n: cst.Name("httpx")

    def _bound_to(self, call: cst.Call) -> str | None:
        parent = self.parents.get(call)
        name = _patcher(call, self.imported)
        if name.endswith("setattr"):  # a Mock handed in is the mock; a function is checked as a fake
            fake = call.args[-1].value if len(call.args) >= 2 else None
            return fake.value if isinstance(fake, cst.Name) and self._is_mock(fake.value) else None
        if isinstance(parent, cst.WithItem):
            return parent.asname.name.value if parent.asname and isinstance(parent.asname.name, cst.Name) else None
        if isinstance(parent, cst.Assign) and name.startswith("mocker.") and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            return parent.targets[0].target.value
        if isinstance(parent, cst.Expr) and name.startswith("mocker."):
            return None
        raise _Refused("the patch is started or kept in a way the tool cannot follow")

    def _is_mock(self, name: str) -> bool:
        """``name`` is assigned a ``Mock()``/``MagicMock()`` in this test (or the helper being checked)."""
        for assign in assigns(self.scope.body, name):
            if isinstance(assign.value, cst.Call) and (dotted(assign.value.func) or "").rsplit(".", 1)[-1] in _MOCKS:
                return True
        return False

    def _follow_patch(self, call: cst.Call, mock: str | None) -> None:
        target, node, edit = self._patch(call)  # type: ignore[misc]
        code = self.targets[target]
        what = "requests" if target.endswith(".requests") else f"requests.{target.rsplit('.', 1)[1]}"
        why = code.why_not(what)
        if why:
            raise _Refused(why)
        self.reads.update(code.reads_of(what))
        self.reads_ok = self.reads_ok or code.reads_ok
        self.seen.add(target)
        self.edits[node] = edit
        by_name = isinstance(call.args[0].value, cst.SimpleString)
        given = 1 if by_name else 2  # the positionals naming the target; the next one is what replaces it
        positional = [a.value for a in call.args if a.keyword is None]
        handed = positional[given] if len(positional) > given else None
        if len(positional) > given + 1:
            raise _Refused("the patch is given more arguments than the tool follows")
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None:
                continue
            if keyword == "return_value" and what != "requests":
                self._response_value(arg.value)
            elif keyword == "side_effect" and what != "requests":
                self._side_effect(arg.value, what)
            elif keyword == "new":
                handed = arg.value
            else:
                raise _Refused(f"the patch is given {keyword}=, which the tool does not follow")
        if handed is not None and not (isinstance(handed, cst.Name) and handed.value == mock):
            self._fake(handed, what)
        elif self.fixture:
            # its tests may reach the mock through the module (requests.get.return_value = ...)
            raise _Refused("the fixture makes a mock its tests may reach through the module, where the tool cannot follow them")
        if mock is not None:
            self._bound_once(mock, call)
        if target.startswith("requests."):  # requests.get.assert_called_with(...): the mock, through the module
            for use in used_names(self.node.body):
                attribute = self.parents.get(use)
                if use is not node and self._is_requests(use) and isinstance(attribute, cst.Attribute) and attribute.attr.value == what[9:]:
                    self.edits[use] = self._to_httpx(use)
                    self._use(attribute, what)
        if mock is None:
            return
        for use in names(self.node.body, mock):
            if any(a.value is use for a in call.args):
                continue  # monkeypatch.setattr(api.requests, "get", fake): the fake handed in
            self._use(use, what)

    def _use(self, node: cst.BaseExpression, what: str) -> None:
        """A use of a mock of ``what`` (``requests`` or ``requests.<verb>``)."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.AsName):
            return  # bound here: with patch(...) as mock
        if isinstance(parent, cst.AssignTarget):  # mock = mocker.patch(...), or fake = Mock(...) for monkeypatch
            value = self.parents.get(parent).value
            if isinstance(value, cst.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] in _MOCKS:
                self._mock_made(value, what)
            return
        if not isinstance(parent, cst.Attribute) or parent.value is not node:
            raise _Refused(f"it hands the mock of {what} on, where the tool cannot follow it")
        attr = parent.attr.value
        if what == "requests":
            if attr not in VERBS:
                raise _Refused(f"it reads requests.{attr} on the mocked module")
            return self._use(parent, f"requests.{attr}")
        verb = what.removeprefix("requests.")
        grand = self.parents.get(parent)
        called = isinstance(grand, cst.Call) and grand.func is parent
        if attr in _COUNTS or attr in _PLAIN_ASSERTS and called:
            return
        if attr in _CALL_ASSERTS and called:
            args = self._call_args(grand.args, verb)
            self.edits[grand] = lambda n: n.with_changes(args=args)
            return
        if attr == "assert_has_calls" and called and grand.args and isinstance(grand.args[0].value, (cst.List, cst.Tuple)):
            for element in grand.args[0].value.elements:
                item = element.value
                if not (isinstance(item, cst.Call) and (dotted(item.func) or "").rsplit(".", 1)[-1] == "call"):
                    raise _Refused("its assert_has_calls holds an item that is not a call(...)")
                args = self._call_args(item.args, verb)
                self.edits[item] = lambda n, a=args: n.with_changes(args=a)
            return
        if attr == "return_value":
            return self._response(parent)
        if attr == "call_args":
            return self._recorded(parent, verb)
        target = self.parents.get(parent)
        sets = isinstance(target, cst.AssignTarget)
        if attr == "side_effect" and sets:
            return self._side_effect(self.parents.get(target).value, what)
        raise _Refused(f"it {'sets' if sets else 'reads'} {attr} of the mock of {what}")

    def _bound_once(self, name: str, patch: cst.Call) -> None:
        """``name``, the mock ``patch`` makes, is bound nowhere else in the test (not by another
        ``with ... as``, an assignment, a loop, or a nested function's parameter)."""
        for use in names(self.node.body, name):
            parent = self.parents.get(use)
            if isinstance(parent, cst.AsName) and self.parents.get(parent) is not self.parents.get(patch):
                raise _Refused(f"it binds {name} again, where the tool cannot tell the mocks apart")
            if isinstance(parent, cst.AssignTarget):
                value = self.parents.get(parent).value
                if value is not patch and not (isinstance(value, cst.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] in _MOCKS):
                    raise _Refused(f"it binds {name} again, where the tool cannot tell the mocks apart")
            if isinstance(parent, (cst.For, cst.CompFor)) and parent.target is use:
                raise _Refused(f"it binds {name} again, where the tool cannot tell the mocks apart")
        for function in defs(self.node):
            if name in {p.name.value for p in function.params.params}:
                raise _Refused(f"a function inside it takes a parameter named {name}")

    def _recorded(self, node: cst.BaseExpression, verb: str) -> None:
        """``node`` is ``get.call_args``: read for the URL and for keywords, or compared with a call(...)."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.attr.value in ("args", "kwargs"):
            return self._recorded_part(parent, parent.attr.value, verb)
        if isinstance(parent, cst.Subscript) and key(parent) in (0, 1):
            return self._recorded_part(parent, ("args", "kwargs")[key(parent)], verb)
        target = parent.targets[0].target if isinstance(parent, cst.Assign) and len(parent.targets) == 1 else None
        if isinstance(target, cst.Tuple) and len(target.elements) == 2:  # args, kwargs = get.call_args
            for element, part in zip(target.elements, ("args", "kwargs")):
                if isinstance(element.value, cst.Name):
                    for use in names(self.node.body, element.value.value):
                        if use is not element.value:
                            self._recorded_part(use, part, verb)
            return
        if isinstance(parent, cst.Comparison) and len(parent.comparisons) == 1 and isinstance(parent.comparisons[0].operator, cst.Equal):
            other = parent.comparisons[0].comparator if parent.left is node else parent.left
            if isinstance(other, cst.Call) and (dotted(other.func) or "").rsplit(".", 1)[-1] == "call":
                args = self._call_args(other.args, verb)
                self.edits[other] = lambda n: n.with_changes(args=args)
                return
        raise _Refused(f"it reads the call recorded by the mock of requests.{verb} in a way the tool cannot follow")

    def _recorded_part(self, node: cst.BaseExpression, part: str, verb: str) -> None:
        """``node`` is a recorded call's positional arguments (``part`` "args") or keywords ("kwargs")."""
        parent = self.parents.get(node)
        url_params = any(verb in code.url_params for code in self.targets.values())
        if part == "args":
            if isinstance(parent, cst.Subscript) and key(parent) in ((0, 1) if verb == "request" else (0,)):
                if url_params:
                    raise _Refused("it reads the URL a call recorded, which now holds the query params= made")
                return  # the URL (and request()'s method): positional in httpx's call too
            raise _Refused("it reads the recorded call's positional arguments past the URL, which httpx's call gets by keyword")
        if isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1 and isinstance(parent.slice[0].slice, cst.Index):
            read = parent.slice[0].slice.value
            if isinstance(read, cst.SimpleString) and read.evaluated_value == "allow_redirects":  # a key it had: renamed
                self.edits[read] = lambda n: n.with_changes(value=n.value.replace("allow_redirects", "follow_redirects"))
                return
        self._keyword_read(node, "the recorded call's keywords", params_gone=url_params)

    def _call_args(self, args, verb: str) -> list[cst.Arg]:
        """The arguments a call recorded as ``requests.<verb>(*args)`` records as httpx's call now."""
        if any(a.star for a in args):
            raise _Refused("a call assertion passes *args/**kwargs")
        leading = 2 if verb == "request" else 1
        by_position = _POSITIONAL["module"].get(verb, ())
        positional = [a for a in args if a.keyword is None]
        if len(positional) > leading + len(by_position):
            raise _Refused("a call assertion has more positional arguments than requests takes")
        out = positional[:leading] + [with_keyword(a, n) for a, n in zip(positional[leading:], by_position)]
        for arg in args:
            if arg.keyword is not None:
                renamed = arg.keyword.value == "allow_redirects"
                out.append(arg.with_changes(keyword=cst.Name("follow_redirects")) if renamed else arg)
        if any(verb in code.url_params for code in self.targets.values()):
            # the migration wrote params= into the URL (_requests_url): the call now records that URL
            params = next((a for a in out if a.keyword is not None and a.keyword.value == "params"), None)
            if params is not None:
                out = [a for a in out if a is not params]
                url = out[leading - 1]
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                written = cst.Call(cst.Name(PARAMS.name), [cst.Arg(url.value, comma=comma), cst.Arg(params.value)])
                out[leading - 1] = url.with_changes(value=written)
                self.params_helper = True
        given = {a.keyword.value for a in out if a.keyword is not None}
        extra = []
        if verb != "head" and "follow_redirects" not in given:
            extra.append(kwarg("follow_redirects", cst.Name("True")))
        if "timeout" not in given:
            extra.append(kwarg("timeout", cst.parse_expression(self.timeout)))
        if verb in _NO_BODY_VERBS and given & {"data", "json"}:
            raise _Refused(f"a call assertion sends a body with {verb.upper()}")
        return append_args(out, extra)
