"""Whether the built widget was built for the categories in data/categories.json.

The widget takes its categories from data/ at build time (its Consent Mode
defaults, the cookie's order of choices, the choices every receipt carries).
A widget built for other categories posts receipts the service must refuse,
and the widget drops refused receipts for good: every choice would be lost
without a sound. So a mismatch stops start-up, naming the file and what to
rebuild.

The minified bundle is read, not run. Every embedded category is an object
literal that starts with its id and carries its Consent Mode types, e.g.
``{id:"necessary",required:!0,consent_mode:["security_storage",...]`` or
``{id:"analytics",consent_mode:["analytics_storage"]``: esbuild prints a
JSON value given to ``define`` that way, whatever else the build embeds.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

from .data import Catalog, PolicyDataError

REBUILD = "rebuild it with `make widget` (npm run build:widget) and deploy the new file"
# One embedded category: its id, the simple fields esbuild prints before its Consent Mode types.
_VALUE = r'(?:!0|!1|-?\d+|"[^"\\]*"|\[[^\[\]]*\])'
_CATEGORY = re.compile(
    r'\{id:"(?P<id>[a-z0-9][a-z0-9-]*)",(?P<fields>(?:[A-Za-z_]+:' + _VALUE + r',)*?)'
    r'consent_mode:\[(?P<modes>[^\[\]]*)\]')
_REQUIRED = re.compile(r'(?:^|,)required:!0,')


@dataclass(frozen=True)
class BuiltCategory:
    id: str
    required: bool
    consent_mode: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.id}{' (required)' if self.required else ''}: {', '.join(self.consent_mode)}"


def built_categories(script: str) -> list[BuiltCategory]:
    """The categories a built widget embeds, in order (each once); [] when it embeds none."""
    found: dict[str, BuiltCategory] = {}
    conflicting: set[str] = set()
    for match in _CATEGORY.finditer(script):
        category = BuiltCategory(
            id=match["id"], required=bool(_REQUIRED.search("," + match["fields"])),
            consent_mode=tuple(re.findall(r'"([^"]*)"', match["modes"])))
        if found.setdefault(category.id, category) != category:
            conflicting.add(category.id)
    if conflicting:     # two tables that disagree: not one build's data
        raise ValueError(f"it embeds two different definitions of {', '.join(sorted(conflicting))}")
    return list(found.values())


def expected_categories(catalog: Catalog) -> list[BuiltCategory]:
    return [BuiltCategory(c.id, c.required, c.consent_mode) for c in catalog.categories.values()]


def check_widget(catalog: Catalog, pattern: str) -> list[Path]:
    """The built widget files checked; each must embed exactly the catalogue's categories.

    :raise PolicyDataError: no built widget, one whose categories cannot be read,
        or one built for other categories (the message says what to rebuild).
    """
    paths = [Path(p) for p in sorted(glob.glob(pattern))]
    if not paths:
        raise PolicyDataError(f"{pattern}: no built widget: build it with `make widget`.")
    expected = expected_categories(catalog)
    checked = []
    for path in paths:
        try:
            built = built_categories(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise PolicyDataError(f"{path}: cannot read the built widget: {error}.") from None
        except ValueError as error:
            raise PolicyDataError(f"{path}: not one build of the widget ({error}); {REBUILD}.") \
                from None
        if not built:       # another part of the widget (a lazily loaded one): nothing embedded
            continue
        if built != expected:
            raise PolicyDataError(f"{path}: built for other categories than "
                                  f"{catalog_file(catalog)}: {_difference(built, expected)}. "
                                  f"Its receipts would be refused and lost; {REBUILD}.")
        checked.append(path)
    if not checked:
        raise PolicyDataError(f"{pattern}: no categories found in the built widget "
                              f"({', '.join(p.name for p in paths)}); {REBUILD}.")
    return checked


def catalog_file(catalog: Catalog) -> str:
    return str(catalog.source / "categories.json") if catalog.source else "categories.json"


def _difference(built: list[BuiltCategory], expected: list[BuiltCategory]) -> str:
    built_ids, expected_ids = [c.id for c in built], [c.id for c in expected]
    missing = [c for c in expected_ids if c not in built_ids]
    extra = [c for c in built_ids if c not in expected_ids]
    if missing or extra:
        parts = ([f"the data has {', '.join(missing)}, which the widget lacks"] if missing else []) \
            + ([f"the widget has {', '.join(extra)}, which the data lacks"] if extra else [])
        return "; ".join(parts)
    if built_ids != expected_ids:
        return f"the widget orders them {', '.join(built_ids)}, the data {', '.join(expected_ids)}"
    changed = [f"{e.describe()} in the data, {b.describe()} in the widget"
               for b, e in zip(built, expected) if b != e]
    return "; ".join(changed)
