"""The ``migrate`` command (also installed as ``requests2httpx``, and ``python -m migrator``)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import List, Optional

import typer

import codemods
from migrator import __version__
from migrator.cli import config
from migrator.output import formats, report
from migrator.project import dependencies, mock_conflict, packages
from migrator.cli.progress import progress_bar
from migrator.output.diff import colorize, unified
from migrator.project.discovery import discover, link_finding
from migrator.engine.options import Options
from migrator.engine.pipeline import FileResult
from migrator.engine.import_order import import_sort_for
from migrator.engine.style import style_for
from migrator.project.cache import Cache, default_root
from migrator.project.runner import default_jobs, run
from migrator.engine.sourcefile import atomic_write

EPILOG = """\
Examples:

  migrate lint src/                  find httpx pitfalls (see migrate lint --help)

  migrate --dry-run src/            show the diff, write nothing

  migrate src/ --report report.json  migrate, and save every finding as JSON

  migrate --check .                 CI: exit 1 if anything would still be migrated,
                                    or an error finding remains

  migrate --timeout 30 src/         write timeout=30 where requests had none

  migrate --target httpx2 src/      migrate requests code to httpx2, httpx's successor

  migrate --from httpx --target httpx2 src/
                                    move code already on httpx (by hand or by this
                                    tool) to httpx2

Exit codes: 0 done (or nothing to do); 1 --check found files that would change, or
an error finding (silence one with '# requests2httpx: ignore[CODE]' on its line);
2 bad usage, bad configuration, or a path that cannot be read.

