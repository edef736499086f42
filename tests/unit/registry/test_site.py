"""The public site over HTTP: pages and JSON agree, every status in words, escaping, headers, bad requests."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest

from tests.unit.registry.site_support import HOSTILE, STATUS_NUMBERS, fill, serving

WORDS = {
    "es": {"active": "Vigente", "suspended": "Suspendido", "withdrawn": "Retirado", "expired": "Caducado",
           "superseded": "Sustituido"},
    "en": {"active": "Active", "suspended": "Suspended", "withdrawn": "Withdrawn", "expired": "Expired",
           "superseded": "Superseded"},
}  # fmt: skip


@pytest.fixture
def site(db_url: str) -> Iterator[str]:
    fill(db_url)
    with serving(db_url) as base:
        yield base


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


@pytest.mark.parametrize("lang", ["es", "en"])
def test_each_status_page_shows_the_word_the_english_name_and_agrees_with_the_api(site: str, lang: str) -> None:
    for status, number in STATUS_NUMBERS.items():
        code, _headers, body = get(f"{site}/c/{number}?lang={lang}")
        assert code == 200, number
        html = body.decode()
        assert f'data-status="{status}"' in html
        assert f'class="status-panel status-{status}"' in html
        assert f'<p class="status-word">{WORDS[lang][status]}</p>' in html
        assert f"<code>{status}</code>" in html
        api_code, _api_headers, api_body = get(f"{site}/api/certificates/{number}")
        record = json.loads(api_body)
        assert (api_code, record["status"], record["number"]) == (200, status, number)
        assert record["pdf_sha256"] in html
        assert f'lang="{lang}"' in html
    _, _, body = get(f"{site}/c/{STATUS_NUMBERS['superseded']}?lang=en")
    assert 'href="/c/UEC-20261126-NEW?lang=en"' in body.decode()


def test_language_follows_the_browser_unless_chosen(site: str) -> None:
    number = STATUS_NUMBERS["active"]
    _, _, body = get(f"{site}/c/{number}", {"Accept-Language": "en-GB,en;q=0.9,es;q=0.5"})
    assert '<html lang="en">' in body.decode()
    _, _, body = get(f"{site}/c/{number}", {"Accept-Language": "fr-FR, de;q=0.8"})
    assert '<html lang="es">' in body.decode()
    _, _, body = get(f"{site}/c/{number}?lang=es", {"Accept-Language": "en"})
    assert '<html lang="es">' in body.decode()


def test_vendor_and_auditor_strings_are_escaped(site: str) -> None:
    _, _, body = get(f"{site}/c/{STATUS_NUMBERS['active']}")
    html = body.decode()
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Quotes&#34; &#39;S.L.&#39;" in html
    _, _, body = get(f"{site}/c/{STATUS_NUMBERS['suspended']}")
    assert "complaint &lt;i&gt;under&lt;/i&gt; review" in body.decode()
    _, _, body = get(f"{site}/search?q={quote('<script>')}")
    html = body.decode()
    assert 'value="&lt;script&gt;"' in html
    assert "&lt;script&gt;alert" in html
    assert html.count("<script") == 0  # the search page loads no script at all
    api = json.loads(get(f"{site}/api/certificates/{STATUS_NUMBERS['active']}")[2])
    assert api["subject"]["organisation"] == HOSTILE


def test_every_answer_carries_the_security_headers(site: str) -> None:
    for path in ("/", "/c/UEC-20261126-ACTIVE", "/api/certificates/UEC-20261126-ACTIVE", "/search?q=x",
                 "/static/check.js", "/c/NOPE", "/nowhere", "/c/bad%20number"):  # fmt: skip
        _, headers, _ = get(site + path)
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "python" not in headers["server"].lower()
    _, _, body = get(site + "/c/UEC-20261126-ACTIVE")
    html = body.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert "http://" not in html
    assert "https://" not in html


def test_search_by_number_organisation_and_model(site: str) -> None:
    found = json.loads(get(f"{site}/api/search?q=quotes")[2])
    assert [c["number"] for c in found["certificates"]] == [STATUS_NUMBERS["active"]]
    found = json.loads(get(f"{site}/api/search?q=UEC-20261126-SUSP")[2])
    assert [c["number"] for c in found["certificates"]] == [STATUS_NUMBERS["suspended"]]
    found = json.loads(get(f"{site}/api/search?q={quote('<b>bold')}")[2])
    assert [c["number"] for c in found["certificates"]] == [STATUS_NUMBERS["active"]]
    found = json.loads(get(f"{site}/api/search?q=PENDING")[2])
    assert found["certificates"] == []
    _, _, body = get(f"{site}/search?q=Llama&lang=en")
    assert body.decode().count('href="/c/') == 5  # every public one but the active (its model differs)


def test_pending_unknown_and_malformed_requests(site: str) -> None:
    assert get(f"{site}/c/UEC-20261126-PENDING")[0] == 404
    code, _, body = get(f"{site}/api/certificates/UEC-20261126-PENDING")
    assert (code, json.loads(body)) == (404, {"error": "not_registered", "number": "UEC-20261126-PENDING"})
    code, _, body = get(f"{site}/api/certificates/..%2F..%2Fetc")
    assert (code, json.loads(body)) == (400, {"error": "bad_number"})
    assert get(f"{site}/c/{'A' * 600}")[0] == 414
    assert get(f"{site}/api/search?q={'x' * 101}")[0] == 400
    assert get(f"{site}/api/search?q=%00")[0] == 400
    assert get(f"{site}/search?q=%1b[31m")[0] == 400
    code, headers, _ = get(f"{site}/c/{STATUS_NUMBERS['active']}", method="POST")
    assert (code, headers["allow"]) == (405, "GET, HEAD")
    code, headers, body = get(f"{site}/c/{STATUS_NUMBERS['active']}", method="HEAD")
    assert (code, body) == (200, b"")
    assert int(headers["content-length"]) > 1000


def test_a_number_typed_in_another_case_leads_to_the_certificate_issued(site: str) -> None:
    """A visitor who types a genuine number in lower case must not be told it was not issued."""
    active = STATUS_NUMBERS["active"]
    code, headers, _ = get(f"{site}/c/{active.lower()}?lang=en")
    assert (code, headers["location"]) == (301, f"/c/{active}?lang=en")
    assert "x-content-type-options" in headers  # a redirect carries the security headers too
    assert get(f"{site}{headers['location']}")[0] == 200
    # The API answers for the exact number only (a verifier compares it with the PDF's).
    code, _, body = get(f"{site}/api/certificates/{active.lower()}")
    assert (code, json.loads(body)["error"]) == (404, "not_registered")
    assert get(f"{site}/c/uec-20261126-pending")[0] == 404  # a pending number is never named
    assert get(f"{site}/c/uec-20990101-unknown")[0] == 404


def test_many_readers_at_once(site: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = [f"{site}/api/certificates/{n}" for n in STATUS_NUMBERS.values()] * 8 + [
        f"{site}/c/UEC-20261126-ACTIVE"
    ] * 16

    def fetch(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=20) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(fetch, urls)) == {200}
