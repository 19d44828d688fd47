"""The dependency rule: the domain imports only the standard library (and never bot/ or storage/)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_only_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"deliberation", "__future__"}
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) - allowed)
                 for p in (ROOT / "deliberation").rglob("*.py") if _imports(p) - allowed}
    assert offenders == {}


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept" in result.stdout.lower()
