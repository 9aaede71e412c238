"""The 342 Dutch municipalities: look one up by CBS code, register organisation id or (a variant of) its name.

The facts live in the packaged data files ``data/municipalities.ttl`` and ``data/provinces.ttl``; this module reads
them directly (pyoxigraph, no store needed) into an immutable ``MunicipalityIndex``. Name matching is robust to the
spellings that occur in practice: case, accents ("Súdwest-Fryslân" / "Sudwest Fryslan"), a leading "Gemeente",
hyphens, apostrophes and commas ("'s-Hertogenbosch", "Noardeast Fryslân"), parenthesised province suffixes with or
without a full stop ("Bergen (L)", "Bergen (NH.)"), and the alternative names the data file lists as
``skos:altLabel`` (the algorithm register's names such as "Den Haag" and "Cuijk", Frisian names, common short forms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pyoxigraph as ox
from rdflib import URIRef

from dge_graph.kernel.namespaces import DCT, DGE, RDF, SKOS, id_iri
from dge_graph.kernel.resources import resource_dir

MUNICIPALITY_FILE = "municipalities.ttl"
PROVINCE_FILE = "provinces.ttl"

_CBS_CODE = re.compile(r"^\s*GM\s*(\d{1,4})\s*$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_MUNICIPAL_PREFIXES = ("gemeente ", "gem ", "municipality of ")


class UnknownMunicipality(LookupError):
    """A code or name matches no municipality, or more than one."""


@dataclass(frozen=True)
class Province:
    code: str  # "PV27"
    name: str  # "Noord-Holland"

    @property
    def iri(self) -> URIRef:
        return id_iri("province", self.code)


@dataclass(frozen=True)
class Municipality:
    code: str  # CBS code, "GM0363"
    name: str  # CBS name, "Amsterdam"
    register_organisation_id: str  # "gm0363"
    province: Province
    alternative_names: tuple[str, ...] = ()

    @property
    def iri(self) -> URIRef:
        return id_iri("municipality", self.code)


def normalise_name(name: str) -> str:
    """A matching key for an organisation or municipality name.

    Lower case, diacritics removed, a leading "Gemeente" dropped, every run of punctuation or white space (hyphens,
    apostrophes, commas, full stops, parentheses) turned into one space: ``"Gemeente Bergen (NH.)"`` ->
    ``"bergen nh"``, ``"'s-Hertogenbosch"`` -> ``"s hertogenbosch"``, ``"Noardeast Fryslân"`` ->
    ``"noardeast fryslan"``.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    key = _NON_WORD.sub(" ", ascii_only).strip()
    for prefix in _MUNICIPAL_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):].strip()
            break
    return key


def looks_municipal(organisation_name: str) -> bool:
    """True when an organisation name says it is a municipality ("Gemeente X"), whatever its spelling."""
    folded = _NON_WORD.sub(" ", unicodedata.normalize("NFKD", organisation_name).casefold()).strip()
    return folded.startswith("gemeente ")


@dataclass(frozen=True)
class MunicipalityIndex:
    """Read-only lookup tables over the municipalities of the data file."""

    by_code: MappingProxyType  # "GM0363" -> Municipality
    by_register_id: MappingProxyType  # "gm0363" -> Municipality
    by_name_key: MappingProxyType  # normalised name -> tuple of Municipality (more than one = ambiguous)
    provinces: MappingProxyType  # "PV27" -> Province

    def __len__(self) -> int:
        return len(self.by_code)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self.by_code[code] for code in sorted(self.by_code))

    def find(self, text: str) -> Municipality | None:
        """The municipality a CBS code, register id or name denotes; ``None`` if none or ambiguous."""
        try:
            return self.resolve(text)
        except UnknownMunicipality:
            return None

    def resolve(self, text: str) -> Municipality:
        """Like ``find`` but raise ``UnknownMunicipality`` with a helpful message."""
        if not isinstance(text, str) or not text.strip():
            raise UnknownMunicipality("empty municipality")
        code = _CBS_CODE.match(text)
        if code:
            key = f"GM{int(code.group(1)):04d}"
            if key in self.by_code:
                return self.by_code[key]
            raise UnknownMunicipality(f"{text!r} is not the CBS code of a municipality of the 2025 division")
        if text.strip().lower() in self.by_register_id:
            return self.by_register_id[text.strip().lower()]
        candidates = self.by_name_key.get(normalise_name(text), ())
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            options = ", ".join(f"{m.name} ({m.code})" for m in candidates)
            raise UnknownMunicipality(f"{text!r} is ambiguous: {options}; give the CBS code")
        raise UnknownMunicipality(f"{text!r} is not a municipality of the 2025 division (give its name or CBS code)")


def _literal_values(store: ox.Store, subject: ox.NamedNode, predicate: URIRef) -> list[ox.Literal]:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None)]


def load_municipalities(data_dir: Path | None = None) -> MunicipalityIndex:
    """Read the municipality and province data files (default: the packaged ``data/``)."""
    data_dir = data_dir or resource_dir("data")
    store = ox.Store()
    for name in (PROVINCE_FILE, MUNICIPALITY_FILE):
        store.load(path=str(data_dir / name), format=ox.RdfFormat.TURTLE)
    rdf_type = ox.NamedNode(str(RDF.type))
    provinces: dict[str, Province] = {}
    for quad in store.quads_for_pattern(None, rdf_type, ox.NamedNode(str(DGE.Province))):
        code = _literal_values(store, quad.subject, DCT.identifier)[0].value
        names = [lit.value for lit in _literal_values(store, quad.subject, SKOS.prefLabel) if lit.language == "nl"]
        provinces[code] = Province(code, names[0])
    by_code: dict[str, Municipality] = {}
    for quad in store.quads_for_pattern(None, rdf_type, ox.NamedNode(str(DGE.Municipality))):
        subject = quad.subject
        code = _literal_values(store, subject, DCT.identifier)[0].value
        name = [lit.value for lit in _literal_values(store, subject, SKOS.prefLabel) if lit.language == "nl"][0]
        register_id = _literal_values(store, subject, DGE.registerOrganisationId)[0].value
        province_iri = next(store.quads_for_pattern(subject, ox.NamedNode(str(DGE.province)), None)).object.value
        alternatives = tuple(sorted(lit.value for lit in _literal_values(store, subject, SKOS.altLabel)))
        province = provinces[province_iri.rsplit("/", 1)[-1]]
        by_code[code] = Municipality(code, name, register_id, province, alternatives)
    by_name: dict[str, list[Municipality]] = {}
    for municipality in by_code.values():
        for label in {municipality.name, *municipality.alternative_names}:
            entries = by_name.setdefault(normalise_name(label), [])
            if municipality not in entries:
                entries.append(municipality)
    # "Bergen" alone is ambiguous between Bergen (L.) and Bergen (NH.): index the bare name too, on purpose.
    for municipality in by_code.values():
        bare = re.sub(r"\s*\([^)]*\)\s*$", "", municipality.name)
        if bare != municipality.name:
            entries = by_name.setdefault(normalise_name(bare), [])
            if municipality not in entries:
                entries.append(municipality)
    return MunicipalityIndex(
        by_code=MappingProxyType(dict(sorted(by_code.items()))),
        by_register_id=MappingProxyType({m.register_organisation_id: m for m in by_code.values()}),
        by_name_key=MappingProxyType({k: tuple(sorted(v, key=lambda m: m.code)) for k, v in by_name.items()}),
        provinces=MappingProxyType(dict(sorted(provinces.items()))),
    )
