"""IRIs of the dge-graph namespace and of the vocabularies it reuses.

The project namespace is ``https://w3id.org/dge-graph/``:

* ``…/def#Term``            ontology classes and properties (prefix ``dge:``)
* ``…/def/<module>``        the ``owl:Ontology`` IRI of each file in ``ontology/``
* ``…/id/<kind>/<key>``     instance resources (municipalities, requirements, values, deployments, …)
* ``…/graph/<path>``        named graphs in the store (one per source file, one per import, one per report)

See ``docs/namespace.md`` for how these IRIs map onto a running server.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace  # noqa: F401

BASE = "https://w3id.org/dge-graph/"

DGE = Namespace(BASE + "def#")
"""Ontology terms."""

ID = Namespace(BASE + "id/")
"""Instance resources."""

GRAPH = Namespace(BASE + "graph/")
"""Named graphs."""

ONTOLOGY_MODULE = Namespace(BASE + "def/")
"""``owl:Ontology`` IRIs of the ontology files."""

# Reused vocabularies
DCT = DCTERMS
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
DPV = Namespace("https://w3id.org/dpv#")
DPV_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
DPV_AIACT = Namespace("https://w3id.org/dpv/legal/eu/aiact#")
DPV_RIGHTS = Namespace("https://w3id.org/dpv/rights/eu#")  # as DPV 2.3 declares it (legal/eu/rights/eu-rights.ttl)
DPV_LEGAL_EU = Namespace("https://w3id.org/dpv/legal/eu#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES: dict[str, str] = {
    "dge": str(DGE),
    "dgeid": str(ID),
    "dgegraph": str(GRAPH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCT),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "org": str(ORG),
    "eli": str(ELI),
    "dpv": str(DPV),
    "eu-gdpr": str(DPV_GDPR),
    "eu-aiact": str(DPV_AIACT),
    "eu-rights": str(DPV_RIGHTS),
    "legal-eu": str(DPV_LEGAL_EU),
    "sh": str(SH),
    "foaf": str(FOAF),
    "void": str(VOID),
    "vann": str(VANN),
}


def sparql_prefixes() -> str:
    """The PREFIX block for SPARQL text written inside the package."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def id_iri(kind: str, key: str) -> URIRef:
    """The IRI of an instance resource, e.g. ``id_iri("municipality", "GM0363")``."""
    return URIRef(f"{ID}{kind}/{key}")


def graph_iri(path: str) -> URIRef:
    """The IRI of the named graph that holds one source, e.g. ``graph_iri("data/values.ttl")``."""
    return URIRef(f"{GRAPH}{path.lstrip('/')}")


VALIDATION_GRAPH_PREFIX = f"{GRAPH}validation/"
"""Every graph validation writes starts with this (results, measures, a municipality's run, the previous run): the
graphs that are not data (writing only them leaves ``Store.data_write_stamp`` as it is)."""
LATEST_RESULT_GRAPH = graph_iri("validation/latest")
"""The stored result of the latest full validation run (``dge-graph validate``)."""
MEASURES_GRAPH = graph_iri("validation/measures")
"""The per-municipality and per-province measures precomputed from that result."""