Configuration: [tool.requests2httpx] in the nearest pyproject.toml, keys
timeout, exclude, select, ignore, format, mock-library, async, retries, target.
Command-line flags win.
"""

app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})


def _fail(message: str) -> "typer.Exit":
    typer.echo(f"migrate: error: {message}", err=True)
    return typer.Exit(2)


def _split(values: Optional[List[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out += [v.strip() for v in value.split(",") if v.strip()]
    return tuple(out)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"requests2httpx {__version__}")
        raise typer.Exit(0)


@app.command(epilog=EPILOG)
def migrate(
    paths: List[str] = typer.Argument(None, help="Files or folders to migrate (default: the current folder)."),
    dry_run: bool = typer.Option(False, "--dry-run", "--diff", help="Print a unified diff of what would change; write nothing."),
    interactive: bool = typer.Option(False, "--interactive", "-i", help="Review the migration unit by unit (a session with every hunk it spans; other changes by function) and apply what you approve (needs a terminal)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if any file would change or any error finding remains (for CI)."),
    report_file: Optional[str] = typer.Option(None, "--report", metavar="FILE", help="Write every finding as JSON to FILE ('-' for stdout)."),
    timeout: Optional[str] = typer.Option(None, "--timeout", metavar="none|SECONDS", help="Timeout written on calls that had none: 'none' keeps requests' wait-forever (default), a number sets seconds."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="CODEMOD", help="Run only these codemods (repeat or comma-separate). See --list-codemods."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODEMOD", help="Do not run these codemods. The catch-all report always runs."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip files or folders matching GLOB (repeatable), besides .gitignore and the usual venv/build/cache folders."),
    retries: Optional[str] = typer.Option(None, "--retries", metavar="httpx|httpx-retries", help="How urllib3 Retry policies migrate: 'httpx' keeps connect retries (and reports the rest), 'httpx-retries' writes httpx_retries.RetryTransport, a new dependency."),
    tests: Optional[bool] = typer.Option(None, "--tests/--no-tests", help="Migrate test mocks (responses → respx) in every file / in none (default: files under tests/ or named test_*.py)."),
    mock_library: Optional[str] = typer.Option(None, "--mock-library", metavar="respx|pytest-httpx", help="What test mocks migrate to (default: respx). With --target httpx2: respx through pytest-httpx2, or httpx2-pytest."),
    target: Optional[str] = typer.Option(None, "--target", metavar="httpx|httpx2", help="The library the code moves to: httpx 0.28 (default), or httpx2, its maintained successor (import httpx2; it verifies TLS with the system's trust store, not certifi)."),
    source: str = typer.Option("requests", "--from", metavar="requests|httpx", help="The library whose code moves: requests (default), or httpx, to move code already on httpx to --target httpx2."),
    async_calls: Optional[bool] = typer.Option(None, "--async/--no-async", help="Await requests calls made directly in coroutines on an httpx.AsyncClient (default: off)."),
    format_: Optional[bool] = typer.Option(None, "--format/--no-format", help="Run black on the lines the codemods touched (default: on)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: the CPU count)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache of earlier results (kept in $REQUESTS2HTTPX_CACHE_DIR, else ~/.cache/requests2httpx; a file is migrated again only when it, the options or the tool changed)."),
    shard_spec: Optional[str] = typer.Option(None, "--shard", metavar="K/N", help="Process only shard K of N (1-based): split a monorepo across CI jobs; the N shards cover every file once."),
    list_codemods: bool = typer.Option(False, "--list-codemods", help="List the codemods in the order they run, and exit."),
    output_format: str = typer.Option("text", "--output-format", metavar="text|json|sarif|github", help="How findings are printed: text (stderr), or json, sarif (SARIF 2.1.0) or github (workflow annotations) on stdout, in which case no diff is printed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the diff (with --dry-run) and errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print each finding's hint."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Migrate Python code from requests to httpx, and report what it could not migrate exactly.

    By default files are rewritten in place. Every finding (what could not be migrated, or needs
    review) is printed as PATH:LINE:COL: SEVERITY [CODE] MESSAGE on stderr.
    """
    if list_codemods:
        for cls in codemods.ORDER:
            title = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()[0]
            typer.echo(f"{cls.name:20} {title}")
        raise typer.Exit(0)
    if output_format not in ("text", "json", "sarif", "github"):
        raise _fail(f"--output-format takes text, json, sarif or github, not {output_format!r}")
    if interactive and (check or dry_run):
        raise _fail("-i cannot be combined with --check or --dry-run")
    if interactive and not sys.stdin.isatty():
        raise _fail("-i needs a terminal to ask on; use --dry-run to review the diff instead")
    paths = paths or ["."]
    try:
        section, _ = config.load(Path(paths[0]))
    except config.ConfigError as exc:
        raise _fail(str(exc))
    try:
        timeout_value = config.parse_timeout(timeout if timeout is not None else section.get("timeout", "none"))
    except ValueError:
        raise _fail(f"--timeout takes 'none' or a positive number of seconds, not {timeout!r}")
    mock_value = mock_library if mock_library is not None else section.get("mock-library", "respx")
    if mock_value not in ("respx", "pytest-httpx"):
        raise _fail(f"--mock-library takes respx or pytest-httpx, not {mock_value!r}")
    retries_value = retries if retries is not None else section.get("retries", "httpx")
    if retries_value not in ("httpx", "httpx-retries"):
        raise _fail(f"--retries takes 'httpx' or 'httpx-retries', not {retries_value!r}")
    target_value = target if target is not None else section.get("target", "httpx")
    if target_value not in ("httpx", "httpx2"):
        raise _fail(f"--target takes httpx or httpx2, not {target_value!r}")
    if source not in ("requests", "httpx"):
        raise _fail(f"--from takes requests or httpx, not {source!r}")
    if source == "httpx" and target_value != "httpx2":
        raise _fail("--from httpx moves httpx code to httpx2: add --target httpx2")
    if target_value == "httpx2" and retries_value == "httpx-retries":
        # its RetryTransport checks for httpx's transport classes: under httpx2 every request raises
        raise _fail("--retries httpx-retries works with httpx only (httpx-retries has no httpx2 version): use --retries httpx with --target httpx2")
    options = Options(
        async_calls=async_calls if async_calls is not None else section.get("async", False),
        tests=tests,
        mock_library=mock_value,
        retries=retries_value,
        target=target_value,
        source=source,
        timeout=timeout_value,
        format=format_ if format_ is not None else section.get("format", True),
        select=_split(select) or tuple(section.get("select", ())),
        ignore=_split(ignore) or tuple(section.get("ignore", ())),
        exclude=_split(exclude) + tuple(section.get("exclude", ())),
    )
    try:
        codemods.selected(options.select, options.ignore)
    except ValueError as exc:
        raise _fail(str(exc))
    links: list[tuple[str, str]] = []  # symlinks not followed, with their targets
    try:
        files = discover(paths, options.exclude, links)
    except FileNotFoundError as exc:
        raise _fail(f"no such file or folder: {exc.args[0]}")
    except OSError as exc:
        raise _fail(f"cannot read {exc.filename}: {exc.strerror}")

    if shard_spec is not None:
        try:
            k, n = (int(x) for x in shard_spec.split("/"))
            if not 1 <= k <= n:
                raise ValueError
        except ValueError:
            raise _fail(f"--shard takes K/N with 1 <= K <= N, not {shard_spec!r}")
        files = packages.shard(files, k, n)
        in_shard = set(packages.shard([link for link, _ in links], k, n))
        links = [(link, real) for link, real in links if link in in_shard]
    written: list[str] = []  # files written so far: Ctrl-C says how many
    try:
        held = mock_conflict.held_packages(files, options, packages.package_of) if options.target == "httpx2" else {}
        with progress_bar(len(files), enabled=not quiet and output_format == "text") as advance:
            results = _run(files, options, held, jobs or default_jobs(), advance, no_cache)
    except OSError as exc:
        raise _fail(f"cannot read {exc.filename}: {exc.strerror}")
    except KeyboardInterrupt:
        raise _interrupted(written)
    try:
        results += [_skipped_link(link, real, paths) for link, real in links]
        results += dependencies.results_for(results, packages.package_of, options.target, options.source, set(held))
        mode = "check" if check else "dry-run" if dry_run else "write"
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        if interactive:
            code_results = [r for r in results if r.kind != "dependencies"]
            _interactive(code_results, color, written, options, set(held))  # findings are shown with their hunks
            raise typer.Exit(0)
        for result in results:
            if not result.changed:
                continue
            if dry_run and output_format == "text":
                diff = unified(result.path, result.old_text, result.new_text)
                typer.echo(colorize(diff) if color else diff, nl=False)
            elif dry_run:
                pass  # stdout carries the machine-readable output
            elif check:
                if not quiet and output_format == "text":
                    typer.echo(f"would migrate {result.path}", err=True)
            else:
                try:
                    _write(result.path, result.new, written)  # type: ignore[arg-type]
                except OSError as exc:
                    raise _fail(f"cannot write {result.path}: {exc.strerror}")
                if verbose:
                    typer.echo(f"migrated {result.path}", err=True)

        _emit(results, output_format, with_pending=mode != "write", quiet=quiet, verbose=verbose)
        if not quiet:
            package_rows = packages.summaries([r for r in results if not r.skipped])
            if len(package_rows) > 1:
                for row in package_rows:
                    sev = row["findings"]
                    typer.echo(
                        f"  {row['package']}: {row['files_changed']} of {row['files']} files {'changed' if mode == 'write' else 'to change'}, "
                        f"{sev['error']} errors, {sev['warning']} warnings, {sev['info']} info",
                        err=True,
                    )
            if options.format and output_format == "text":  # (above the summary, which stays the last line)
                changed = [r.path for r in results if r.changed and r.kind == "code"]
                for described in sorted({style_for(path).describe() for path in changed}):
                    typer.echo(f"touched lines formatted {described}", err=True)
                for sort in sorted({s.source for s in map(import_sort_for, changed) if s.source}):
                    typer.echo(f"imports sorted as {sort} says (in files that were sorted)", err=True)
            typer.echo(report.human_summary(results, mode, options.source), err=True)
        if report_file:
            _write_report(results, report_file)
    except KeyboardInterrupt:  # while writing, or after: each file is as it was or fully written
        raise _interrupted(written)
    if check and (any(r.changed for r in results) or any(f.severity == "error" for r in results for f in r.findings)):
        raise typer.Exit(1)  # an error finding is code that breaks or changes behaviour, migrated or not


