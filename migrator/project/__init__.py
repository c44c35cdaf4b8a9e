"""The project layer: many files and packages in one run.

``discovery`` picks the files a run looks at; ``runner`` sends them through the engine in
parallel, with results from the ``cache`` where a file is unchanged; ``packages`` finds the
package each file belongs to and ``dependencies`` rewrites those packages' dependency files;
``test_reach`` and ``test_patches`` decide what test files may do once they see which code the
run migrated. What is true of one file alone is the engine's business; these modules see them all.
"""
