"""The summary of a batch audit: one row per file, written as HTML, CSV, Parquet or JSON.

The HTML is one self-contained file: no external resource, a Content-Security-Policy that forbids any
network access, every vendor string escaped by Jinja2's autoescape, and a little inline JavaScript to
sort by any column and filter by text or verdict. CSV cells that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or carriage return) are prefixed with an apostrophe. Control and
bidirectional characters in CSV and HTML cells are shown as visible escapes (:mod:`une_eval.text`);
the JSON summary writes them as JSON unicode escapes, which keep the data unchanged.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import markupsafe
import pandas as pd

from une_eval import __version__
from une_eval.errors import InputError
from une_eval.findings import Outcome
from une_eval.output import write_atomic
from une_eval.report.language import Language, document_words, language, locale_root, template_environment
from une_eval.text import json_text, printable_tree, utf8_safe
from une_eval.validation.dashboard import Row, dashboard
from une_eval.validation.summary_nodes import NODE_COLUMNS, NODE_INT_COLUMNS, node_cells
from une_eval.vocabulary import phases

FORMATS = {".html": "html", ".htm": "html", ".csv": "csv", ".parquet": "parquet", ".json": "json"}
COLUMNS = (
    "source",
    "submission_id",
    "organisation",
    "model",
    "phase",
    "profile",
    "verdict",
    "assurance",
    "errors",
    "warnings",
    "infos",
    "rating_class",
    "rating_scheme",
    "rating_value",
    "rating_unit",
    "evidence",
    "failed_rules",
    "error",
    *NODE_COLUMNS,
)
INT_COLUMNS = ("errors", "warnings", "infos", *NODE_INT_COLUMNS)  # Parquet int64, null where a file has none
FLOAT_COLUMNS = ("rating_value",)  # Parquet float64; every other column is a string
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _evidence_text(evidence: dict[str, Any] | None) -> str:
    if evidence is None:
        return "no traces"
    windows = evidence.get("windows", [])
    methods = sorted({w["method"] for w in windows if w.get("method")})
    bad = evidence.get("traces_with_issues", 0)
    return f"{len(windows)} window(s) recomputed ({', '.join(methods) or 'none'}), {bad} unusable trace(s)"


def row_for(verdict: dict[str, Any]) -> dict[str, Any]:
    """One flat summary row from a verdict dict."""
    sub = verdict.get("submission", {})
    rating = verdict.get("rating") or {}
    counts = verdict.get("counts", {})
    failed = sorted({f["rule_id"] for f in verdict.get("findings", []) if f["severity"] == "error"})
    return {
        "source": verdict["source"],
        "submission_id": sub.get("submission_id", ""),
        "organisation": sub.get("organisation", ""),
        "model": sub.get("model", ""),
        "phase": sub.get("phase", ""),
        "profile": verdict["profile"],
        "verdict": verdict["verdict"],
        "assurance": verdict.get("assurance", "") if verdict["verdict"] in ("conformant", "non-conformant") else "",
        "errors": counts.get("error", 0),
        "warnings": counts.get("warning", 0),
        "infos": counts.get("info", 0),
        "rating_class": rating.get("class", ""),
        "rating_scheme": rating.get("scheme", ""),
        "rating_value": rating.get("value"),
        "rating_unit": rating.get("unit", ""),
        "evidence": _evidence_text(verdict.get("evidence")),
        "failed_rules": " ".join(failed),
        "error": verdict.get("error", ""),
        **node_cells(verdict.get("nodes")),
    }


def neutralise_cell(value: Any) -> Any:
    """Make a CSV cell that a spreadsheet will show as text, never evaluate as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """CSV with a header row; formula-looking cells neutralised."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise_cell("" if row[k] is None else printable_tree(row[k])) for k in COLUMNS})
    return buf.getvalue().encode("utf-8")


def render_parquet(rows: Sequence[dict[str, Any]]) -> bytes:
    """Parquet (pyarrow) with typed columns."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for name in COLUMNS:
        if name in FLOAT_COLUMNS:
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
        elif name in INT_COLUMNS:
            frame[name] = frame[name].astype("Int64")  # int64 with nulls
        else:
            frame[name] = frame[name].map(_text_or_null)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, schema=parquet_schema())
    return buf.getvalue()


