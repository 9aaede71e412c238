"""Where the project's RDF sources live: ``ontology/``, ``data/``, ``shapes/``, ``queries/``.

In a wheel they are packaged as ``dge_graph/_resources/<name>`` (see ``pyproject.toml``); in a source checkout
(editable install) they are the top-level folders of the repository. Never the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

RESOURCE_DIRS = ("ontology", "data", "shapes", "queries")


def resource_dir(name: str) -> Path:
    """The folder of one kind of project resource."""
    if name not in RESOURCE_DIRS:
        raise ValueError(f"unknown resource folder {name!r}")
    packaged = resources.files("dge_graph") / "_resources" / name
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[3] / name
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(f"the {name}/ folder is neither packaged nor in a source checkout")


def project_root() -> Path:
    """The folder that holds ``ontology/`` and ``data/`` (their common parent)."""
    return resource_dir("ontology").parent
