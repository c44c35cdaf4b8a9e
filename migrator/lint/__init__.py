"""The lint layer: ``migrate lint`` and the residual rules.

``rules`` is the one visitor that checks a file importing httpx for httpx pitfalls; ``objects``
follows which expressions hold httpx clients and responses; ``residuals`` and ``migrated_calls``
find again, in migrated code, the requests-only API and the warnings a migration reported, so a
later run, ``--check`` and ``migrate lint`` repeat them. The engine runs these rules on the code it
migrates; the command line runs them alone for ``migrate lint``.
"""
