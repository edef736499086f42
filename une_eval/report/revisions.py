"""What may follow a certificate's signed revision: validation data (a DSS) and document timestamps, nothing else.

A PAdES B-LT or B-LTA certificate holds revisions after the signed one: one that adds a Document
Security Store (certificates, CRLs, OCSP responses and their VRI entries) and one that adds a
document timestamp in an invisible signature field. :func:`later_revision_problem` checks, object by
object, what each such revision writes, and answers with the first thing that is not one of these
(fail closed): an object of the signed document changed (a page's content, the metadata, an
attachment, the trailer's ``/Info``), anything freed, a visible field, a field that is not a document
timestamp, bytes after the last revision. Checked against the last revision's own file layout, so a
file that only claims revisions it does not have is refused too.

Readers disagree on malformed files, so the later revisions must also be written plainly: each
cross-reference section exactly where the file says, in the standard form, listing each object once
(pyHanko keeps the last of two entries for one object, poppler the first: a forged page could hide
behind the genuine one), no hybrid section, and no object header in the unsigned bytes that no
section lists, however it is spaced (a reader that rebuilds the table would find it). An added
document-timestamp field may carry only a field's and a widget's plain keys: no actions, no
appearance, no kids.
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

# Revisions that may follow the signed one: B-LTA's two (its DSS, its document timestamp) and two per
# renewal (une_eval.report.renew), so seven renewals; a bound on what verify reads in a hostile file.
MAX_LATER_REVISIONS = 16
_EOF_TAIL = re.compile(rb"startxref\s+(\d+)\s+%%EOF(\r\n|\r|\n)?\Z")
# Between the tokens of an object header a PDF lexer skips any white space and comments; a reader
# rebuilding a broken table finds a header anywhere on a line (poppler) or between any tokens (MuPDF).
_TOKEN_GAP = rb"(?>(?:[\x00\t\n\x0b\x0c\r ]|%[^\r\n]*)+)"
_OBJECT_HEADER = re.compile(rb"(\d{1,10})" + _TOKEN_GAP + rb"(\d{1,5})" + _TOKEN_GAP + rb"obj")
_XREF_KEYWORD = re.compile(rb"xref[ \t]*(?:\r\n|\r|\n)")
_XREF_SUBSECTION = re.compile(rb"(\d{1,10}) (\d{1,10})[ \t]*(?:\r\n|\r|\n)")
_XREF_ROWS = re.compile(rb"(?:\d{10} \d{5} [fn](?: \r| \n|\r\n))*")
# What pyHanko writes for a document timestamp's field (and widget) and for its signature value.
_TIMESTAMP_FIELD_KEYS = frozenset({"/Type", "/Subtype", "/FT", "/T", "/TU", "/TM", "/Ff", "/F", "/Rect", "/P", "/V"})
_TIMESTAMP_VALUE_KEYS = frozenset({"/Type", "/Filter", "/SubFilter", "/Contents", "/ByteRange", "/M", "/Prop_Build"})


def _raw(value: Any) -> bytes:
    """A PDF value written out (references as ``N G R``), to compare two revisions' versions of it."""
    out = io.BytesIO()
    value.write_to_stream(out, None)
    return out.getvalue()


def _same_except(old: Any, new: Any, keys: set[str]) -> str | None:
    """Why two dictionaries differ in a key outside ``keys``, or None."""
    if not isinstance(old, generic.DictionaryObject) or not isinstance(new, generic.DictionaryObject):
        return "is not a dictionary in both revisions"
    for key in set(old) | set(new):
        if key in keys:
            continue
        if key not in old or key not in new or _raw(old.raw_get(key)) != _raw(new.raw_get(key)):
            return f"changes its {key}"
    return None


def _items(array: Any) -> list[Any] | None:
    """An array's entries as written (references stay references); None when it is not an array."""
    if not isinstance(array, generic.ArrayObject):
        return None
    return [array.raw_get(i) for i in range(len(array))]


