"""Tables in sources: numbers read strictly, JSON read safely, and one row chosen from a leaderboard.

Leaderboards (ML.ENERGY, AI Energy Score) publish many rows (models x configurations) in one file;
a submission is about one. :func:`select_row` picks it by ``--select``: a model id, or ``COLUMN=VALUE``
pairs joined by commas, matched against the source's own column names; a file of one row needs no
selection. No match, or several, is an error that says how many rows matched and which columns tell
them apart, never a guess.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from une_eval.errors import InputError
from une_eval.importers.source import SourceFile
from une_eval.loading import json_type_name, parse_json_bytes

MAX_ROWS = 200_000


def csv_rows(file: SourceFile) -> list[Row]:
    """The rows of a CSV file with a header, by column name (cells that do not line up are an error)."""
    reader = csv.DictReader(io.StringIO(file.text(), newline=""))
    rows: list[Row] = []
    try:
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise InputError(f"{file.path}: more than {MAX_ROWS:,} rows")
            if None in cells or any(v is None for v in cells.values()):
                raise InputError(f"{file.path}, line {reader.line_num}: the cells do not line up with the header")
            rows.append(Row(f"line {reader.line_num}", {k.strip(): v.strip() for k, v in cells.items()}))
    except csv.Error as exc:
        raise InputError(f"{file.path}, line {reader.line_num}: not CSV ({exc})") from None
    return rows


def number(value: Any, where: str) -> float | None:
    """A finite number from a JSON value or a CSV cell (None for an empty cell or a JSON null)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(f"{where}: {value!r} is not a number")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            raise InputError(f"{where}: {value.strip()[:40]!r} is not a number") from None
    else:
        raise InputError(f"{where}: a JSON {json_type_name(value)}, not a number")
    if not math.isfinite(result):
        raise InputError(f"{where}: {str(value)[:40]!r} is not a finite number")
    return result


def written(value: Any) -> str:
    """A value as the source wrote it, for a provenance origin."""
    return value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


def json_object(file: SourceFile) -> dict[str, Any]:
    """The file parsed as a JSON object (bounded depth, strict numbers)."""
    try:
        doc = parse_json_bytes(file.data)
    except InputError as exc:
        raise InputError(f"{file.path}: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{file.path}: the top level is a JSON {json_type_name(doc)}, not an object")
    return doc


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a table: where it is in the file, and its cells by column name."""

    location: str
    cells: Mapping[str, Any]


def _criteria(select: str, model_column: str) -> dict[str, str]:
    if "=" not in select:
        return {model_column: select.strip()}
    out: dict[str, str] = {}
    for part in select.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--select {select!r}: expected a model id or COLUMN=VALUE pairs joined by commas")
        out[key.strip()] = value.strip()
    return out


def _matches(cell: Any, wanted: str) -> bool:
    if isinstance(cell, str):
        return cell.strip() == wanted
    if isinstance(cell, bool) or cell is None:
        return str(cell).lower() == wanted.lower()
    if isinstance(cell, int | float):
        try:
            return float(wanted) == float(cell)
        except ValueError:
            return False
    return False


def _differing(rows: Sequence[Row]) -> list[str]:
    """Up to six columns whose values tell the rows apart, to select by.

    The configuration columns (names, whole numbers) come before the measured figures (fractions);
    nested values (a distribution) cannot be selected by and are not named.
    """
    columns = [c for c in rows[0].cells if all(c in r.cells for r in rows)]
    differing = [c for c in columns if len({repr(r.cells[c]) for r in rows}) > 1]
    plain = [c for c in differing if all(isinstance(r.cells[c], str | int | float) for r in rows)]
    measured = [c for c in plain if any(isinstance(r.cells[c], float) for r in rows)]
    return ([c for c in plain if c not in measured] + measured)[:6]


def select_row(rows: Sequence[Row], select: str | None, model_column: str, path: str) -> Row:
    """The one row ``--select`` names (the only row when the table has one)."""
    if not rows:
        raise InputError(f"{path}: no data row")
    if select is None:
        if len(rows) == 1:
            return rows[0]
        hint = ", ".join(_differing(rows)) or model_column
        raise InputError(
            f"{path}: {len(rows)} rows; choose one with --select MODEL or --select COLUMN=VALUE,... "
            f"(columns that differ: {hint})"
        )
    criteria = _criteria(select, model_column)
    chosen = [r for r in rows if all(k in r.cells and _matches(r.cells[k], v) for k, v in criteria.items())]
    if len(chosen) == 1:
        return chosen[0]
    if not chosen:
        raise InputError(f"{path}: no row matches --select {select!r}")
    hint = ", ".join(_differing(chosen)) or "none: the rows repeat each other"
    raise InputError(f"{path}: {len(chosen)} rows match --select {select!r}; add COLUMN=VALUE (differing: {hint})")
