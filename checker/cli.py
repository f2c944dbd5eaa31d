"""The ``ropa`` command: a thin front end over the engine in ``checker``.

Exit status: 0 success (for ``check``: no finding at or above ``--fail-on``), 1 findings,
2 usage, input or load error. Results go to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from checker import __version__
from checker.errors import RopaError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STATUS_HELP = "Exit status: 0 success, 1 findings, 2 usage or input error."


class UserError(click.ClickException):
    """An error of the input or the usage: message on stderr, exit status 2, no traceback."""

    exit_code = 2


def engine_errors(func: F) -> F:
    """Turn the engine's typed errors into a clean message and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RopaError as exc:
            raise UserError(str(exc)) from None
        except RecursionError:
            raise UserError("input nested too deeply to process") from None
        except MemoryError:
            raise UserError("input too large to process in memory") from None

    return wrapper  # type: ignore[return-value]


paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, exists=False)
)


@click.group(epilog=EXIT_STATUS_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ropa")
def main() -> None:
    """ropa-kg: GDPR records of processing activities as a W3C DPV knowledge graph.

    PATHS are record-set folders (YAML), YAML files, or DPV files in Turtle, JSON-LD,
    N-Triples or RDF/XML. Without PATHS, commands use the shipped Finnish Customs
    customer-services register.
    """
    # rdflib logs ill-typed literals with a traceback; the checker reports them as findings.
    logging.getLogger("rdflib").setLevel(logging.ERROR)


@main.command()
@paths_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the graph here; the format follows the extension (.ttl, .jsonld, .nt). "
    "Default: Turtle on stdout.",
)
@engine_errors
def build(paths: tuple[Path, ...], output: Path | None) -> None:
    """Build one RDF graph from the records (and any DPV files).

    The graph holds the data, the vocabulary labels and hierarchy, and the provenance of
    every entry to the register description. The same input gives byte-identical output.
    """
    from checker.build import build as build_graph
    from checker.build import output_format, serialize, write_atomically

    fmt = output_format(output) if output is not None else "longturtle"
    graph = build_graph(list(paths))
    data = serialize(graph, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomically(output, data)
        click.echo(f"wrote {len(graph)} triples to {output}", err=True)


@main.command()
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit", "markdown"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for tools, sarif for code scanning, "
    "junit for CI dashboards, markdown for a pull-request comment.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Exit 1 when a finding (not in the baseline) is at or above this severity.",
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
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report here instead of stdout.",
)
@engine_errors
def check(
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    baseline: Path | None,
    write_baseline: Path | None,
    owl: bool,
    output: Path | None,
) -> None:
    """Check the records against GDPR: Art. 30 contents, legal bases, special categories,
    processors, transfers, retention, notice contents, DPO, Finnish rules.

    Exit status: 0 when no finding outside the baseline is at or above --fail-on,
    1 when some are, 2 for usage or input errors.
    """
    from checker.baseline import load_baseline, render_baseline, split
    from checker.build import build as build_graph
    from checker.build import write_atomically
    from checker.check import check as run_check
    from checker.findings import Severity
    from checker.report import render

    accepted = load_baseline(baseline) if baseline is not None else []
    result = run_check(build_graph(list(paths)), owl=owl)
    if write_baseline is not None:
        write_atomically(write_baseline, render_baseline(result.findings).encode("utf-8"))
        click.echo(
            f"wrote {len(result.findings)} findings to {write_baseline}; "
            "fill in each reason before using it",
            err=True,
        )
        return
    new, known = split(result.findings, accepted)
    level = Severity.parse(fail_on)
    report = render(fmt, new, level, accepted=len(known))
    if output is not None:
        write_atomically(output, report.encode("utf-8"))
    else:
        click.echo(report, nl=False)
    if any(f.severity >= level for f in new):
        sys.exit(1)
