"""The package's layout holds: the layers (import-linter), the module table, small modules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "consent"
MAX_LINES = 350


def modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))


def test_the_layers_hold():
    """`lint-imports` with .importlinter: higher layers import lower ones, no Flask below web."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", result.stdout), result.stdout[-2000:]


def test_every_module_is_in_the_architecture_table():
    documented = set(re.findall(r"^\| `(consent/[\w/]+\.py)` \|",
                                (ROOT / "docs/architecture.md").read_text(), re.M))
    assert not set(modules()) - documented, "add these to docs/architecture.md's module table"
    assert not documented - set(modules()), "the module table names modules that are gone"


def test_no_module_is_longer_than_the_limit():
    long = {m: n for m in modules()
            if (n := len((ROOT / m).read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these (over {MAX_LINES} lines): {long}"
