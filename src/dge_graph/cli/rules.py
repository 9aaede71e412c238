"""``dge-graph rules generate``: regenerate the rule shapes, the safeguard shapes and the rules documents from data."""

from __future__ import annotations

from pathlib import Path

from dge_graph.cli.errors import CommandError


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="the safeguard rules: regenerate what restates data/requirements.ttl",
        description="Commands on the safeguard rules themselves; no store is needed.",
    )
    commands = parser.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
    generate = commands.add_parser(
        "generate",
        help="write shapes/rules.ttl, shapes/safeguards.ttl, docs/rules.md and docs/legal-status.md from the data",
        description="Generate the rule shapes (identifier, severity, dates, safeguards, prohibition, messages) from "
        "data/requirements.ttl and data/legal/, the safeguard shapes from the safeguard-type scheme, and the rules "
        "documents. The conditions (shapes/conditions.ttl) stay hand-written. With --check nothing is written: exit 1 "
        "when a generated file is out of date, 0 when all are current; 2 on bad sources.",
    )
    generate.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    generate.add_argument("--root", type=Path, metavar="DIR",
                          help="project folder holding data/, ontology/, shapes/ and docs/ (default: this checkout)")
    generate.set_defaults(handler=handle_generate)


def handle_generate(args, settings) -> int:
    from dge_graph.kernel.resources import project_root
    from dge_graph.rules.generate import GenerationError, stale_files, write_generated

    root = args.root or project_root()
    if not (root / "data" / "requirements.ttl").is_file():
        raise CommandError(f"{root}: no data/requirements.ttl here (give --root, the project folder)")
    try:
        if args.check:
            stale = stale_files(root)
            for path in stale:
                print(f"stale: {path} (run `dge-graph rules generate`)")
            if not stale:
                print("every generated file is up to date")
            return 1 if stale else 0
        written = write_generated(root)
    except GenerationError as exc:
        raise CommandError(str(exc)) from exc
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("every generated file is up to date")
    return 0
