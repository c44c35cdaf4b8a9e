"""The engine: one file through the migration.

``pipeline`` reads a file, parses it once, runs every codemod in one traversal (``engine``, with
the shared ``context``), fixes its imports, checks the output and formats the touched lines; the
other modules are its parts (name resolution, positions, code generation, formatting, source
decoding, line diffs) and the vocabulary every layer shares: the run's ``options`` and the
``findings`` with their codes. Everything here works on one file; what a run does with many files
is the project layer's business, and what it prints is the output layer's.
"""
