"""``dge-graph check``: the pre-deployment check of an intake file (YAML, CSV or Turtle).

Exit codes: 0 nothing missing; 1 findings; 2 error (unreadable file, bad date, store unreachable).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dge_graph.cli.errors import CommandError
from dge_graph.cli.validate import add_date_options, parameters_from
from dge_graph.kernel.terms import compact
from dge_graph.rules.check import CheckReport, check_file
from dge_graph.rules.validate import ENGINES, ValidationError
from dge_graph.store import open_store


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check planned deployments in an intake file against the safeguard rules",
        description="For each deployment of an intake file (YAML or CSV, see docs/intake.md; or Turtle): which "
        "requirements apply, which safeguards they require, which are missing (with article and severity), the "
        "values and rights at stake and, with --store, similar deployments in other municipalities. The store is "
        "only read, and only when --store is given. Exit codes: 0 nothing missing, 1 findings, 2 error.",
    )
    parser.add_argument("file", type=Path, help="intake file (.yaml, .yml, .csv or .ttl)")
    add_store_option(parser)
    add_date_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--engine", choices=ENGINES, default="sparql")
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:
    from dge_graph.ingest.intake import IntakeError

    parameters = parameters_from(args, settings)
    store = open_store(args.store, read_only=True) if args.store else None
    try:
        report = check_file(args.file, parameters, store=store, engine=args.engine)
    except (IntakeError, ValidationError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        if store is not None:
            store.close()
    if args.format == "json":
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report_as_text(report))
    return 1 if report.findings else 0


def report_as_text(report: CheckReport) -> str:
    p = report.parameters
    lines = [f"Pre-deployment check of {report.source} on {p.evaluation_date} "
             f"(AI Act high-risk duties from {p.hr_date})"]
    for d in report.deployments:
        lines += ["", f"{d.deployment_id}: {d.title or ''}".rstrip()]
        lines.append(f"  requirements that apply ({len(d.applicable)}): {', '.join(d.applicable) or 'none'}")
        if d.required_safeguards:
            names = ", ".join(report.labels.get(s, compact(s)) for s in d.required_safeguards)
            lines.append(f"  safeguards required: {names}")
        if d.findings:
            lines.append(f"  missing ({len(d.findings)}):")
            for f in d.findings:
                source = compact(f.legal_source) if f.legal_source else "-"
                basis = f"  {f.basis.name}" if f.basis is not None else ""
                lines.append(f"    {f.rule_id}  {f.severity}  since {f.applies_from}  {source}{basis}")
                lines.append(f"      en: {f.message_en}")
                lines.append(f"      nl: {f.message_nl}")
        else:
            lines.append("  missing: nothing")
        if d.unknown_facts:
            lines.append("  unknown, read as false/none (state them if they hold): " + ", ".join(d.unknown_facts))
        if d.values_at_stake:
            lines.append("  values at stake: " + ", ".join(report.labels.get(v, compact(v)) for v in d.values_at_stake))
        if d.rights_at_stake:
            lines.append("  rights at stake: " + ", ".join(report.labels.get(r, compact(r)) for r in d.rights_at_stake))
        if d.similar:
            lines.append("  similar deployments elsewhere:")
            for s in d.similar:
                lines.append(f"    {s.title or compact(s.deployment)} ({s.municipality and compact(s.municipality)}; "
                             f"same {s.shared})")
    total = len(report.findings)
    lines += ["", f"{total} finding{'s' if total != 1 else ''} in {len(report.deployments)} deployment(s)"]
    return "\n".join(lines) + "\n"
