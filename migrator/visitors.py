"""LibCST's visitor bases without the per-field hooks.

For every field of every node, LibCST calls ``on_visit_attribute`` and
``on_leave_attribute``, which format a method name and look it up
(``visit_Call_func``...). No visitor here defines such a method, and the two calls
cost about a tenth of a migration; these bases make them no-ops.
"""

from __future__ import annotations

import libcst as cst


class Visitor(cst.CSTVisitor):
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


class Transformer(cst.CSTTransformer):
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass
