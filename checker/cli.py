"""The ``ropa`` command: a thin front end over the engine in ``checker``.

Exit status: 0 success (for ``check``: no finding at or above ``--fail-on``), 1 findings,
2 usage, input or load error, 3 an internal error of ropa-kg (a bug: one line on stderr and a
request to report it; ``ROPA_DEBUG=1`` shows the traceback). Results go to stdout,
diagnostics to stderr.

Each command imports the engine it needs when it runs, not at the top of this module: all of
them together cost about 1 s to import on the 2-core CI machine (``python -X importtime -c
"import checker.cli"`` against importing every engine module), which ``ropa --help`` and every
single command would otherwise pay.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from checker import __version__
from checker.errors import RopaError
from checker.files import printable, signals_as_exit, write_atomically

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STATUS_HELP = (
    "Exit status: 0 success, 1 findings, 2 usage or input error, 3 internal error (a bug)."
)

#: The exit status of an unexpected exception: a bug of ropa-kg, never a verdict on the input.
INTERNAL_ERROR = 3


class UserError(click.ClickException):
    """An error of the input or the usage: message on stderr, exit status 2, no traceback."""

    exit_code = 2


class InternalError(click.ClickException):
    """An exception nobody expected: one line, a request to report it, exit status 3."""

    exit_code = INTERNAL_ERROR

    def __init__(self, exc: BaseException):
        where = ""
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            last = frames[-1]
            where = f" at {Path(last.filename).name}:{last.lineno}"
        super().__init__(
            printable(
                f"internal error{where}: {type(exc).__name__}: {exc}. This is a bug in ropa-kg: "
                "please report it with the command you ran (ROPA_DEBUG=1 shows the traceback)."
            )
        )


def engine_errors(func: F) -> F:
    """Turn the engine's typed errors and any system error (a file, a folder, a connection)
    into one clean line and exit status 2, and any other exception into one line and exit
    status 3 (never a bare traceback). SIGTERM and SIGHUP stop the command as Ctrl-C
    would, so no temporary file is left behind (status 128 + the signal)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with signals_as_exit():
                return func(*args, **kwargs)
        except RopaError as exc:
            raise UserError(printable(str(exc))) from None
        except RecursionError:
            raise UserError("input nested too deeply to process") from None
        except MemoryError:
            raise UserError("input too large to process in memory") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            raise UserError(printable(system_error(exc))) from None
        except Exception as exc:
            # A broken HTTP answer (cut short, garbled); http.client is imported only by
            # the commands that talk to a server, so it is looked up, not imported here.
            http = sys.modules.get("http.client")
            if http is not None and isinstance(exc, http.HTTPException):
                reason = f"{type(exc).__name__}: {exc}"
                raise UserError(printable(f"connection error: {reason}")) from None
            if os.environ.get("ROPA_DEBUG"):
                raise
            raise InternalError(exc) from None

    return wrapper  # type: ignore[return-value]


def system_error(exc: OSError) -> str:
    """One line for an error of the system: the file or address it concerns, then why.

    >>> system_error(PermissionError(13, "Permission denied", "out/graph.ttl"))
    'out/graph.ttl: Permission denied'
    >>> system_error(ConnectionResetError(104, "Connection reset by peer"))
    'connection error: Connection reset by peer'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return f"connection error: {reason}"
    return f"system error: {reason}"


paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, exists=False)
)


def choice_option(
    flag: str, choices: list[str], help: str, dest: str | None = None
) -> Callable[[F], F]:
    """An option that takes one of ``choices``; the first is the default."""
    names = [flag] if dest is None else [flag, dest]
    return click.option(
        *names, type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


def timeout_option(default: float, help: str) -> Callable[[F], F]:
    """--timeout SECONDS, more than 0."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help=help,
    )


def format_option(choices: list[str], help: str) -> Callable[[F], F]:
    """--format, the first choice the default."""
    return choice_option("--format", choices, help, dest="fmt")


def output_option(what: str, help: str | None = None) -> Callable[[F], F]:
    """-o/--output FILE: write the result there (atomically) instead of stdout."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=help or f"Write the {what} here instead of stdout.",
    )


def emit(result: str | bytes, output: Path | None, wrote: str | None = None) -> None:
    """Write a command's result to ``output`` all at once (and say ``wrote ...`` on stderr),
    or to stdout (text without control characters: names from the records must not drive
    the terminal)."""
    if output is None:
        if isinstance(result, str):
            click.echo(printable(result), nl=False)
        else:
            sys.stdout.buffer.write(result)
        return
    write_atomically(output, result.encode("utf-8") if isinstance(result, str) else result)
    if wrote is not None:
        click.echo(printable(f"wrote {wrote} to {output}"), err=True)


def server_options(default_port: int) -> Callable[[F], F]:
    """--host (loopback by default) and --port, for the commands that start a server."""

    def decorate(func: F) -> F:
        func = click.option(
            "--port",
            type=click.IntRange(0, 65535),
            default=default_port,
            show_default=True,
            help="Port to listen on (0: any free port).",
        )(func)
        return click.option(
            "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
        )(func)

    return decorate


#: The catalogue graph's default (checker.query.catalogue.CATALOGUE; not imported here: start-up).
CATALOGUE = "urn:ropa-kg:catalogue"

user_option = click.option(
    "--user",
    metavar="NAME",
    help="User for the store. The password comes from the ROPA_STORE_PASSWORD environment "
    "variable, a netrc file ($NETRC or ~/.netrc) or a prompt; never from the command line.",
)

catalogue_option = click.option(
    "--catalogue",
    metavar="IRI",
    default=CATALOGUE,
    show_default=True,
    help="The store's catalogue graph: which named graphs make up the administration.",
)


memory_option = click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(min=16),
    default=2048,
    show_default=True,
    metavar="MB",
    help="Stop a query that grows its process by more than this many megabytes.",
)


def graphs_option(help: str) -> Callable[[F], F]:
    """--graph IRI, repeatable."""
    return click.option("--graph", "graphs", metavar="IRI", multiple=True, help=help)


def store_client(endpoint: str, user: str | None, timeout: float = 120.0) -> Any:
    """The HTTP client for a store: the user's password from the environment, a netrc file
    or (on a terminal) a prompt."""
    from checker.query.client import Client, credentials

    def ask(text: str) -> str:
        return str(click.prompt(text, hide_input=True, err=True))

    return Client(credentials(endpoint, user, prompt=ask if sys.stdin.isatty() else None), timeout)


@click.group(epilog=EXIT_STATUS_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ropa")
def main() -> None:
    """ropa-kg: GDPR records of processing activities as a W3C DPV knowledge graph.

    PATHS are record-set folders (YAML), YAML files, spreadsheets in the ICO, Finnish or
    CNIL layout (.xlsx, .ods, .csv), or DPV files in Turtle, JSON-LD, N-Triples or
    RDF/XML. Without PATHS, commands use the shipped Finnish Customs customer-services
    register.
    """
    # rdflib logs ill-typed literals with a traceback; the checker reports them as findings.
    logging.getLogger("rdflib").setLevel(logging.ERROR)


@main.command()
@paths_argument
@output_option(
    "graph",
    "Write the graph here; the format follows the extension (.ttl, .jsonld, .nt). "
    "Default: Turtle on stdout.",
)
@engine_errors
def build(paths: tuple[Path, ...], output: Path | None) -> None:
    """Build one RDF graph from the records (and any DPV files).

    The graph holds the data, the vocabulary labels and hierarchy, and the provenance of
    every entry to the register description. The same input gives byte-identical output.
    """
    from checker.graph.build import build as build_graph
    from checker.graph.serialize import output_format, serialize

    fmt = output_format(output) if output is not None else "turtle"
    graph = build_graph(list(paths))
    emit(serialize(graph, fmt), output, f"{len(graph)} triples")


@main.command()
@paths_argument
@format_option(
    ["text", "json", "sarif", "junit", "markdown"],
    "Output format: text for people, json for tools, sarif for code scanning, "
    "junit for CI dashboards, markdown for a pull-request comment.",
)
@choice_option(
    "--fail-on",
    ["violation", "warning", "info", "never"],
    "Exit 1 when a finding (not in the baseline) is at or above this severity "
    "(never: report the findings and exit 0, e.g. to look at a register's gaps).",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML file of accepted findings, each with a reason; only other findings count.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every current finding to this baseline file (reasons to be filled in) and exit 0.",
)
@click.option(
    "--owl",
    is_flag=True,
    help="Also check the records' consistency with the ontology (OWL reasoner HermiT; needs Java).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Check the graphs of this SPARQL 1.1 endpoint instead of records (read-only; "
    "e.g. Virtuoso's http://127.0.0.1:8890/sparql).",
)
@graphs_option(
    "With --endpoint: check this named graph (repeatable: their union). Default: every "
    "graph of the catalogue."
)
@catalogue_option
@user_option
@timeout_option(120.0, "With --endpoint: seconds to wait for each answer of the store.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date reviews are due against (REVIEW-OVERDUE), as YYYY-MM-DD; default: today.",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The organisation's own SHACL shapes (Turtle); repeatable. A register's "
    "'rules:' adds more (docs/organisation-rules.md).",
)
@output_option("report")
@engine_errors
def check(
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    baseline: Path | None,
    write_baseline: Path | None,
    owl: bool,
    endpoint: str | None,
    graphs: tuple[str, ...],
    catalogue: str,
    user: str | None,
    timeout: float,
    today: datetime | None,
    rules: tuple[Path, ...],
    output: Path | None,
) -> None:
    """Check the records against the GDPR and report every gap, with its article.

    Rules: Art. 30 contents, legal bases, special categories, processors, transfers,
    retention, notice contents, DPO, Finnish rules (shapes/), flow-graph rules, joint
    controllers, representatives and processors' records, DPIA screening, review dates
    (against --today), and with --owl the ontology's consistency. With --endpoint, the same
    rules run against the graphs of a triple store (the shapes as SPARQL in the store) and
    give the same findings.

    Exit status: 0 when no finding outside the baseline is at or above --fail-on,
    1 when some are, 2 for usage or input errors.
    """
    from checker.assets import default_records
    from checker.check.baseline import load_baseline, render_baseline, split
    from checker.check.findings import Severity
    from checker.check.organisation import load_rules, register_rules
    from checker.check.report import render
    from checker.check.run import check as run_check
    from checker.graph.build import build as build_graph
    from checker.records.load import display_path

    accepted = load_baseline(baseline) if baseline is not None else []
    if endpoint is not None:
        if paths or owl or rules:
            raise click.UsageError(
                "--endpoint checks the store: no PATHS, --owl or --rules with it"
            )
        from checker.check.remote import check_endpoint

        client = store_client(endpoint, user, timeout)
        result = check_endpoint(endpoint, graphs, catalogue=catalogue, client=client)
    elif graphs:
        raise click.UsageError("--graph needs --endpoint")
    else:
        inputs = [display_path(p) for p in paths or [default_records()]]
        rule_files = [*rules, *register_rules(list(paths) or [default_records()])]
        organisation = load_rules(rule_files) if rule_files else None
        day = today.date() if today is not None else None
        result = run_check(
            build_graph(list(paths)), owl=owl, inputs=inputs, rules=organisation, today=day
        )
    if write_baseline is not None:
        write_atomically(write_baseline, render_baseline(result.findings).encode("utf-8"))
        click.echo(
            f"wrote {len(result.findings)} findings to {write_baseline}; "
            "fill in each reason before using it",
            err=True,
        )
        return
    new, known = split(result.findings, accepted)
    level = Severity.parse("violation" if fail_on == "never" else fail_on)
    emit(render(fmt, new, level, accepted=len(known)), output)
    if fail_on != "never" and any(f.severity >= level for f in new):
        sys.exit(1)


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@format_option(
    ["text", "json", "markdown"],
    "Output format: text for people, json for tools, markdown for a pull-request comment.",
)
@click.option(
    "--path",
    "records_path",
    default="ropa",
    show_default=True,
    help="For a git revision: the records folder, relative to the repository's top "
    "(a record set, or a folder of record sets).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="OLD is the graph --graph as published in this SPARQL endpoint: give only NEW.",
)
@click.option("--graph", metavar="IRI", help="With --endpoint: the published graph.")
@catalogue_option
@user_option
@engine_errors
def diff(
    old: str | None,
    new: str | None,
    fmt: str,
    records_path: str,
    endpoint: str | None,
    graph: str | None,
    catalogue: str,
    user: str | None,
) -> None:
    """Show what changed between two versions of the records, for data protection.

    OLD and NEW are paths (record sets, YAML or RDF files) or, when no such path exists,
    git revisions of the repository in the working directory ('ropa diff main HEAD'),
    read without touching the work tree. With --endpoint URL --graph IRI, OLD is the graph
    as published in a triple store and only NEW is given. Reports, per processing activity, what was
    added, removed, renamed or changed, the risk-raising changes first, and the findings
    introduced and resolved.

    Exit status: 0 when the versions state the same records, 1 when they differ,
    2 for usage or input errors.
    """
    from checker.diff.compare import diff_graphs
    from checker.diff.render import render
    from checker.graph.revisions import load_version

    if endpoint is not None:
        if graph is None or old is None or new is not None:
            raise click.UsageError("with --endpoint: ropa diff --endpoint URL --graph IRI NEW")
        from checker.graph.store import StoreGraph
        from checker.query.catalogue import unchanged
        from checker.query.store import SparqlStore, read_graph

        store = SparqlStore(endpoint, store_client(endpoint, user))
        with unchanged(store, [graph], catalogue):
            old_graph, new = StoreGraph(read_graph(store, graph)), old
        old = f"<{graph}>"
    else:
        if old is None or new is None or graph is not None:
            raise click.UsageError("give OLD and NEW (or --endpoint URL --graph IRI NEW)")
        old_graph = load_version(old, records_path)
    result = diff_graphs(
        old_graph,
        load_version(new, records_path),
        old_name=old,
        new_name=new,
    )
    click.echo(printable(render(fmt, result)), nl=False)
    if not result.equivalent:
        sys.exit(1)


@main.command()
@click.argument("query_spec", metavar="QUERY", required=False)
@paths_argument
@format_option(
    ["table", "csv", "json", "markdown", "turtle"],
    "table for people; csv and json (SPARQL 1.1 results) for tools; markdown for "
    "documents; turtle for CONSTRUCT and DESCRIBE. Every IRI column gets a NAME_label column.",
)
@click.option(
    "--bind",
    "binds",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a variable by name: an <IRI>, a CURIE, an entry's id or its label "
    "(e.g. --bind processor=elisa). Repeatable.",
)
@timeout_option(30.0, "Stop the query after this many seconds (exit status 2).")
@memory_option
@click.option(
    "--endpoint",
    metavar="URL",
    help="Query this SPARQL endpoint (e.g. Virtuoso's http://127.0.0.1:8890/sparql) "
    "instead of building the graph.",
)
@graphs_option(
    "With --endpoint: query this named graph (sent as default-graph-uri; repeatable: their "
    "union). Default: every graph of the catalogue, each also as a named graph (GRAPH ?g).",
)
@catalogue_option
@user_option
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries and exit.")
@engine_errors
def query(
    query_spec: str | None,
    paths: tuple[Path, ...],
    fmt: str,
    binds: tuple[str, ...],
    timeout: float,
    memory_mb: int,
    endpoint: str | None,
    graphs: tuple[str, ...],
    catalogue: str,
    user: str | None,
    list_saved: bool,
) -> None:
    """Run a read-only SPARQL query on the graph: QUERY is SPARQL text, a .rq file, or
    the name of a saved query (see --list). Updates are refused.

    Exit status: 0 answered, 2 usage or input error, refused update, syntax error
    (with line and column) or timeout.
    """
    from checker.query import ask, binding
    from checker.query import library as query_library

    if list_saved:
        click.echo(query_library.describe_library(), nl=False)
        return
    if query_spec is None:
        raise click.UsageError("give QUERY: SPARQL text, a .rq file, or a saved query (--list)")
    output = ask.run(
        query_spec,
        paths=list(paths),
        endpoint=endpoint,
        graphs=graphs,
        catalogue=catalogue,
        client=store_client(endpoint, user, timeout) if endpoint else None,
        binds=binding.parse_binds(binds),
        fmt=fmt,
        timeout=timeout,
        memory_mb=memory_mb,
    )
    click.echo(printable(output), nl=False)


@main.command()
@paths_argument
@server_options(default_port=7878)
@timeout_option(30.0, "Stop each query after this many seconds (the client gets HTTP 503).")
@memory_option
@click.option(
    "--cors",
    metavar="ORIGIN",
    help="Let web pages from ORIGIN (e.g. https://yasgui.triply.cc, or *) query the endpoint.",
)
@engine_errors
def serve(
    paths: tuple[Path, ...],
    host: str,
    port: int,
    timeout: float,
    memory_mb: int,
    cors: str | None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint at /sparql.

    GET and POST queries; results as SPARQL JSON, XML, CSV or TSV (and Turtle, N-Triples,
    RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE) by content negotiation. Updates are
    refused (403). Loopback only unless --host says otherwise. Each query runs under a time
    and a memory limit; a request that finds no free query slot (4, at most 2 per client)
    gets 503 at once. Ctrl-C stops.
    """
    from checker.query.serve import serve as serve_graph

    serve_graph(
        list(paths),
        host=host,
        port=port,
        timeout=timeout,
        memory_mb=memory_mb,
        cors=cors,
        announce=lambda line: click.echo(line, err=True),
    )


@main.command()
@paths_argument
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store HTTP Protocol endpoint, e.g. Virtuoso's "
    "http://127.0.0.1:8890/sparql-graph-crud-auth.",
)
@click.option(
    "--graph",
    metavar="IRI",
    help="The named graph to replace. Default: the register's IRI with #graph.",
)
@click.option(
    "--sparql",
    metavar="URL",
    help="The store's SPARQL endpoint for the count and the swap (queries and updates). "
    "Default, for Virtuoso's /sparql-graph-crud-auth: its /sparql-auth.",
)
@catalogue_option
@user_option
@timeout_option(900.0, "Seconds to wait for each answer of the store.")
@engine_errors
def publish(
    paths: tuple[Path, ...],
    endpoint: str,
    graph: str | None,
    sparql: str | None,
    catalogue: str,
    user: str | None,
    timeout: float,
) -> None:
    """Publish the built graph to a triple store, all or nothing: upload into a staging
    graph, check the store's count, then replace the named graph in one step (SPARQL
    MOVE) and update the catalogue graph. A failed or interrupted publish leaves the
    published graph as it was; a count that differs is exit status 2.

    Query it there with: ropa query QUERY --endpoint SPARQL-URL
    """
    from checker.query.publish import interruptible
    from checker.query.publish import publish as publish_graph

    client = store_client(endpoint, user, timeout)
    with interruptible():
        result = publish_graph(
            list(paths),
            endpoint=endpoint,
            graph=graph,
            sparql=sparql,
            catalogue=catalogue,
            credentials=client.credentials,
            timeout=timeout,
        )
    click.echo(result.summary(), err=True)


