"""une-eval: validate, measure and certify the energy efficiency of AI training and inference."""

from une_eval.errors import (
    InputError,
    ProtocolError,
    ReportError,
    SensorError,
    SigningError,
    SpecError,
    UneEvalError,
)
from une_eval.findings import Finding, Outcome, Severity, Verdict

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "InputError",
    "Outcome",
    "ProtocolError",
    "ReportError",
    "SensorError",
    "Severity",
    "SigningError",
    "SpecError",
    "UneEvalError",
    "Verdict",
    "__version__",
]
