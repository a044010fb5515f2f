"""`vision` stays framework-free: no Django, DRF, Celery or app import, ever."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"django", "rest_framework", "celery", "kombu", "recipes_api", "worker"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_it_names_no_framework_in_any_vision_module():
    modules = sorted((ROOT / "vision").rglob("*.py"))
    assert modules
    for path in modules:
        assert not _imported_roots(path) & FORBIDDEN, path


def test_it_loads_without_pulling_in_a_framework():
    code = (
        "import sys, vision.backend, vision.transformers_backend, vision.tiny, vision.models, vision.schema;"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(FORBIDDEN)!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_it_defers_torch_until_a_backend_is_built():
    code = "import sys, vision; print(sorted({'torch', 'transformers', 'xgrammar'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
