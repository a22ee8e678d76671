"""CSV cells a spreadsheet could take for a formula are neutralised (the attacker's finding 8).

By rule (every variant below), and in a real spreadsheet: LibreOffice Calc
(Debian's libreoffice-calc, which `make test` installs) imports the CSV with
formula evaluation and space trimming on, and no cell of ours becomes a
formula, while the same cells written raw do.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from consent.reports.spreadsheet import csv_lines, formula_like, safe_cell

HOSTILE = [
    "=1+1", "+1+2", "-1+3", "@SUM(1,4)", "\t=1+5", "\r=1+6",
    " =1+7", "  +1+8", "\u00a0=1+9",          # a space, spaces, a no-break space before it
    "\u3000=1+10", "\u2007=1+11",              # ideographic and figure spaces
    "\u200b=1+12", "\u2060=1+13", "\ufeff=1+14",   # zero-width space, word joiner, BOM
    "\uff1d1+15", "\ufe661+16", "\uff0b1+17", "\uff0d1+18", "\uff20SUM(1,19)",  # full-width, small
    "\u00a0\u200b\uff1d1+20",
]
BENIGN = ["https://shop.example/rings", "shop.example", "eea", "Firefox/Linux", "2026-03-01",
          " plain text", "\u00a0", "", "Ｓhop", "100%", "'quoted"]
NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
# CSV import: comma, double quote, UTF-8, from line 1, ..., trim spaces on, evaluate formulas on.
CSV_IMPORT = "CSV:44,34,76,1,,,false,false,false,false,true,,true"


@pytest.mark.parametrize("cell", HOSTILE)
def test_every_formula_variant_is_neutralised_by_rule(cell):
    assert formula_like(cell)
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", BENIGN)
def test_text_that_is_no_formula_is_left_alone(cell):
    assert not formula_like(cell) and safe_cell(cell) == cell


def libreoffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        return soffice
    if shutil.which("apt-get"):
        pytest.fail("LibreOffice is missing: `make test` installs Debian's libreoffice-calc")
    pytest.skip("no Debian package manager here: libreoffice-calc cannot be installed")


def calc_cells(soffice: str, tmp_path, *files) -> dict[str, list[tuple[str | None, str]]]:
    """Each CSV as LibreOffice Calc imports it: its second row's (formula, shown text) per cell."""
    out = tmp_path / "out"
    # A profile of its own: another LibreOffice running (a parallel test) must not be reused.
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    subprocess.run([soffice, "--headless", "--norestore", f"--infilter={CSV_IMPORT}",
                    "--convert-to", "fods", "--outdir", str(out), *map(str, files)],
                   env=env, check=True, capture_output=True, timeout=180)
    found = {}
    for path in files:
        tree = ET.parse(out / f"{path.stem}.fods")
        rows = tree.getroot().findall(".//table:table-row", NS)
        cells = []
        for cell in rows[1].findall("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            shown = "".join("".join(p.itertext()) for p in cell.findall("text:p", NS))
            cells += [(cell.get(f"{{{NS['table']}}}formula"), shown)] * min(repeat, len(HOSTILE))
        found[path.stem] = cells[:len(HOSTILE)]
    return found


def test_libreoffice_runs_no_cell_of_ours_as_a_formula(tmp_path):
    soffice = libreoffice()
    header = [f"c{i}" for i in range(len(HOSTILE))]
    ours = tmp_path / "ours.csv"
    ours.write_text("".join(csv_lines(header, [HOSTILE])), encoding="utf-8", newline="")
    raw = tmp_path / "raw.csv"
    with open(raw, "w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\r\n").writerows([header, HOSTILE])

    cells = calc_cells(soffice, tmp_path, ours, raw)
    # The check can fail: written raw, Calc makes formulas of some of these very cells.
    raw_formulas = [text for (formula, _), text in zip(cells["raw"], HOSTILE) if formula]
    assert "=1+1" in raw_formulas and " =1+7" in raw_formulas
    for (formula, shown), cell in zip(cells["ours"], HOSTILE):
        assert formula is None, f"{cell!r} became the formula {formula}"
        assert shown.lstrip("'").strip() == cell.strip(), (cell, shown)
