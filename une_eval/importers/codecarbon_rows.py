"""CodeCarbon's CSV rows: the columns every CodeCarbon CSV has, and its rows read against its header.

Both of CodeCarbon's CSV files (``emissions.csv``, :mod:`une_eval.importers.codecarbon`, and the task
CSV, :mod:`une_eval.importers.codecarbon_tasks`) are read here: the header, then each data row as a
:class:`Row` of cells by column, with its line for provenance. A row whose cells do not line up with the
header (CodeCarbon drops empty columns when it appends a row) is noted and left out; a cell that is not a
finite number is refused when read.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from une_eval.errors import InputError
from une_eval.importers.draft import Draft
from une_eval.importers.source import SourceFile

REQUIRED = ("timestamp", "duration", "emissions", "energy_consumed")
MAX_ROWS = 1_000_000


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its line in the file and its cells by column."""

    line: int
    cells: dict[str, str]

    def number(self, name: str) -> float | None:
        """A numeric cell (None when the column is absent or the cell empty)."""
        text = self.cells.get(name, "").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"line {self.line}, column {name}: {text[:40]!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"line {self.line}, column {name}: {text[:40]!r} is not a finite number")
        return value


def read_rows(file: SourceFile, draft: Draft) -> tuple[list[str], list[Row]]:
    """The header and the rows whose cells line up with it (others are noted and left out)."""
    reader = csv.reader(io.StringIO(file.text(), newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{file.path}: not a CodeCarbon emissions.csv (no column {', '.join(missing)})")
    rows: list[Row] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise InputError(f"{file.path}: more than {MAX_ROWS:,} rows")
        if len(cells) != len(header):
            draft.note(
                f"{file.path} line {line} has {len(cells)} cells for {len(header)} columns (CodeCarbon drops "
                "empty columns when it appends a row): its values cannot be matched to columns; not imported"
            )
            continue
        rows.append(Row(line, dict(zip(header, cells, strict=True))))
    if not rows:
        raise InputError(f"{file.path}: no data row")
    return header, rows