def _run(files: list[str], options: Options, held: dict, jobs: int, advance, no_cache: bool) -> list[FileResult]:
    """The run; packages whose tests use respx and pytest-httpx (``held``) run with ``--target httpx``
    (:mod:`migrator.project.mock_conflict`), each file in its place."""
    import dataclasses

    on_httpx = [f for f in files if packages.package_of(f) in held]
    if not on_httpx:
        return run(files, options, jobs, advance, None if no_cache else Cache(default_root(), options))
    httpx_options = dataclasses.replace(options, target="httpx")
    results = run([f for f in files if packages.package_of(f) not in held], options, jobs, advance,
                  None if no_cache else Cache(default_root(), options))
    results += run(on_httpx, httpx_options, jobs, advance, None if no_cache else Cache(default_root(), httpx_options))
    order = {path: i for i, path in enumerate(files)}
    results.sort(key=lambda r: order.get(r.path, len(order)))
    mock_conflict.report(results, held)
    return results


def _skipped_link(link: str, real: str, paths: list[str]) -> FileResult:
    """A symlink not followed: its finding, and what its target means for the dependencies."""
    try:
        with open(real, "rb") as fh:
            features = dependencies.features_of_bytes(fh.read())
    except OSError:
        features = frozenset()
    return FileResult(link, b"", None, [link_finding(link, real, paths)], skipped=True, kind="symlink", features=features)


def _interrupted(written: list[str]) -> "typer.Exit":
    if not written:
        what = "no file was written"
    else:
        what = f"{len(written)} file{'s were' if len(written) != 1 else ' was'} written in full, every other file left as it was"
    typer.echo(f"migrate: interrupted; {what}", err=True)
    return typer.Exit(130)


def _write(path: str, data: bytes, written: list[str]) -> None:
    """Write one file atomically, with Ctrl-C held off until it is written and counted."""
    mask = getattr(signal, "pthread_sigmask", None)  # POSIX; elsewhere the count may miss the last file
    before = mask(signal.SIG_BLOCK, {signal.SIGINT}) if mask else None
    try:
        atomic_write(path, data)
        written.append(path)
    finally:
        if mask:
            mask(signal.SIG_SETMASK, before)


def _emit(results, output_format: str, *, with_pending: bool, quiet: bool, verbose: bool) -> None:
    """Findings in the chosen format: machine formats on stdout, text on stderr."""
    if output_format == "json":
        typer.echo(report.as_json(results), nl=False)
    elif output_format == "sarif":
        typer.echo(formats.sarif(results, with_pending), nl=False)
    elif output_format == "github":
        typer.echo(formats.github(results, with_pending), nl=False)
    elif not quiet:
        units = {r.path: r.units for r in results if r.units}
        unit_of = lambda f: next((u for u in units.get(f.path, ()) if u.on_line(f.line)), None)  # noqa: E731
        for line in report.finding_lines((f for r in results for f in r.findings), verbose, unit_of):
            typer.echo(line, err=True)


def _interactive(results, color: bool, written: list[str], options: Options, held: set[str]) -> None:
    """Code files question by question; then the dependency files as the answers leave the code
    (a declined session keeps requests declared)."""
    import dataclasses

    from migrator.cli.interactive import review
    from migrator.engine.pipeline import migrate_source
    from migrator.project.dependencies import features, features_of_bytes

    def rerun(result, declined, widen):  # the file migrated again with the declined units kept
        own = dataclasses.replace(options, requests_stays=options.requests_stays or widen)
        if packages.package_of(result.path) in held:  # (its package stays on httpx: mock_conflict)
            own = dataclasses.replace(own, target="httpx")
        again = migrate_source(result.old_text, result.path, own, declined=declined)
        for f in again.findings:
            if f.code == "session-kept" and "declined at migrate -i" in f.message:
                typer.echo(f"{f.path}:{f.line}:{f.column}: {f.severity} [{f.code}] {f.message}", err=True)
        return again.code

    try:
        stopped: list[bool] = []
        decided = review(results, input, sys.stdout, color, rerun, options.format, stopped)
        if not stopped:  # (q: what was approved so far, and nothing more)
            texts = {result.path: text for result, text in decided}
            answered = [dataclasses.replace(r, features=features(texts[r.path]) if r.path in texts else
                                            features_of_bytes(r.original) if r.changed else r.features) for r in results]
            dependency_files = dependencies.results_for(answered, packages.package_of, options.target, options.source, held)
            decided += review(dependency_files, input, sys.stdout, color, None, options.format)
    except KeyboardInterrupt:
        typer.echo("\nmigrate: interrupted; nothing was written", err=True)
        raise typer.Exit(130)
    for result, text in decided:
        data = text.encode("utf-8") if result.kind != "code" else _encode_like(result, text)
        _write(result.path, data, written)
        typer.echo(f"wrote {result.path}", err=True)
    typer.echo(f"{len(decided)} file{'s' if len(decided) != 1 else ''} written", err=True)


