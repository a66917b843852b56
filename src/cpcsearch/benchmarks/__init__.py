"""Benchmarks that print figures: extraction quality, relevance, speed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

# The benchmarks run from a clone, beside the maintainers' `shared/` folder.
SHARED_DIR = Path(__file__).resolve().parents[3].parent / "shared"


def load_shared_tool(name: str) -> ModuleType:
    """Import one of the shared evaluation tools (`../shared/tools/<name>.py`) by path."""
    path = SHARED_DIR / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise FileNotFoundError(f"scoring tool not found: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