def _grown(old: Any, new: Any) -> list[Any] | str:
    """The entries appended to an array (the old one must be its exact prefix), or why not."""
    old_items = [] if old is None else _items(old)
    new_items = _items(new)
    if old_items is None or new_items is None:
        return "is not an array"
    if [_raw(v) for v in new_items[: len(old_items)]] != [_raw(v) for v in old_items]:
        return "changes existing entries"
    return new_items[len(old_items) :]


def _timestamp_field_problem(ref: Any, revision: int, reader: PdfFileReader) -> str | None:
    """Why an added field/widget is not an invisible document-timestamp field new in ``revision``."""
    if not isinstance(ref, generic.IndirectObject):
        return "adds a direct field"
    if reader.xrefs.get_introducing_revision(ref.reference) != revision:
        return f"adds an existing object {ref.idnum} as a field"
    field = ref.get_object()  # type: ignore[no-untyped-call]
    if not isinstance(field, generic.DictionaryObject) or field.get("/FT") != "/Sig" or "/AP" in field:
        return "adds a field that is not an invisible signature field"
    if extra := sorted(set(field) - _TIMESTAMP_FIELD_KEYS):
        return f"adds a signature field with {' '.join(extra)} (an action, appearance or kids a reader may act on)"
    rect = field.get("/Rect")
    box = [float(v) for v in rect] if isinstance(rect, generic.ArrayObject) and len(rect) == 4 else None
    if box is None or (box[2] - box[0]) * (box[3] - box[1]) != 0:
        return "adds a signature field with a visible area"
    value = field.get("/V")
    value = value.get_object() if value is not None else None
    if not isinstance(value, generic.DictionaryObject) or value.get("/Type") != "/DocTimeStamp":
        return "adds a signature that is not a document timestamp"
    if value.get("/SubFilter") != "/ETSI.RFC3161" or not set(value) <= _TIMESTAMP_VALUE_KEYS:
        return "adds a document timestamp that is not a plain RFC 3161 one (verify would not see it)"
    if field.get("/Subtype") != "/Widget" or field.get("/Type", "/Annot") != "/Annot" or "/T" not in field:
        return "adds a signature field that is not a named widget"
    return None


def _changed_object_problem(ref: Any, revision: int, signed: int, reader: PdfFileReader) -> str | None:
    """Why rewriting the existing object ``ref`` in ``revision`` is not a DSS or timestamp addition."""
    old = reader.get_historical_resolver(revision - 1)(ref)
    new = reader.get_historical_resolver(revision)(ref)
    root = reader.get_historical_resolver(revision).trailer_view.raw_get("/Root")
    acro = reader.get_historical_resolver(revision).root.raw_get("/AcroForm")
    introduced = reader.xrefs.get_introducing_revision(ref)
    if isinstance(root, generic.IndirectObject) and ref == root.reference:
        return _same_except(old, new, {"/DSS"})
    if isinstance(acro, generic.IndirectObject) and ref == acro.reference:
        return _same_except(old, new, {"/Fields"}) or _added_fields(
            old.get("/Fields"), new.get("/Fields"), revision, reader
        )
    if isinstance(new, generic.DictionaryObject) and new.get("/Type") == "/Page":
        return _same_except(old, new, {"/Annots"}) or _added_fields(
            old.get("/Annots"), new.get("/Annots"), revision, reader
        )
    if introduced > signed and isinstance(new, generic.DictionaryObject) and isinstance(old, generic.DictionaryObject):
        # Validation data added after signing, updated again: the DSS before and after (the catalogue's
        # /DSS may be pointed anywhere), or a VRI dictionary before and after (a document timestamp's
        # widget retyped /VRI would otherwise be redrawn at will).
        if _is_dss(reader, revision - 1, ref) and _is_dss(reader, revision, ref):
            return None
        if old.get("/Type") == "/VRI" and new.get("/Type") == "/VRI":
            return None
        return "was added after signing and is neither the DSS nor a VRI dictionary in both revisions"
    return "is an object of the signed document"


def _is_dss(reader: PdfFileReader, revision: int, ref: Any) -> bool:
    root = reader.get_historical_resolver(revision).root
    dss = root.raw_get("/DSS") if "/DSS" in root else None
    return isinstance(dss, generic.IndirectObject) and dss.reference == ref


