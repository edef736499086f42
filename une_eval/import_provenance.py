"""Reading an imported submission's provenance block for people: where it came from, how each value is known.

Read loosely, like :func:`une_eval.validation.pipeline.identity_of`: ``validate`` shows the provenance
of a draft that still fails the schema, so nothing here assumes the block is well formed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ImportedFrom:
    """The gist of a provenance block: source, tool, files, how many values of each basis, findings."""

    source_format: str
    tool: str | None
    imported_at: str | None
    files: tuple[tuple[str, str], ...]  # (path, sha256)
    basis_counts: tuple[tuple[str, int], ...]
    not_measured: tuple[str, ...]  # pointers of values the source estimated, sourced or declared
    findings: int

    def lines(self) -> list[str]:
        """A few lines for the text output of ``validate``."""
        tool = f" ({self.tool})" if self.tool else ""
        when = f" on {self.imported_at}" if self.imported_at else ""
        out = [f"imported from {self.source_format}{tool}{when}"]
        out += [f"  source file {path} sha256 {digest[:16]}..." for path, digest in self.files]
        counts = ", ".join(f"{n} {basis}" for basis, n in self.basis_counts) or "none"
        out.append(f"  values with a recorded origin: {counts}")
        if self.not_measured:
            shown = ", ".join(self.not_measured[:8]) + (" ..." if len(self.not_measured) > 8 else "")
            out.append(f"  not measured (estimated, sourced or declared): {shown}")
        if self.findings:
            out.append(f"  {self.findings} finding(s) recorded on the source (import.* rules)")
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "source_format": self.source_format,
            "source_tool": self.tool,
            "imported_at": self.imported_at,
            "files": [{"path": p, "sha256": s} for p, s in self.files],
            "values_by_basis": dict(self.basis_counts),
            "not_measured": list(self.not_measured),
            "findings": self.findings,
        }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def imported_from(doc: Mapping[str, Any]) -> ImportedFrom | None:
    """The provenance block's gist, or None when the document has none."""
    prov = doc.get("provenance")
    if not isinstance(prov, dict):
        return None
    tool_node = prov.get("source_tool")
    tool = None
    if isinstance(tool_node, dict) and _text(tool_node.get("name")):
        tool = " ".join(t for t in (_text(tool_node.get("name")), _text(tool_node.get("version"))) if t)
    files = tuple(
        (str(f.get("path")), str(f.get("sha256"))) for f in prov.get("files", []) or [] if isinstance(f, dict)
    )
    values = [v for v in prov.get("values", []) or [] if isinstance(v, dict)]
    counts = Counter(str(v.get("basis")) for v in values)
    not_measured = tuple(
        str(v.get("pointer")) for v in values if v.get("basis") in ("estimated", "sourced", "declared")
    )
    findings = prov.get("findings", [])
    return ImportedFrom(
        source_format=str(prov.get("source_format")),
        tool=tool,
        imported_at=_text(prov.get("imported_at")),
        files=files[:50],
        basis_counts=tuple(sorted(counts.items())),
        not_measured=not_measured,
        findings=len(findings) if isinstance(findings, list) else 0,
    )
