"""``dge-graph ontology check``: HermiT consistency of ontology/ and the term-metadata shapes."""

from __future__ import annotations

from pathlib import Path

from dge_graph.cli.errors import CommandError
from dge_graph.rules.ontology_check import ReasoningError, check_consistency, ontology_files


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "ontology",
        help="checks on the ontology itself (OWL consistency with HermiT, term metadata)",
        description="Checks on ontology/ (the TBox); no store is needed.",
    )
    commands = parser.add_subparsers(dest="ontology_command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="run HermiT (needs Java) and the term-metadata shapes on the ontology",
        description="Load the ontology modules, run the HermiT reasoner and report whether the ontology is consistent "
        "and every class satisfiable; then validate shapes/ontology-metadata.ttl (labels @nl and @en, definitions). "
        "Exit 0 when both pass, 1 when either finds a problem, 2 on an error (a file that does not parse, no Java).",
    )
    check.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="Turtle modules to check (default: every file of the project's ontology/)",
    )
    check.add_argument("--no-reasoner", action="store_true", help="skip HermiT, check only the term metadata")
    check.set_defaults(handler=handle_check)


def handle_check(args, settings) -> int:
    import pyshacl
    from rdflib import Graph

    from dge_graph.kernel.resources import resource_dir

    paths = list(args.files) or ontology_files()
    problems = 0
    if not args.no_reasoner:
        try:
            report = check_consistency(paths)
        except ReasoningError as exc:
            raise CommandError(str(exc)) from exc
        print(report.summary())
        problems += not report.ok
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several exception types for syntax errors
            raise CommandError(f"{path}: does not parse as Turtle: {exc}") from exc
    shapes = Graph().parse(resource_dir("shapes") / "ontology-metadata.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False)
    print("term metadata: every term has @nl and @en labels and a definition" if conforms else text)
    problems += not conforms
    return 1 if problems else 0
