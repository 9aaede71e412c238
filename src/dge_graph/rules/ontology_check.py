"""OWL reasoning over the ontology (TBox only): is ``ontology/`` consistent, and is every class satisfiable?

owlready2 stays inside this module. Each call uses its own private ``owlready2.World`` (no default-world state):

1. the Turtle modules are parsed with rdflib (a file that does not parse raises ``ReasoningError`` naming file
   and line) and merged into one graph; ``owl:imports`` between the modules are resolved locally (an import of a
   module that is not among the files is reported, never fetched from the web) and then dropped;
2. the merged graph is written as N-Triples to a temporary file and loaded into the private world;
3. HermiT (Java 17, shipped with owlready2) classifies it, ``infer_property_values=False``.

HermiT supports exactly the OWL 2 datatype map, which lacks ``xsd:date`` and ``xsd:gYear``. The ontology uses
them on purpose (facts and report dates are ``xsd:date``), so HermiT runs with ``--ignoreUnsupportedDatatypes``
and the report lists the datatypes it ignored: they are treated as opaque and cannot cause an inconsistency.

Only the TBox (``ontology/``) belongs here: instance data is far too slow for HermiT (280 s for 1,000 deployments).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from dge_graph.kernel.resources import resource_dir

OWL2_DATATYPE_MAP = frozenset(
    str(iri)
    for iri in (
        RDF.PlainLiteral,
        RDF.XMLLiteral,
        RDFS.Literal,
        OWL.real,
        OWL.rational,
        *(
            XSD[name]
            for name in (
                "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
                "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
                "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
                "dateTime dateTimeStamp"
            ).split()
        ),
    )
)
"""The datatypes HermiT (and OWL 2 DL) supports: https://www.w3.org/TR/owl2-syntax/#Datatype_Maps."""

class ReasoningError(Exception):
    """The ontology could not be read or the reasoner could not run (no Java, a parse error, a Java error)."""


@dataclass(frozen=True)
class ConsistencyReport:
    """What HermiT found for a set of ontology files."""

    files: tuple[str, ...]
    consistent: bool
    unsatisfiable_classes: tuple[str, ...] = ()
    ignored_datatypes: tuple[str, ...] = ()
    unresolved_imports: tuple[str, ...] = ()
    classes: int = 0
    properties: int = 0

    @property
    def ok(self) -> bool:
        """Consistent, every class satisfiable and every import resolved."""
        return self.consistent and not self.unsatisfiable_classes and not self.unresolved_imports

    def summary(self) -> str:
        lines = [
            f"{len(self.files)} ontology files, {self.classes} classes, {self.properties} properties",
            "consistent" if self.consistent else "INCONSISTENT",
        ]
        if self.unsatisfiable_classes:
            lines.append("unsatisfiable classes: " + ", ".join(self.unsatisfiable_classes))
        elif self.consistent:
            lines.append("every class is satisfiable")
        if self.unresolved_imports:
            lines.append("imports not among the files: " + ", ".join(self.unresolved_imports))
        if self.ignored_datatypes:
            lines.append("datatypes outside the OWL 2 datatype map, ignored by HermiT: " + ", ".join(self.ignored_datatypes))
        return "\n".join(lines)


def ontology_files(folder: Path | None = None) -> list[Path]:
    """The Turtle modules of the ontology (default: the project's ``ontology/``), in a stable order."""
    folder = folder or resource_dir("ontology")
    return sorted(path for path in folder.glob("*.ttl") if path.is_file())


def merge_tbox(paths: Iterable[Path]) -> tuple[Graph, tuple[str, ...]]:
    """Parse and merge the modules; return the merged graph (without ``owl:imports``) and unresolved imports."""
    merged = Graph()
    for path in paths:
        try:
            merged.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise ReasoningError(f"{path}: no such file") from exc
        except Exception as exc:  # rdflib raises several exception types for syntax errors
            raise ReasoningError(f"{path}: does not parse as Turtle: {exc}") from exc
    declared = set(merged.subjects(RDF.type, OWL.Ontology))
    imported = set(merged.objects(None, OWL.imports))
    unresolved = tuple(sorted(str(iri) for iri in imported - declared))
    merged.remove((None, OWL.imports, None))
    return merged, unresolved


def _datatypes_used(graph: Graph) -> set[str]:
    used = set()
    for prop in graph.subjects(RDF.type, OWL.DatatypeProperty):
        used.update(str(o) for o in graph.objects(prop, RDFS.range) if isinstance(o, URIRef))
    for predicate in (OWL.onDatatype, OWL.someValuesFrom, OWL.allValuesFrom, OWL.onDataRange):
        used.update(
            str(o)
            for s, o in graph.subject_objects(predicate)
            if isinstance(o, URIRef) and str(o).startswith(str(XSD))
        )
    return used


def check_consistency(paths: Sequence[Path] | None = None) -> ConsistencyReport:
    """Run HermiT on the ontology modules ``paths`` (default: every file of ``ontology/``)."""
    import owlready2  # imported here: owlready2 stays inside this module and costs nothing at import time

    paths = list(paths) if paths is not None else ontology_files()
    if not paths:
        raise ReasoningError("no ontology files given")
    if shutil.which(owlready2.JAVA_EXE) is None and not Path(owlready2.JAVA_EXE).is_file():
        raise ReasoningError(f"Java not found ({owlready2.JAVA_EXE!r}); HermiT needs Java 11 or later")
    graph, unresolved = merge_tbox(paths)
    ignored = tuple(sorted(_datatypes_used(graph) - OWL2_DATATYPE_MAP))
    classes = len({s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)})
    properties = len(
        {
            s
            for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
            for s in graph.subjects(RDF.type, kind)
        }
    )
    files = tuple(str(p) for p in paths)

    world = owlready2.World()  # private: nothing is left in owlready2's default world
    try:
        with tempfile.TemporaryDirectory(prefix="dge-reason-") as tmp:
            tbox = Path(tmp) / "tbox.nt"
            graph.serialize(tbox, format="nt", encoding="utf-8")
            world.get_ontology(tbox.as_uri()).load()
            try:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=bool(ignored)
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return ConsistencyReport(files, False, (), ignored, unresolved, classes, properties)
            except owlready2.OwlReadyJavaError as exc:
                raise ReasoningError(f"HermiT failed: {exc}") from exc
        unsatisfiable = tuple(sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing)))
    finally:
        world.close()
    return ConsistencyReport(files, True, unsatisfiable, ignored, unresolved, classes, properties)
