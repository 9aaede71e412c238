"""The package's folders are its stages, and each stage depends only on the stages below it.

kernel < store < ingest < rules < query < render < api < cli: a module may import project modules of its own
stage or of a lower one, never of a higher one (``dge_graph.__main__`` is the entry point and may import the CLI).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dge_graph"
STAGES = ("kernel", "store", "ingest", "rules", "query", "render", "api", "cli")


def stage_of(module: str) -> str | None:
    """The stage of a dotted module name inside dge_graph (None for the package root)."""
    parts = module.split(".")
    if parts[0] != "dge_graph" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES else None


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every dge_graph module a file imports (at any depth: imports inside functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; use absolute dge_graph.<stage> imports")
            if node.module and node.module.startswith("dge_graph"):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("dge_graph")]
    return found


def modules() -> list[Path]:
    """Every module inside a stage folder (the package root holds only ``__init__`` and ``__main__``)."""
    return sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


def test_every_module_lives_in_a_stage_folder():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], f"modules outside a stage folder: {loose}"
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert folders == sorted(STAGES)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_imports_only_from_itself_and_lower_stages(path: Path):
    own = STAGES.index(path.relative_to(PACKAGE).parts[0])
    upward = [
        f"line {line}: {module}"
        for line, module in imported_modules(path)
        if (stage := stage_of(module)) is not None and STAGES.index(stage) > own
    ]
    assert upward == [], f"{path.relative_to(PACKAGE)} imports from a higher stage: {upward}"


def test_the_layering_check_can_fail(tmp_path: Path):
    """A kernel module that imports the API is caught (the check is not vacuous)."""
    module = tmp_path / "bad.py"
    module.write_text("from dge_graph.api import create_app\n", encoding="utf-8")
    assert [stage_of(m) for _, m in imported_modules(module)] == ["api"]
