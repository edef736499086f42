# mypy: disable-error-code="no-untyped-call"
"""Red-team ``une-eval verify`` on the revisions a long-term certificate may carry after its signature.

A B-LT or B-LTA certificate is allowed later revisions (validation data, document timestamps), which
is where a forger works: each forgery below is a real update to a real signed certificate, and each
must get the exact answer (FAILED or INDETERMINATE, its exit code, the check and reason that decide)
with nothing read from the forged revision. ``renew`` must refuse every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic

from tests.unit.report import pdf_hostile as hostile
from tests.unit.report import pdf_redteam as red
from tests.unit.report import pdf_updates as upd
from tests.unit.report.conftest import ISSUED_AT, VALID, Pki, Poppler
from tests.unit.report.pdf_surgery import BYTE_RANGE
from tests.unit.report.tsa import local_tsa
from une_eval.errors import SigningError
from une_eval.report.content import prepare
from une_eval.report.indication import Indication
from une_eval.report.issue import Issued, issue_certificate
from une_eval.report.render import Renderer
from une_eval.report.renew import renew, renewal_context
from une_eval.report.revisions import MAX_LATER_REVISIONS
from une_eval.report.sign import Level, auditor_of, sign_pdf, validation_context_for
from une_eval.report.verify import Verification, verify_bytes


def _issue(pki: Pki, renderer: Renderer, level: Level) -> bytes:
    return issue_certificate(
        VALID,
        renderer=renderer,
        signer=pki.signer,
        lang="en",
        number=f"UEC-RED-{level.name}",
        issued_at=ISSUED_AT,
        timestamper=local_tsa(pki.paths),
        level=level,
        validation=validation_context_for(pki.signer, pki.crls, fetch=False),
    ).pdf


@pytest.fixture(scope="module")
def long_term(pki: Pki, renderer: Renderer) -> dict[str, bytes]:
    return {"B-LT": _issue(pki, renderer, Level.B_LT), "B-LTA": _issue(pki, renderer, Level.B_LTA)}


def _failed(report: Verification) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


@dataclass(frozen=True)
class Attack:
    """A forgery on a long-term certificate and the answer verify must give."""

    name: str
    forge: Callable[[bytes], bytes]
    why: str  # in the deciding check's detail
    check: str = "covers whole file"
    indication: Indication = Indication.FAILED
    sub: str = "UNSIGNED_CONTENT"


def _unreadable(name: str, forge: Callable[[bytes], bytes], why: str) -> Attack:
    return Attack(name, forge, why, "readable PDF", Indication.INDETERMINATE, "FORMAT_FAILURE")


_ZERO = generic.NumberObject(0)
ATTACKS = [
    # one object, two xref entries: pyHanko keeps the last, poppler the first
    Attack("listed-twice-forged-first", red.listed_twice("forged-first"), "lists object"),
    Attack("listed-twice-forged-last", red.listed_twice("forged-last"), "lists object"),
    _unreadable("listed-twice-in-xref-stream", red.listed_twice_in_stream, "(AssertionError)"),  # pyHanko refuses it
    Attack("hybrid-xref-stream", red.hybrid_section, "hybrid cross-reference section"),
    Attack("startxref-off-by-white-space", red.xref_off_by_white_space, "no cross-reference table where the file says"),
    Attack("info-in-object-stream", red.info_in_object_stream, "stores objects in an object stream"),
    Attack("unused-object-stream", red.unused_object_stream, "an object stream"),
    Attack("entry-where-nothing-is-written", red.listed_not_written, "cannot be read (ObjectHeaderReadError)"),
    Attack("entry-into-the-signed-bytes", red.relisted_signed_object, "where it is not written"),
    # object headers no cross-reference section lists, spaced as lexers allow
    Attack("hidden-header-indented", red.hidden_header(b"  {} {} {}"), "no cross-reference section lists"),
    Attack("hidden-header-comment", red.hidden_header(b"{} %c\n{} {}"), "no cross-reference section lists"),
    Attack("hidden-header-vertical-tab", red.hidden_header(b"{}\x0b{}\x0b{}"), "no cross-reference section lists"),
    Attack("hidden-header-after-token", red.hidden_header(b">> {} {} {}"), "no cross-reference section lists"),
    # fields shaped like a document timestamp's, with more in them
    Attack("timestamp-field-javascript", upd.pyhanko_update(upd.field_with_actions), "with /AA"),
    Attack(
        "timestamp-field-freetext",
        upd.pyhanko_update(upd.timestamp_field(subtype="/FreeText", Contents=generic.TextStringObject(red.MARKER))),
        "with /Contents",
    ),
    Attack("timestamp-field-stamp", upd.pyhanko_update(upd.timestamp_field(subtype="/Stamp")), "not a named widget"),
    Attack(
        "timestamp-field-kids",
        upd.pyhanko_update(upd.timestamp_field(Kids=generic.ArrayObject())),
        "with /Kids",
    ),
    Attack(
        "timestamp-unknown-subfilter",
        upd.pyhanko_update(upd.timestamp_field(sub_filter="/Une.Forged", named=True)),
        "and 1 signature field(s) of a kind verify cannot check",
        "one signature",
        sub="FORMAT_FAILURE",
    ),
    Attack(
        "timestamp-field-mk",
        upd.pyhanko_update(upd.timestamp_field(MK=red.pdf_dict(BG=generic.ArrayObject([_ZERO])))),
        "with /MK",
    ),
    # the catalogue, the form, the trailer
    Attack("open-action", upd.pyhanko_update(upd.catalogue("/OpenAction", upd.open_action)), "changes its /OpenAction"),
    Attack("names-replaced", upd.pyhanko_update(upd.catalogue("/Names", upd.more_attachments)), "changes its /Names"),
    Attack("acroform-need-appearances", upd.pyhanko_update(upd.form_needs_appearances), "changes its /NeedAppearances"),
    Attack("new-root", red.new_root, "points the trailer's /Root elsewhere"),
    # USF in a later revision: the signature dictionary again, its /Contents nonsense (pyHanko reads the
    # latest version of it and cannot parse it: the file cannot be checked)
    _unreadable("signature-contents-zeros", red.signature_redefined(b"<" + b"00" * 64 + b">"), "ContentInfo"),
    _unreadable("signature-contents-odd-hex", red.signature_redefined(b"<3082F>"), "Insufficient data"),
    _unreadable("signature-contents-null", red.signature_redefined(b"null"), "/Contents must be string-like"),
    # hostile files: each ends with one reason, in bounded time and memory
    Attack("too-many-revisions", hostile.many_revisions(MAX_LATER_REVISIONS + 1), "at most 16 are expected"),
    _unreadable("hundred-revisions", hostile.many_revisions(100), "more than 64 cross-reference sections"),
    _unreadable("prev-loop", hostile.prev_loop, "loop"),
    _unreadable("prev-forward", hostile.prev_forward, "PdfReadError"),
    _unreadable("deep-trailer", hostile.deep_trailer(100_000), "RecursionError"),
    _unreadable("huge-xref-subsection", hostile.huge_subsection, "not a readable signed PDF"),
    _unreadable("xref-stream-bomb", hostile.xref_stream_bomb, "PdfDecodeLimitError"),
    _unreadable("zero-width-xref-entries", hostile.zero_width_xref(5_000_000), "declare more than 100000 objects"),
    _unreadable("long-xref-table", hostile.long_table(200_000), "declare more than 100000 objects"),
    _unreadable("crl-bombs", upd.pyhanko_update(hostile.crl_bombs(40, 4_000_000)), "PdfDecodeLimitError"),
]


@pytest.fixture(scope="module")
def outcomes(long_term: dict[str, bytes], pki: Pki) -> Callable[[Attack, str], tuple[bytes, Verification]]:
    cache: dict[tuple[str, str], tuple[bytes, Verification]] = {}

    def get(attack: Attack, level: str) -> tuple[bytes, Verification]:
        if (attack.name, level) not in cache:
            forged = attack.forge(long_term[level])
            cache[attack.name, level] = forged, verify_bytes(forged, pki.roots, crls=pki.crls)
        return cache[attack.name, level]

    return get


def test_the_certificates_attacked_verify(long_term: dict[str, bytes], pki: Pki) -> None:
    for level, pdf in long_term.items():
        report = verify_bytes(pdf, pki.roots, crls=pki.crls)
        assert report.indication is Indication.PASSED, _failed(report)
        assert report.level == level


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_redteam_forgery_gets_its_exact_answer(
    outcomes: Callable[[Attack, str], tuple[bytes, Verification]], attack: Attack, level: str
) -> None:
    _, report = outcomes(attack, level)
    failed = _failed(report)
    assert report.indication is attack.indication, failed
    assert report.indication.exit_code == {Indication.FAILED: 1, Indication.INDETERMINATE: 2}[attack.indication]
    assert report.sub_indication == attack.sub, failed
    assert report.deciding is not None
    assert report.deciding.name == attack.check, failed
    assert attack.why in report.deciding.detail, failed
    assert "\n" not in report.sentence
    assert len(report.sentence) < 600
    assert report.printed == {}  # nothing is read from a file whose layout does not hold


def test_the_duplicate_entry_forgery_works_in_poppler(
    outcomes: Callable[[Attack, str], tuple[bytes, Verification]], poppler: Poppler
) -> None:
    """Why it matters: poppler shows the forged page (its first entry), pyHanko reads the genuine one."""
    attack = ATTACKS[0]
    for level in ("B-LT", "B-LTA"):
        forged, report = outcomes(attack, level)
        assert red.MARKER in poppler.text(forged)
        assert "Signature is Valid." in poppler.sig(forged)
        assert report.indication is Indication.FAILED


def test_a_signature_dictionary_rewritten_after_signing_fails(long_term: dict[str, bytes], pki: Pki) -> None:
    """Same /Contents and /ByteRange, a new signer /Name: pyHanko now dates the signature to the forged revision."""
    reasons = {
        "B-LT": ("covers whole file", "after the signed ranges: something was added after signing"),
        "B-LTA": ("one signature", "exactly one signature, timestamps after it"),
    }
    for level, pdf in long_term.items():
        report = verify_bytes(red.signature_redefined(None, signer=red.MARKER)(pdf), pki.roots, crls=pki.crls)
        assert report.indication is Indication.FAILED
        assert report.deciding is not None
        assert (report.deciding.name, reasons[level][1] in report.deciding.detail) == (reasons[level][0], True)
        assert report.printed == {}


@pytest.mark.parametrize("as_dss", [False, True], ids=["retyped-vri", "named-as-dss"])
def test_the_document_timestamp_widget_cannot_be_redrawn(
    long_term: dict[str, bytes], pki: Pki, poppler: Poppler, as_dss: bool
) -> None:
    """Objects added after signing may be rewritten only as the validation data they were: a timestamp's
    widget that claims to be a VRI dictionary (or the DSS) would otherwise carry a page-sized appearance."""
    forged = upd.pyhanko_update(upd.redrawn_timestamp_widget(as_dss=as_dss))(long_term["B-LTA"])
    assert red.MARKER in poppler.text(forged)  # poppler draws the forged appearance over the page
    report = verify_bytes(forged, pki.roots, crls=pki.crls)
    assert report.indication is Indication.FAILED, _failed(report)
    assert report.sub_indication == "UNSIGNED_CONTENT"
    assert "is neither the DSS nor a VRI dictionary in both revisions" in _failed(report)["covers whole file"]
    context = renewal_context(pki.roots, pki.crls, [], fetch=False)
    with pytest.raises(SigningError, match="this one is FAILED"):
        renew(forged, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context)


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_a_genuine_timestamp_whose_widget_runs_javascript_fails(
    long_term: dict[str, bytes], pki: Pki, level: str
) -> None:
    """The document timestamp is real and trusted (what renew adds); only its widget's /AA is the forger's."""
    forged = upd.real_timestamp_with_actions(local_tsa(pki.paths))(long_term[level])
    report = verify_bytes(forged, pki.roots, crls=pki.crls)
    assert report.indication is Indication.FAILED, _failed(report)
    assert report.sub_indication == "UNSIGNED_CONTENT"
    assert "adds a signature field with /AA" in _failed(report)["covers whole file"]


RENEW_REFUSES = [a for a in ATTACKS if a.name.startswith(("listed-twice", "hidden-header", "timestamp-field"))]


@pytest.mark.parametrize("attack", RENEW_REFUSES, ids=[a.name for a in RENEW_REFUSES])
def test_renew_refuses_the_forgery(
    outcomes: Callable[[Attack, str], tuple[bytes, Verification]], pki: Pki, attack: Attack
) -> None:
    forged, _ = outcomes(attack, "B-LTA")
    context = renewal_context(pki.roots, pki.crls, [], fetch=False)
    with pytest.raises(
        SigningError, match=r"only a certificate that verifies can be renewed; this one is (FAILED|INDETERMINATE)"
    ):
        renew(forged, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context)


@pytest.mark.parametrize(
    ("name", "code"), [("listed-twice-forged-first", 1), ("xref-stream-bomb", 2), ("prev-loop", 2)]
)
def test_the_command_line_answers_in_one_line_with_its_exit_code(
    outcomes: Callable[[Attack, str], tuple[bytes, Verification]], pki: Pki, tmp_path: Path, name: str, code: int
) -> None:
    from click.testing import CliRunner

    from une_eval.cli import main

    forged, _ = outcomes(next(a for a in ATTACKS if a.name == name), "B-LTA")
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    args = ["verify", str(path), "--trust", str(pki.paths.ca_cert), "--crl", str(pki.paths.ca_crl)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("FAILED UNSIGNED_CONTENT" if code == 1 else "INDETERMINATE FORMAT_FAILURE")
    renewed = CliRunner().invoke(
        main,
        [
            "renew",
            str(path),
            "--tsa-url",
            "http://127.0.0.1:9/",
            "--trust",
            str(pki.paths.ca_cert),
            "-o",
            str(tmp_path / "r.pdf"),
        ],
    )
    assert renewed.exit_code == 2, renewed.output
    assert "Traceback" not in renewed.output
    assert not (tmp_path / "r.pdf").exists()


# --- one signature: B-B certificates -------------------------------------------------------------------


def _unsigned(pki: Pki, renderer: Renderer) -> bytes:
    return renderer.render(prepare(VALID), number="UEC-RED-PLANT", auditor=auditor_of(pki.signer), lang="en").pdf


def test_a_second_signature_pyhanko_cannot_read_fails(pki: Pki, renderer: Renderer, poppler: Poppler) -> None:
    """A filled signature field with a /SubFilter pyHanko skips (it only logs it) and a forged signer name,
    planted before the auditor signs: poppler lists it as a signature, so verify must count it too."""
    planted = upd.pyhanko_update(upd.planted_signature)(_unsigned(pki, renderer))
    pdf = sign_pdf(planted, pki.signer, reason="test")
    assert "Signature #2" in poppler.sig(pdf)
    report = verify_bytes(pdf, pki.roots, crls=pki.crls)
    assert report.indication is Indication.FAILED, _failed(report)
    assert report.sub_indication == "FORMAT_FAILURE"
    assert report.deciding is not None
    assert report.deciding.name == "one signature"
    assert "1 signature field(s) of a kind verify cannot check" in report.deciding.detail


IN_PLACE = {  # same-length edits of a B-B certificate's signature dictionary, and the check that decides
    "contents-zeroed": (lambda d: _zero_contents(d), "readable PDF", Indication.INDETERMINATE),
    "byterange-one-short": (lambda d: _shorten_byte_range(d), "covers whole file", Indication.FAILED),
    "second-eof": (lambda d: d + b"%%EOF\n", "readable PDF", Indication.INDETERMINATE),
}


def _zero_contents(pdf: bytes) -> bytes:
    _, a, b, _ = (int(v) for v in BYTE_RANGE.findall(pdf)[-1])
    return pdf[: a + 1] + b"0" * (b - a - 2) + pdf[b - 1 :]


def _shorten_byte_range(pdf: bytes) -> bytes:
    match = list(BYTE_RANGE.finditer(pdf))[-1]
    values = [int(v) for v in match.groups()]
    text = b"/ByteRange [%d %d %d %d]" % (*values[:3], values[3] - 1)
    old = pdf[match.start() : match.end()]
    return pdf[: match.start()] + text.ljust(len(old)) + pdf[match.end() :]


@pytest.mark.parametrize("edit", sorted(IN_PLACE))
def test_in_place_signature_edits_do_not_verify(conformant_en: Issued, pki: Pki, edit: str) -> None:
    forge, check, indication = IN_PLACE[edit]
    report = verify_bytes(forge(conformant_en.pdf), pki.roots, crls=pki.crls)
    assert report.indication is indication, _failed(report)
    assert report.deciding is not None
    assert report.deciding.name == check, _failed(report)
    assert report.printed == {}