def _added_fields(old: Any, new: Any, revision: int, reader: PdfFileReader) -> str | None:
    grown = _grown(old, new)
    if isinstance(grown, str):
        return grown
    for item in grown:
        if (problem := _timestamp_field_problem(item, revision, reader)) is not None:
            return problem
    return None


def _trailer_problem(reader: PdfFileReader, revision: int, signed: int) -> str | None:
    then, now = (
        reader.get_historical_resolver(signed).trailer_view,
        reader.get_historical_resolver(revision).trailer_view,
    )
    if "/Encrypt" in now:
        return "adds encryption"
    for key in ("/Root", "/Info"):
        before, after = then.raw_get(key) if key in then else None, now.raw_get(key) if key in now else None
        if (before is None) != (after is None) or (before is not None and _raw(before) != _raw(after)):
            return f"points the trailer's {key} elsewhere"
    return None


def _overlap_problem(ranges: list[tuple[int, int]]) -> str | None:
    """Why the (first, count) subsections list one object twice, or None."""
    ordered = sorted(ranges)
    for (first, count), (after, _) in itertools.pairwise(ordered):
        if first + count > after:
            return f"lists object {after} twice in one cross-reference section"
    return None


def _table_ranges(data: bytes, at: int) -> list[tuple[int, int]] | str:
    """The subsections of the classic cross-reference table at byte ``at``, read strictly, or why not."""
    keyword = _XREF_KEYWORD.match(data, at)
    if keyword is None:
        return "has no cross-reference table where the file says"
    ranges, pos = [], keyword.end()
    while (head := _XREF_SUBSECTION.match(data, pos)) is not None:
        first, count = int(head.group(1)), int(head.group(2))
        end = head.end() + 20 * count
        if end > len(data) or _XREF_ROWS.fullmatch(data, head.end(), end) is None:
            return f"has a cross-reference subsection ({first} {count}) whose entries are not 20-byte rows"
        ranges.append((first, count))
        pos = end
    if not data.startswith(b"trailer", pos):
        return "has a cross-reference table that does not end with its trailer"
    return ranges


def _stream_ranges(stream: Any) -> list[tuple[int, int]] | str:
    """The /Index subsections of a cross-reference stream, or why they cannot be read."""
    if not isinstance(stream, generic.StreamObject):
        return "has a cross-reference stream that is not a stream"
    index = stream.get("/Index")
    values: list[Any] = list(index) if isinstance(index, generic.ArrayObject) else [0, stream.get("/Size")]
    if len(values) % 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        return "has a cross-reference stream whose /Index is not pairs of counts"
    return [(int(values[i]), int(values[i + 1])) for i in range(0, len(values), 2)]


def xref_section_problem(reader: PdfFileReader, data: bytes, revision: int) -> str | None:
    """Why ``revision``'s cross-reference section is misplaced, malformed, hybrid or lists an object twice."""
    info = reader.xrefs.get_xref_container_info(revision)
    if reader.xrefs.get_xref_data(revision).hybrid is not None:
        return "has a hybrid cross-reference section (a table with an /XRefStm)"
    at = info.declared_startxref
    if info.stream_ref is None:
        ranges = _table_ranges(data, at)
    elif info.start_location != at or not data.startswith(
        b"%d %d obj" % (info.stream_ref.idnum, info.stream_ref.generation), at
    ):
        return "has no cross-reference stream where the file says"
    else:
        ranges = _stream_ranges(reader.get_historical_resolver(revision)(info.stream_ref))
    return ranges if isinstance(ranges, str) else _overlap_problem(ranges)


