"""The audit: everything one check of one submission established, as one typed, frozen value.

An :class:`Audit` is what :func:`une_eval.validate` returns and what every later step reads: the text
and JSON output, the batch summaries, the certificate and ``verify``. It holds the verdict with its
findings, the typed submission and its bytes, the evidence recomputed from the raw traces, the
assurance level that evidence reaches, the efficiency rating, and every result figure with its
:class:`Provenance`: how une-eval knows it. Nothing downstream validates, rates or reads traces again.

JSON is only at the edges: :meth:`Audit.to_json` and :meth:`Audit.from_json` are the one place an
audit becomes JSON and back (the submission itself travels as its own bytes, not inside the JSON).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from une_eval.findings import Finding, Outcome, Severity
from une_eval.nodetable import NodeTable

if TYPE_CHECKING:
    from une_eval.import_provenance import ImportedFrom
    from une_eval.model import Submission
    from une_eval.rating import Rating
    from une_eval.validation.evidence import Evidence


class Provenance(enum.StrEnum):
    """How une-eval knows a figure (the measured / modelled / sourced split of the GSF's SCI for AI)."""

    RECOMPUTED = "recomputed"  # recomputed by une-eval from the raw traces, and the declared value agrees
    CHECKED = "checked"  # declared, and consistent with the other declared values by a named rule that held
    DECLARED = "declared"  # taken as declared: no enabled rule checks it, or its check failed
    SOURCED = "sourced"  # an external factor (PUE, grid intensity, WUE, embodied emissions) with its source
    ESTIMATED = "estimated"  # modelled rather than measured (e.g. a power-integration fallback, a TDP estimate)


class Assurance(enum.StrEnum):
    """How far the evidence reaches: every accelerator's energy recomputed from its trace, or not."""

    EVIDENCE_CHECKED = "evidence-checked"
    DECLARED_ONLY = "declared-only"


@dataclass(frozen=True, slots=True)
class Figure:
    """One result figure, where it is in the submission, and how it is known."""

    key: str  # a stable name, e.g. "energy_per_unit", "statistics.std"
    pointer: str  # RFC 6901 pointer into the submission
    value: float
    unit: str
    provenance: Provenance
    basis: str  # one sentence: the rules that checked it, the source it came from, or why it is taken as declared
    rules: tuple[str, ...] = ()  # the enabled rules that checked it and held

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "key": self.key,
            "pointer": self.pointer,
            "value": self.value,
            "unit": self.unit,
            "provenance": str(self.provenance),
            "basis": self.basis,
            "rules": list(self.rules),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figure:
        """Inverse of :meth:`to_json`."""
        return cls(
            str(data["key"]),
            str(data["pointer"]),
            float(data["value"]),
            str(data["unit"]),
            Provenance(data["provenance"]),
            str(data["basis"]),
            tuple(str(r) for r in data.get("rules", ())),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    """Who and what a submission is about, read even from a file that fails the schema when it parsed."""

    submission_id: str | None = None
    phase: str | None = None
    organisation: str | None = None
    model: str | None = None
    functional_unit: str | None = None  # what the results are per (query, training-run, ...), when declared
    functional_unit_count: float | None = None  # per how many of them (1000 queries)

    def to_json(self) -> dict[str, str | float | None]:
        """Plain JSON-ready dict."""
        return {
            "submission_id": self.submission_id,
            "phase": self.phase,
            "organisation": self.organisation,
            "model": self.model,
            "functional_unit": self.functional_unit,
            "functional_unit_count": self.functional_unit_count,
        }


@dataclass(frozen=True, slots=True)
class Audit:
    """The result of checking one submission against a profile (see the module docstring)."""

    source: str
    verdict: Outcome
    profile: str
    findings: tuple[Finding, ...] = ()
    assurance: Assurance = Assurance.DECLARED_ONLY
    assurance_reasons: tuple[str, ...] = ()
    required_assurance: Assurance | None = None
    identity: Identity = Identity()
    figures: tuple[Figure, ...] = ()
    evidence: Evidence | None = None
    rating: Rating | None = None
    submission: Submission | None = None
    document: bytes | None = None  # the submission's bytes as read (what a certificate attaches)
    error: str | None = None  # why the file could not be checked (verdict ERROR)
    imported: ImportedFrom | None = None  # where an imported submission came from (its provenance block)
    # A profile file's merged document (Profile.to_document), which a certificate carries; None when bundled.
    profile_document: dict[str, Any] | None = None
    nodes: NodeTable | None = None  # a many-node submission's per-node table (une_eval.nodetable)

    @property
    def outcome(self) -> Outcome:
        """The verdict (the name older callers use)."""
        return self.verdict

    @property
    def conformant(self) -> bool:
        """Whether the submission conforms to the profile."""
        return self.verdict is Outcome.CONFORMANT

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning."""
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def figure(self, key: str) -> Figure | None:
        """The figure named ``key``, if the submission has it."""
        return next((f for f in self.figures if f.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """The audit as ``validate --format json`` prints it (the submission's bytes are not included)."""
        out: dict[str, Any] = {
            "source": self.source,
            "verdict": str(self.verdict),
            "profile": self.profile,
            "assurance": str(self.assurance),
            "assurance_reasons": list(self.assurance_reasons),
            "counts": {str(s): sum(1 for f in self.findings if f.severity is s) for s in Severity},
            "findings": [f.to_json() for f in self.findings],
            "submission": self.identity.to_json(),
        }
        if self.required_assurance is not None:
            out["required_assurance"] = str(self.required_assurance)
        if self.figures:
            out["figures"] = [f.to_json() for f in self.figures]
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_json()
        if self.rating is not None:
            out["rating"] = self.rating.to_json()
        if self.error is not None:
            out["error"] = self.error
        if self.imported is not None:
            out["provenance"] = self.imported.to_json()
        if self.nodes is not None:
            out["nodes"] = self.nodes.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audit:
        """Rebuild an audit from :meth:`to_json` output: verdict, findings, assurance, identity and figures.

        The typed submission, its bytes, the evidence windows and the rating are not rebuilt: they travel
        beside the JSON (a certificate attaches the submission's bytes) and are recomputed from there.
        """
        identity = data.get("submission") or {}
        required = data.get("required_assurance")
        return cls(
            source=str(data.get("source", "")),
            verdict=Outcome(data["verdict"]),
            profile=str(data.get("profile", "")),
            findings=tuple(Finding.from_json(f) for f in data.get("findings", ())),
            assurance=Assurance(data.get("assurance", Assurance.DECLARED_ONLY)),
            assurance_reasons=tuple(str(r) for r in data.get("assurance_reasons", ())),
            required_assurance=Assurance(required) if required else None,
            identity=Identity(
                **{k: identity.get(k) for k in ("submission_id", "phase", "organisation", "model", "functional_unit")},
                functional_unit_count=identity.get("functional_unit_count"),
            ),
            figures=tuple(Figure.from_json(f) for f in data.get("figures", ())),
            error=data.get("error"),
            nodes=NodeTable.from_json(data["nodes"]) if isinstance(data.get("nodes"), Mapping) else None,
        )


__all__ = ["Assurance", "Audit", "Figure", "Identity", "Provenance"]