@main.command()
@paths_argument
@format_option(
    ["md", "html"],
    "md: Markdown for review in pull requests; html: one self-contained, accessible page.",
)
@choice_option(
    "--lang",
    ["en", "fi", "sv"],
    "Language of the notice. Terms without a label in it are shown in English and listed.",
)
@click.option(
    "--allow-gaps",
    is_flag=True,
    help="Write the notice even if the records lack items GDPR Art. 13/14 require; they are "
    "listed in a marked section, never filled in.",
)
@output_option("notice")
@engine_errors
def notice(
    paths: tuple[Path, ...], fmt: str, lang: str, allow_gaps: bool, output: Path | None
) -> None:
    """Generate the privacy notice (GDPR Articles 13 and 14) from the records.

    Every item the law requires and the records lack is reported on stderr. Exit status:
    0 notice written, 1 items missing (nothing written unless --allow-gaps), 2 usage or
    input error.
    """
    from checker.graph.build import build as build_graph
    from checker.notice.compose import compose_notice, gap_messages, render_notice

    composed = compose_notice(build_graph(list(paths)), lang)
    for message in gap_messages(composed):
        click.echo(printable(f"notice: missing: {message}"), err=True)
    if composed.gaps and not allow_gaps:
        click.echo(
            f"notice: {len(composed.gaps)} required items missing from the records; "
            "no notice written (use --allow-gaps to write it with the gaps marked)",
            err=True,
        )
        sys.exit(1)
    emit(render_notice(composed, fmt), output, "the notice")