def _text_or_null(value: Any) -> str | None:
    """A string cell; null where the row has none (pandas gives ``None`` or ``NaN``)."""
    return None if value is None or value != value else utf8_safe(str(value))  # NaN is not equal to itself


def parquet_schema() -> Any:
    """The Parquet summary's column types (a ``pyarrow.Schema``), the same for the whole-batch and streamed writers."""
    import pyarrow as pa

    def kind(name: str) -> Any:
        return pa.int64() if name in INT_COLUMNS else pa.float64() if name in FLOAT_COLUMNS else pa.string()

    return pa.schema([(name, kind(name)) for name in COLUMNS])


def render_json(verdicts: Sequence[dict[str, Any]]) -> bytes:
    """Every verdict in full, with counts by outcome."""
    doc = {
        "generated_by": f"une-eval {__version__}",
        "counts": dict(Counter(v["verdict"] for v in verdicts)),
        "files": list(verdicts),
    }
    return (json_text(doc) + "\n").encode("utf-8")


MAX_FINDINGS_PER_FILE = 200  # the page lists this many findings of a file; the JSON summary has them all


def _asset(name: str) -> str:
    return resources.files("une_eval").joinpath("_reports", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline style or script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _reason(lang: Language, row: Row) -> str:
    """Why a file is not conformant, in one line: the error, the schema's first problem or the failed rules."""
    if row.reason:
        return row.reason
    if row.verdict == Outcome.INVALID and row.findings:
        first = row.findings[0]
        count = lang.ngettext("%(num)s problem with the schema", "%(num)s problems with the schema", len(row.findings))
        return f"{count % {'num': len(row.findings)}}: {first.pointer or '/'}"
    if row.failed_rules:
        return ", ".join(row.failed_rules)
    return ""


def render_html(verdicts: Sequence[dict[str, Any]], *, lang: str = "en") -> bytes:
    """Render the self-contained audit dashboard (sortable, filterable, offline) in ``lang``."""
    words = language(lang)
    board = dashboard(printable_tree(list(verdicts)))
    style, script = _asset("summary.css"), _asset("summary.js")
    env = template_environment(locale_root().parent, words)
    page = env.from_string(_asset("summary.html.j2"))
    generated = words.format_datetime(dt.datetime.now(dt.UTC), "yyyy-MM-dd HH:mm 'UTC'")
    html = page.render(
        **document_words(words),
        d=board,
        reason=lambda row: _reason(words, row),
        phases=phases(),
        max_findings=MAX_FINDINGS_PER_FILE,
        version=__version__,
        generated=generated,
        # The bundled stylesheet and script, inline: the page's CSP allows exactly these two by their hashes.
        style=markupsafe.Markup(style),  # noqa: S704
        script=markupsafe.Markup(script),  # noqa: S704
        style_hash=csp_hash(style),
        script_hash=csp_hash(script),
    )
    return html.encode("utf-8")


def format_for(path: Path) -> str:
    """Return the summary format a file name asks for, by its extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: a summary must end in one of {', '.join(sorted(FORMATS))}")
    return fmt


def write_summary(path: Path, verdicts: Sequence[dict[str, Any]], *, lang: str = "en") -> None:
    """Write the summary in the format its extension names (an HTML summary in ``lang``)."""
    fmt = format_for(path)
    rows = [row_for(v) for v in verdicts]
    data = {
        "html": lambda: render_html(verdicts, lang=lang),
        "csv": lambda: render_csv(rows),
        "parquet": lambda: render_parquet(rows),
        "json": lambda: render_json(verdicts),
    }[fmt]()
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(f"cannot write the summary {path}: {exc.strerror}") from None
