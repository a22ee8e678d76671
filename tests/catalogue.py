"""A shop that adds a category: its data directory, and the widget built for it.

Both are made the way a shop would make them: edit data/categories.json (and
the texts), then run the project's own widget build, here on a copy of the
tree so that the committed bundle stays untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .conftest import ROOT

FUNCTIONAL = "functional"
TITLES = {"en": "Convenience features", "de": "Komfortfunktionen", "fr": "Fonctions de confort",
          "es": "Funciones de comodidad", "it": "Funzioni di comodità",
          "nl": "Gemaksfuncties"}


def add_category(data_dir: Path, category: str = FUNCTIONAL) -> Path:
    """``data_dir`` (a copy of data/) with one more optional category, texts in every language."""
    path = data_dir / "categories.json"
    catalogue = json.loads(path.read_text())
    catalogue["categories"].append({"id": category, "consent_mode": [], "services": ["live-chat"]})
    catalogue["services"]["live-chat"] = {"name": "Live chat", "cookies": ["chat_session"]}
    path.write_text(json.dumps(catalogue, indent=2, ensure_ascii=False))
    for locale in (data_dir / "locales").glob("*.json"):
        texts = json.loads(locale.read_text())
        texts["categories"][category] = {
            "title": TITLES[locale.stem],
            "description": f"{TITLES[locale.stem]}: live chat, remembered preferences."}
        locale.write_text(json.dumps(texts, indent=2, ensure_ascii=False))
    return data_dir


def build_widget(data_dir: Path, workdir: Path) -> Path:
    """The widget built from ``data_dir`` by the project's build script, in a copy of the tree.

    The build reads data/ next to itself, so the copy holds the build script,
    the widget's sources and styles, and ``data_dir`` as its data/.
    """
    node = shutil.which("node")
    assert node, "node is needed to build the widget: `make node` (npm ci) installs the build tools"
    tree = workdir / "tree"
    for part in ("scripts", "static/js/src", "static/css"):
        shutil.copytree(ROOT / part, tree / part)
    shutil.copytree(data_dir, tree / "data")
    os.symlink(ROOT / "node_modules", tree / "node_modules")
    subprocess.run([node, str(tree / "scripts" / "build-widget.mjs")], cwd=tree, check=True,
                   capture_output=True, timeout=120)
    built = tree / "static" / "js" / "consent.js"
    assert built.exists(), "the widget build wrote no static/js/consent.js"
    return built