@main.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=False))
@paths_argument
@format_option(["text", "json"], "text for people, json for tools.")
@output_option("report")
@engine_errors
def coverage(source: Path, paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Report which items of the register description SOURCE (text or HTML) the records cite.

    An item is covered when a fact of the graph is derived from a passage quoted from it.
    Uncovered items are not yet modelled or need no modelling: look at each. Exit status 0
    (a report), 2 for usage or input errors.
    """
    from checker.coverage import coverage as measure
    from checker.coverage import render
    from checker.graph.build import build as build_graph

    emit(render(measure(build_graph(list(paths)), source), fmt), output)


@main.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=False))
@click.option(
    "--profile",
    type=click.Choice(["ico", "fi", "cnil"]),
    help="The layout of the spreadsheet (default: detected from its headers).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="The new records folder (default: the spreadsheet's name, in the working directory).",
)
@engine_errors
def import_(file: Path, profile: str | None, output: Path | None) -> None:
    """Import a spreadsheet ROPA (.xlsx, .ods, .csv) in the ICO, Finnish or CNIL layout
    as a records folder that ropa build accepts; every fact derives from its cell.

    Values become DPV terms only where the mapping is certain; the rest stays the cell's
    own text and `ropa check` lists it (IMPORT-UNMAPPED). Nothing is written on an error.
    """
    from checker.graph.vocabulary import known_terms
    from checker.spreadsheet.to_records import import_spreadsheet, slug, summary, write_record_set

    imported = import_spreadsheet(file, profile)
    target = output if output is not None else Path(slug(file.stem) or "records")
    write_record_set(imported, file, target, known_terms())
    for line in summary(imported, target):
        click.echo(printable(line), err=True)


@main.command()
@paths_argument
@click.option(
    "--template",
    type=click.Choice(["ico", "fi", "cnil"]),
    required=True,
    help="The authority's layout: ico (UK), fi (Finland, Finnish headers), cnil (France).",
)
@output_option(
    "record",
    "Write here; the format follows the extension (.xlsx, .ods, .csv, .md). "
    "Default: Markdown on stdout.",
)
@engine_errors
def export(paths: tuple[Path, ...], template: str, output: Path | None) -> None:
    """Export the record of processing activities (GDPR Art. 30) in an authority's layout.

    One row per activity, the controller and DPO above; a cell the records cannot fill
    shows the rule that reports the gap ("missing: ART30-1-F-RETENTION"), never a guess;
    in .xlsx and .ods each filled cell has its provenance as a comment, and a second sheet
    holds the processors' record (Art. 30(2)). The same records give the same bytes.
    """
    from checker.graph.build import build as build_graph
    from checker.spreadsheet.export import export_format, export_record

    fmt = export_format(output) if output is not None else "md"
    data, rows = export_record(build_graph(list(paths)), template, fmt)
    emit(data, output, f"{rows} processing activities")


@main.command()
@paths_argument
@server_options(default_port=8501)
@engine_errors
def dashboard(paths: tuple[Path, ...], host: str, port: int) -> None:
    """Browse the records in a read-only web dashboard (Streamlit): data flows across
    units, activities with the register's own words, retention, findings, a SPARQL
    console and the privacy notice.

    Prints the address once the server answers; Ctrl-C stops it. Records that cannot be
    built are shown as an error page naming the file and line. Exit status: the server's
    (0 after Ctrl-C), 2 for usage errors.
    """
    from checker.dashboard_server import run_dashboard

    status = run_dashboard(
        list(paths),
        host=host,
        port=port,
        announce=click.echo,
        note=lambda line: click.echo(line, err=True),
    )
    sys.exit(status)