def _encode_like(result, text: str) -> bytes:
    from migrator.engine.sourcefile import decode

    return decode(result.original).encode(text)


lint_app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})


@lint_app.command(epilog="Exit codes: 0 no error or warning; 1 errors or warnings found; 2 bad usage or an unreadable path.")
def lint(
    paths: List[str] = typer.Argument(None, help="Files or folders to check (default: the current folder)."),
    output_format: str = typer.Option("text", "--output-format", metavar="text|json|sarif|github", help="How findings are printed (see migrate --help)."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip files or folders matching GLOB."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print findings only, no summary."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print each finding's hint."),
    report_file: Optional[str] = typer.Option(None, "--report", metavar="FILE", help="Write every finding as JSON to FILE ('-' for stdout), as migrate --report does."),
) -> None:
    """Find httpx pitfalls: un-awaited AsyncClient calls, blocking calls in async def, unclosed
    clients, missing timeouts, removed/deprecated arguments, missing extras, unread streams, a
    client per request in a loop, and requests-only API used on httpx clients and responses
    (r.ok, client.mount, verify= on a client call...). Checks httpx code whether migrated or
    written by hand. '# requests2httpx: ignore[CODE]' on a line silences a finding there."""
    from migrator.lint.rules import lint_source

    if output_format not in ("text", "json", "sarif", "github"):
        raise _fail(f"--output-format takes text, json, sarif or github, not {output_format!r}")
    try:
        files = discover(paths or ["."], _split(exclude))
    except FileNotFoundError as exc:
        raise _fail(f"no such file or folder: {exc.args[0]}")
    results = []
    for path in files:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise _fail(f"cannot read {path}: {exc.strerror}")
        findings = []
        if b"httpx" in data:
            text = data.decode("utf-8", "replace")
            findings = lint_source(text, path, _declared(path))
        results.append(FileResult(path, data, None, findings, skipped=not findings))
    _emit(results, output_format, with_pending=False, quiet=False, verbose=verbose)
    findings = [f for r in results for f in r.findings]
    if not quiet:
        typer.echo(f"{len(files)} file{'' if len(files) == 1 else 's'} checked; {len(findings)} finding{'' if len(findings) == 1 else 's'}", err=True)
    if report_file:
        _write_report(results, report_file)
    if any(f.severity in ("error", "warning") for f in findings):
        raise typer.Exit(1)


def _write_report(results: list[FileResult], report_file: str) -> None:
    text = report.as_json(results)
    if report_file == "-":
        typer.echo(text, nl=False)
        return
    try:
        Path(report_file).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write report {report_file}: {exc.strerror}")


def _declared(path: str) -> str:
    """The text of the dependency files of the package holding ``path`` (for extras)."""
    package = packages.package_of(path)
    if not package:
        return ""
    texts = []
    for dep in dependencies.dependency_files(package):
        try:
            texts.append(Path(dep).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            pass
    return "\n".join(texts)


def main() -> None:
    if sys.argv[1:2] == ["lint"]:
        lint_app(args=sys.argv[2:], prog_name="migrate lint")
        return
    app(prog_name="migrate")
