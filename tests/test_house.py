"""The house rules, checked on the source: no import circle, no long function, old names warn."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import warnings
from pathlib import Path

import numpy as np
import pytest

import geoverify as gv
from geoverify.exceptions import GeoverifyDeprecationWarning

PACKAGE = Path(gv.__file__).parent
MAX_FUNCTION_LINES = 100


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _runtime_imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The geoverify modules ``module`` imports when it runs (typing-only imports left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{a.name}" for a in node.names} & modules.keys()
            found |= submodules
            # "from . import settings" names a submodule, not the package's own names
            if target in modules and len(submodules) < len(node.names):
                found.add(target)
    found.discard(module)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_circle_inside_the_package():
    modules = _modules()
    graph = {m: _runtime_imports(m, p, modules) for m, p in modules.items()}
    assert graph["geoverify.case"] >= {"geoverify.report"}  # the scan sees lazy imports too
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_function_longer_than_a_screen():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines})")
    assert not long, long


def test_version_comes_from_the_package_metadata():
    assert gv.__version__ == importlib.metadata.version("geoverify")
    assert "__version__ =" not in (PACKAGE / "__init__.py").read_text(encoding="utf-8")


MOVED = [
    ("geoverify.maps", "plot_static", "geoverify.figures", "plot_static"),
    ("geoverify.frames", "TruncatedVideoWarning", "geoverify.exceptions", "TruncatedVideoWarning"),
    ("geoverify.ocr", "check_languages", "geoverify.ocr.base", "check_languages"),
    ("geoverify.ocr.ensemble", "iou", "geoverify.ocr.base", "box_iou"),
    (
        "geoverify.gazetteer.core",
        "inside_country",
        "geoverify.gazetteer.countries",
        "inside_country",
    ),
    ("geoverify.gazetteer.core", "PackedStrings", "geoverify.gazetteer._index", "PackedStrings"),
    ("geoverify.gazetteer.index", "NameIndex", "geoverify.gazetteer._index", "NameIndex"),
]


@pytest.mark.parametrize(("old_module", "old", "new_module", "new"), MOVED)
def test_a_moved_name_still_works_with_a_warning(old_module, old, new_module, new):
    module = importlib.import_module(old_module)
    with pytest.warns(GeoverifyDeprecationWarning, match=rf"{old_module}\.{old} .*{new}"):
        value = getattr(module, old)
    assert value is getattr(importlib.import_module(new_module), new)


def test_an_unknown_name_is_still_an_attribute_error():
    import geoverify.maps

    with pytest.raises(AttributeError, match="plot_statik"):
        geoverify.maps.plot_statik  # noqa: B018


def test_removed_helpers_still_work_with_a_warning():
    from geoverify.ocr import preprocess
    from geoverify.regions import describe, load_regions, regions_html

    with pytest.warns(GeoverifyDeprecationWarning, match="describe"):
        assert describe("ladakh")["name"] == gv.region("ladakh").name
    table = load_regions("admin")
    hostile = table.head(1).assign(name="<script>alert(1)</script>")
    with pytest.warns(GeoverifyDeprecationWarning, match="regions_html"):
        page = regions_html(hostile)
    assert "<script>" not in page and "&lt;script&gt;" in page
    # a page of 20 px tall dark "words" on white, scaled to the 30 px target
    gray = np.full((400, 600), 255, np.uint8)
    for top in range(20, 380, 45):
        for left in range(40, 520, 120):
            gray[top : top + 20, left : left + 90] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", GeoverifyDeprecationWarning)
        with pytest.raises(GeoverifyDeprecationWarning):
            preprocess.normalize_height(gray)
    with pytest.warns(GeoverifyDeprecationWarning, match="normalize_height"):
        scaled, scale = preprocess.normalize_height(gray)
    assert scale == pytest.approx(1.5, rel=0.1) and scaled.shape[0] == pytest.approx(600, rel=0.1)
