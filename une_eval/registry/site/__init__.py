"""The public register site that ``une-eval serve`` runs: :mod:`.server` (HTTP) and :mod:`.pages` (HTML)."""
