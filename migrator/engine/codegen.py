"""A module's code, generated statement by statement so that a second generation can reuse
the first's text for every top-level statement both share.

The import fix-up sometimes runs twice (when a requests name survives, its import must stay):
the two modules differ only in import lines, and generating the whole module again cost up to
a tenth of a migration on real code. Same tokens as ``Module.code`` (``tests/test_codegen.py``).
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.internal import CodegenState

# id(statement) -> (the statement, its tokens): the statement is kept so its id stays its own
Generated = dict[int, tuple[cst.CSTNode, list[str]]]


def generate(module: cst.Module, earlier: Generated | None = None) -> tuple[str, Generated]:
    """``module.code``, and each top-level statement's tokens (to pass back as ``earlier``)."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    tokens = state.tokens
    for node in module.header:
        node._codegen(state)
    made: Generated = {}
    for stmt in module.body:
        known = earlier.get(id(stmt)) if earlier is not None else None
        if known is not None and known[0] is stmt:
            tokens.extend(known[1])
            made[id(stmt)] = known
            continue
        start = len(tokens)
        stmt._codegen(state)
        made[id(stmt)] = (stmt, tokens[start:])
    for node in module.footer:
        node._codegen(state)
    # as Module._codegen_impl ends
    if module.has_trailing_newline:
        if not tokens:
            state.add_token(state.default_newline)
    else:
        state.pop_trailing_newline()
    return "".join(tokens), made
