"""The ``dge-graph`` command line.

One module per command group in this package; each exposes ``register(subparsers)`` which adds its commands and
sets ``handler`` on them. Exit codes, for every command: 0 success; 1 the command ran and found problems
(``validate``, ``check``: findings); 2 error (bad input, unknown municipality, store unreachable or in use, port in
use, ...); 130 interrupted (Ctrl-C); 141 the output was closed early (piped into ``head``): no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dge_graph.cli import build as build_cmd
from dge_graph.cli import check as check_cmd
from dge_graph.cli import generate as generate_cmd
from dge_graph.cli import importing as importing_cmd
from dge_graph.cli import named_queries as named_queries_cmd
from dge_graph.cli import ontology as ontology_cmd
from dge_graph.cli import query as query_cmd
from dge_graph.cli import report as report_cmd
from dge_graph.cli import rules as rules_cmd
from dge_graph.cli import serve as serve_cmd
from dge_graph.cli import timeline as timeline_cmd
from dge_graph.cli import validate as validate_cmd
from dge_graph.cli.errors import (  # noqa: F401 (re-exported)
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT_CLOSED,
    CommandError,
)
from dge_graph.kernel.config import Settings
from dge_graph.kernel.version import software_version

COMMAND_GROUPS = (build_cmd, query_cmd, named_queries_cmd, serve_cmd, importing_cmd, validate_cmd, check_cmd, generate_cmd,
                  ontology_cmd, report_cmd, rules_cmd, timeline_cmd)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="store directory, ':memory:', or http(s):// URL of a remote SPARQL store "
        "(default: $DGE_STORE, else ~/.local/share/dge-graph/store)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dge-graph",
        description="Knowledge graph of Dutch municipalities' digital fundamental rights and ethics.",
        epilog="Exit codes: 0 success, 1 findings (validate/check), 2 error, 130 interrupted, 141 output closed.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {software_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(subparsers, add_store_option)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of this run: the ``DGE_*`` environment, overridden by the command's options. A bad value in the
    environment is a ``CommandError`` naming the variable (options are checked by argparse)."""
    import os

    from dge_graph.cli.validate import parse_iso_date

    overrides = {key: getattr(args, key, None)
                 for key in ("store", "host", "port", "timeout_s", "update_token")}
    if getattr(args, "allow_service", None):
        overrides["allow_service"] = tuple(args.allow_service)
    if getattr(args, "hr_date", None) is not None:
        overrides["hr_date"] = args.hr_date
    elif os.environ.get("DGE_HR_DATE"):
        try:
            overrides["hr_date"] = parse_iso_date(os.environ["DGE_HR_DATE"])
        except ValueError as exc:
            raise CommandError(f"DGE_HR_DATE: {exc}") from None
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:  # DGE_PORT, DGE_TIMEOUT_S, ... that are not numbers
        raise CommandError(f"a DGE_* environment variable has a bad value: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    from dge_graph.ingest.build import BuildError
    from dge_graph.store import QuerySyntaxError, StoreError

    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args, settings_from(args)) or EXIT_OK)
    except (CommandError, BuildError, QuerySyntaxError, StoreError, FileNotFoundError, ValueError) as exc:
        print(f"dge-graph: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OUTPUT_CLOSED


def _silence_stdout() -> None:
    """After the reader of stdout went away: point stdout at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
