"""``dge-graph report municipality CODE`` and ``dge-graph compare CODE CODE …``: the analysts' profile and comparison
in the terminal (Markdown, CSV or JSON), the same content as ``/municipalities/{code}`` and ``/compare``."""

from __future__ import annotations

import json
import sys

from dge_graph.cli.errors import CommandError
from dge_graph.kernel.labels import LANGUAGES
from dge_graph.query.analytics import AnalyticsError, build_comparison, build_profile
from dge_graph.render.analytics import (
    comparison_csv,
    comparison_dict,
    comparison_markdown,
    profile_csv,
    profile_dict,
    profile_markdown,
)
from dge_graph.store import open_store

FORMATS = ("md", "csv", "json")


def register(subparsers, add_store_option) -> None:
    report = subparsers.add_parser(
        "report", help="reports for analysts (a municipality's profile)",
        description="Reports for analysts, computed from the store's deployments and latest validation report.")
    commands = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    municipality = commands.add_parser(
        "municipality", help="a municipality's profile: deployments, safeguard coverage, findings, values, suppliers",
        description="Profile of one municipality with its province median (docs/analysts.md defines the measures).")
    municipality.add_argument("code", help="CBS municipality code, e.g. GM0363")
    _common(municipality, add_store_option)
    municipality.set_defaults(handler=handle_municipality)

    compare = subparsers.add_parser(
        "compare", help="compare municipalities side by side, each with its province median",
        description="Compare municipalities on the profile measures; peers are the municipalities of the same "
        "province with deployments (no population data is staged, so no size class).")
    compare.add_argument("codes", nargs="+", metavar="CODE", help="CBS municipality codes, e.g. GM0363 GM0344")
    _common(compare, add_store_option)
    compare.set_defaults(handler=handle_compare)


def _common(parser, add_store_option) -> None:
    add_store_option(parser)
    parser.add_argument("--format", choices=FORMATS, default="md", help="md (default), csv or json")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of labels (default en)")


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def handle_municipality(args, settings) -> int:
    return _report(settings, build_profile, args.code, args.format, args.lang,
                   {"json": profile_dict, "csv": profile_csv, "md": profile_markdown})


def handle_compare(args, settings) -> int:
    return _report(settings, build_comparison, args.codes, args.format, args.lang,
                   {"json": comparison_dict, "csv": comparison_csv, "md": comparison_markdown})


def _report(settings, compute, subject, output_format: str, lang: str, renderers) -> int:
    """Compute a profile or comparison once from the store and print it in the chosen form."""

    store = open_store(settings.store, read_only=True)
    try:
        try:
            result = compute(store, subject)
        except AnalyticsError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        store.close()
    render = renderers[output_format]
    rendered = render(result, lang)
    _emit(json.dumps(rendered, ensure_ascii=False, indent=2) if output_format == "json" else rendered)
    return 0
