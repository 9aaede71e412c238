"""The W3C SHACL core test suite (``../shared/conformance/shacl-core``) through the fast path.

Each ``sht:Validate`` case is run three ways: the compiled-SPARQL engine (``rules.compile.shapes_graph_queries`` on
an embedded store holding the case's data graph), pyshacl (the project's reference engine), and the suite's own
expected report. The fast path must either refuse the case (``ShapeCompileError``) or give pyshacl's answer: the
same set of (targeted shape, focus node) violations. A pyshacl result is attributed to the targeted shape it came
from: its ``sh:sourceShape`` itself, or the targeted shape that holds it as ``sh:property``.

Run as a script for the numbers quoted in docs/checks.md::

    .venv/bin/python tests/conformance/shacl_core.py ../shared/conformance/shacl-core [table]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from dge_graph.kernel.namespaces import RDF, SH, XSD
from dge_graph.rules.compile import ShapeCompileError, shapes_graph_queries, targeted_shapes
from dge_graph.store import OxigraphStore

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


@dataclass(frozen=True)
class Case:
    name: str
    data_file: Path
    shapes_file: Path


@dataclass(frozen=True)
class Outcome:
    case: Case
    status: str  # "agrees", "refused", "wrong", "reference-failed"
    detail: str = ""


def _file(iri: URIRef) -> Path:
    return Path(str(iri).removeprefix("file://"))


def cases(root: Path) -> list[Case]:
    """The ``sht:Validate`` entries of the manifest at ``root``, following ``mf:include``."""
    found: list[Case] = []

    def read(manifest: Path) -> None:
        graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
        for included in graph.objects(None, MF.include):
            read(_file(included))
        for head in graph.objects(None, MF.entries):
            for entry in Collection(graph, head):
                if (entry, RDF.type, SHT.Validate) not in graph:
                    continue
                action = graph.value(entry, MF.action)
                found.append(Case(
                    name=str(_file(entry).relative_to(root.resolve())),
                    data_file=_file(graph.value(action, SHT.dataGraph)),
                    shapes_file=_file(graph.value(action, SHT.shapesGraph)),
                ))

    read(root / "manifest.ttl")
    return found


def _load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def reference(case: Case) -> set[tuple[tuple, tuple]]:
    """pyshacl's violations as (targeted shape, focus node)."""
    import pyshacl

    data, shapes = _load(case.data_file), _load(case.shapes_file)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False, meta_shacl=False)
    targeted = set(targeted_shapes(shapes))
    found = set()
    for result in report.objects(None, SH.result):  # the top-level results, not the sh:detail of sh:node
        source, focus = report.value(result, SH.sourceShape), report.value(result, SH.focusNode)
        owners = {source} & targeted | {t for t in targeted if (t, SH.property, source) in shapes}
        # a result no targeted shape owns (e.g. of a sh:property nested in a property shape) still counts
        found |= {(_key(owner), _key(focus)) for owner in owners} or {(("unattributed",), _key(focus))}
    return found


def fast_path(case: Case) -> set[tuple[tuple, tuple]]:
    """The compiled queries' violations as (targeted shape, focus node); ``ShapeCompileError`` when refused."""
    compiled = shapes_graph_queries(_load(case.shapes_file))
    store = OxigraphStore()
    store.raw.load(path=str(case.data_file), format=_turtle(), base_iri=case.data_file.resolve().as_uri())
    found = set()
    for query in compiled:
        found |= {(_key(query.shape), _key(row["focus"])) for row in store.query(query.query).rows}
    return found


def table_engine(case: Case) -> set[tuple[tuple, tuple]]:
    """The table engine's violations (``rules/vector_engine.py`` over a fact table read from the same store), or
    ``ShapeCompileError``: it supports only the part of SHACL the project's rule shapes use."""
    from types import SimpleNamespace

    from dge_graph.rules.fact_table import FactTable
    from dge_graph.rules.vector_engine import read_plan, table_violations

    shapes = _load(case.shapes_file)
    rules = [SimpleNamespace(shape=s) for s in targeted_shapes(shapes)]
    for rule in rules:  # its interface (validate.py) hands it rule shapes with sh:targetClass, nothing else
        if (rule.shape, SH.targetClass, None) not in shapes:
            raise ShapeCompileError(f"shape {rule.shape}: the table engine takes sh:targetClass targets only")
    plan = read_plan(shapes, rules)  # refuses targets other than sh:targetClass, and unsupported constructs
    store = OxigraphStore()
    import pyoxigraph as ox

    store.raw.load(path=str(case.data_file), format=_turtle(), base_iri=case.data_file.resolve().as_uri(),
                   to_graph=ox.NamedNode("urn:shacl-core:data"))  # the project's data live in named graphs
    table = FactTable.read(store, plan)
    return {(_key(shape), _key(node)) for node, shape in table_violations(table, shapes, rules)}


def _turtle():
    import pyoxigraph as ox

    return ox.RdfFormat.TURTLE


def _key(node) -> tuple:
    """A node as compared between the engines: IRIs by text, literals by datatype, language and value (the store
    writes decimals canonically, ``4.0`` as ``4``), blank nodes by kind only (they differ between the two parses of
    a file; the suite's blank shapes and focus nodes never meet twice in one case)."""
    if isinstance(node, Literal):
        datatype = node.datatype or (RDF.langString if node.language else XSD.string)
        return ("literal", str(datatype), (node.language or "").lower(),
                node.value if node.value is not None and str(datatype).startswith(str(XSD)) else str(node))
    if isinstance(node, BNode):
        return ("blank",)
    return ("iri", str(node))


def run_case(case: Case, engine=None) -> Outcome:
    """``engine``: ``fast_path`` (the compiled SPARQL, default) or ``table_engine``."""
    engine = engine or fast_path
    try:
        expected = reference(case)
    except Exception as exc:  # noqa: BLE001 - the reference's own failure is reported, not hidden
        try:
            shapes_graph_queries(_load(case.shapes_file))
        except ShapeCompileError as refusal:
            return Outcome(case, "refused", str(refusal))
        return Outcome(case, "reference-failed", f"{type(exc).__name__}: {exc}")
    try:
        answer = engine(case)
    except ShapeCompileError as refusal:
        return Outcome(case, "refused", str(refusal))
    if answer == expected:
        return Outcome(case, "agrees")
    return Outcome(case, "wrong", f"only the fast path: {sorted(answer - expected, key=str)}; "
                                  f"only pyshacl: {sorted(expected - answer, key=str)}")


def run(root: Path, engine=None) -> list[Outcome]:
    return [run_case(case, engine) for case in cases(root)]


if __name__ == "__main__":
    outcomes = run(Path(sys.argv[1]), table_engine if sys.argv[2:] == ["table"] else fast_path)
    for outcome in outcomes:
        print(f"{outcome.status:16} {outcome.case.name}  {outcome.detail[:160]}")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("agrees", "refused", "wrong", "reference-failed")}
    print(f"{len(outcomes)} cases: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    sys.exit(1 if counts["wrong"] or counts["reference-failed"] else 0)
