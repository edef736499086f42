"""Bringing vendors' measurements in: ``une-eval import`` from the tools they already use.

A source (a file or a folder) is recognised from its content (:mod:`.formats`), read through
:class:`~une_eval.importers.source.Source` (confined to the folder given, bounded, hashed), and
converted by its format's module into a :class:`~une_eval.importers.draft.Draft`: every value in our
units with its origin, samples as traces, suspicious content as ``import.*`` findings, nothing
invented. :func:`~une_eval.importers.run.import_source` writes the draft (``submission.json`` and its
traces) and :mod:`.supply` lists, per profile, what the vendor still has to supply.

- :mod:`.units`: the conversion tables (an unknown unit is an error).
- :mod:`.source`, :mod:`.draft`, :mod:`.formats`, :mod:`.run`, :mod:`.supply`: the frame.
- one module per source format: :mod:`.mlperf`, :mod:`.codecarbon`, ...
"""
