"""The output layer: what a run prints and writes about its results.

``diff`` shows the changes as unified diffs, ``report`` the residual-issues report (JSON for
machines, a summary for people), ``formats`` SARIF and GitHub annotations for CI, and ``docs``
generates the documentation pages of the codemods and codes (``python -m migrator.output.docs``).
These modules only read results the engine and the project layer produced.
"""