def revision_problem(reader: PdfFileReader, revision: int, signed: int) -> str | None:
    """Why ``revision`` (after the signed one) writes more than a DSS or a document timestamp, or None."""
    xrefs = reader.xrefs
    if xrefs.refs_freed_in_revision(revision):
        return "frees objects"
    if (problem := _trailer_problem(reader, revision, signed)) is not None:
        return problem
    if xrefs.get_xref_data(revision).xrefs_in_objstm:  # validation data is written as plain objects
        return "stores objects in an object stream"
    previous_size = int(reader.get_historical_resolver(revision - 1).trailer_view.get("/Size", 0))
    stream_ref = xrefs.get_xref_container_info(revision).stream_ref
    for ref in sorted(xrefs.explicit_refs_in_revision(revision), key=lambda r: (r.idnum, r.generation)):
        if ref == stream_ref:
            continue
        if xrefs.get_introducing_revision(ref) == revision:
            if ref.idnum < previous_size:  # a number the signed document may already refer to
                return f"defines object {ref.idnum}, a number the document already used"
            if _is_object_stream(reader.get_historical_resolver(revision)(ref)):  # rebuilt tables read them
                return f"adds object {ref.idnum}, an object stream"
            continue
        if (problem := _changed_object_problem(ref, revision, signed, reader)) is not None:
            return f"rewrites object {ref.idnum}, which {problem}"
    return None


def _is_object_stream(value: Any) -> bool:
    return isinstance(value, generic.StreamObject) and value.get("/Type") == "/ObjStm"


def _unlisted_object_problem(reader: PdfFileReader, data: bytes, signed: int, signed_end: int) -> str | None:
    """Why the unsigned bytes after the signed revision and their cross-reference sections disagree.

    A reader that rebuilds a damaged cross-reference table from the objects it finds would show an
    object no section lists, which the checks here never saw; and an entry that points where its
    object is not written is such damage (poppler rebuilds the table when it meets one). So the
    ``N G obj`` headers after the signed revision must be exactly the objects its later sections list.
    """
    listed: set[tuple[int, int, int]] = set()
    for revision in range(signed + 1, reader.xrefs.total_revisions):
        section = reader.xrefs.get_xref_data(revision)
        listed |= {(idnum, gen, offset) for idnum, (gen, offset) in section.standard_xrefs.items()}
        info = reader.xrefs.get_xref_container_info(revision)
        if info.stream_ref is not None:
            listed.add((info.stream_ref.idnum, info.stream_ref.generation, info.start_location))
    written: set[tuple[int, int, int]] = set()
    for match in _OBJECT_HEADER.finditer(data, signed_end):
        offset = match.start(1)
        written.add(found := (int(match.group(1)), int(match.group(2)), offset))
        if found not in listed:
            header = f"{match.group(1).decode()} {match.group(2).decode()} obj at byte {offset}"
            return f"holds an object no cross-reference section lists ({header})"
    if missing := sorted(listed - written, key=lambda entry: entry[2]):
        idnum, gen, offset = missing[0]
        return f"lists object {idnum} {gen} at byte {offset}, where it is not written ({len(missing)} such entries)"
    return None


def later_revision_problem(reader: PdfFileReader, data: bytes, signed: int, signed_end: int) -> str | None:
    """Why the revisions after ``signed`` (ending at byte ``signed_end``) add more than a DSS and timestamps."""
    last = reader.xrefs.total_revisions - 1
    if last - signed > MAX_LATER_REVISIONS:
        return f"{last - signed} revisions follow the signed one (at most {MAX_LATER_REVISIONS} are expected)"
    tail = _EOF_TAIL.search(data[-64:])
    if tail is None or int(tail.group(1)) != reader.xrefs.get_startxref_for_revision(last):
        return "the file does not end with its last revision's startxref and %%EOF: bytes were appended"
    for revision in range(signed + 1, last + 1):
        try:
            problem = xref_section_problem(reader, data, revision) or revision_problem(reader, revision, signed)
        except Exception as exc:  # a mangled update: refuse it, with its reason
            problem = f"cannot be read ({exc.__class__.__name__})"
        if problem is not None:
            return f"revision {revision} after the signature {problem} (only validation data and timestamps may follow)"
    unlisted = _unlisted_object_problem(reader, data, signed, signed_end)
    return f"the file after the signed revision {unlisted}" if unlisted else None


__all__ = ["later_revision_problem", "revision_problem", "xref_section_problem"]
