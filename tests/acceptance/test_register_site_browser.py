"""The register's public page in a real browser: Debian's Chromium, headless, driven by Selenium.

As a member of the public meets it: scan the certificate's QR code (decoded from the PDF), open the
page, read the status, drop the genuine PDF and a modified one. Then the body suspends and withdraws
the certificate on the command line and the page follows. With ``UNE_EVAL_SCREENSHOTS=folder`` the
test also saves a screenshot of the page in each status there (docs/img/ holds the published ones).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.unit.registry.qr import qr_payload
from tests.unit.registry.records_factory import entry, sha
from une_eval.registry.db import parse_location
from une_eval.registry.store import open_register

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ENV = {**os.environ, "UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase", "SE_OFFLINE": "true"}
ENV.pop("UNE_EVAL_REGISTRY", None)


def une_eval(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "une_eval", *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1000,2000",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "es-ES,es"})  # a visitor in Spain
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A register, `une-eval serve` on a free port, and a certificate issued with the site's URL."""
    folder = tmp_path_factory.mktemp("register-site")
    db = folder / "register.sqlite"
    une_eval("registry", "init", "--db", str(db))
    une_eval("keys", "init", "--dir", str(folder / "keys"))
    server = subprocess.Popen(
        [sys.executable, "-m", "une_eval", "serve", "--db", str(db), "--port", "0", "--quiet"],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    first = server.stdout.readline()
    base = first.split(" at ", 1)[1].split("/ ", 1)[0] if " at " in first else ""
    assert base.startswith("http://127.0.0.1:"), first + (server.stderr.read() if server.stderr else "")
    pdf = folder / "certificate.pdf"
    une_eval("certify", str(VALID), "--key", str(folder / "keys" / "auditor.p12"), "--lang", "es",
             "--db", str(db), "--registry-url", base, "-o", str(pdf))  # fmt: skip
    try:
        yield base, db, pdf
    finally:
        server.terminate()
        server.communicate(timeout=20)


def status_of(driver: WebDriver) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    article = driver.find_element(By.CSS_SELECTOR, "article.certificate")
    word = driver.find_element(By.CSS_SELECTOR, ".status-word").text
    return str(article.get_attribute("data-status")), str(word)


def check_result(driver: WebDriver) -> tuple[str, str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    result = driver.find_element(By.ID, "pdf-result")
    WebDriverWait(driver, 20).until(lambda _: result.get_attribute("data-result") in ("match", "mismatch", "error"))
    return str(result.get_attribute("data-result")), str(result.text)


def screenshot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("UNE_EVAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"register-page-{name}.png"))


def test_the_qr_code_opens_the_page_and_a_dropped_pdf_is_checked_in_the_browser(
    browser: WebDriver, site: tuple[str, Path, Path], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, db, pdf = site
    url = qr_payload(pdf, tmp_path)
    assert url.startswith(base + "/c/UEC-")
    browser.get(url)
    assert status_of(browser) == ("active", "Vigente")
    assert "active" in browser.find_element(By.CSS_SELECTOR, ".status-name").text
    color = browser.find_element(By.ID, "status").value_of_css_property("border-left-color")
    assert color in ("rgba(27, 127, 59, 1)", "rgb(27, 127, 59)")  # the green of an active certificate
    browser.find_element(By.ID, "pdf-file").send_keys(str(pdf))
    kind, text = check_result(browser)
    assert kind == "match"
    assert "Auténtico" in text
    assert "Vigente (active)" in text
    screenshot(browser, "active")

    modified = tmp_path / "modified.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the file
    modified.write_bytes(bytes(data))
    browser.refresh()
    # Drop the modified file on the drop zone, as a visitor drags it from their file manager.
    browser.execute_script(
        "const i = document.createElement('input'); i.type = 'file'; i.id = 'drag-source';document.body.appendChild(i);"
    )
    browser.find_element(By.ID, "drag-source").send_keys(str(modified))
    browser.execute_script(
        "const dt = new DataTransfer(); dt.items.add(document.getElementById('drag-source').files[0]);"
        "document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));"
    )
    kind, text = check_result(browser)
    assert kind == "mismatch"
    assert "NO coincide" in text
    assert hashlib.sha256(modified.read_bytes()).hexdigest() in text  # the hash the browser computed

    number = url.rsplit("/", 1)[1]
    une_eval("registry", "suspend", number, "--db", str(db), "--reason", "reclamación en estudio")
    browser.get(url + "?lang=en")
    assert status_of(browser) == ("suspended", "Suspended")
    assert "reclamación en estudio" in browser.find_element(By.CSS_SELECTOR, "table.history").text
    screenshot(browser, "suspended")
    une_eval("registry", "withdraw", number, "--db", str(db), "--reason", "false declaration")
    browser.get(url)
    assert status_of(browser) == ("withdrawn", "Retirado")
    screenshot(browser, "withdrawn")


def test_expired_and_superseded_pages(browser: WebDriver, site: tuple[str, Path, Path]) -> None:
    base, db, _ = site
    long_ago = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=400)
    with open_register(parse_location(str(db))) as reg:
        for number, when, supersedes in (
            ("UEC-20251022-EXPIRED", long_ago, None),
            ("UEC-20251022-OLD", long_ago, None),
            ("UEC-20251023-NEW", long_ago + dt.timedelta(days=1), "UEC-20251022-OLD"),
        ):
            reg.reserve(entry(number, issued_at=when, days=3650 if supersedes else 365, supersedes=supersedes),
                        actor="Marta Ruiz", now=when)  # fmt: skip
            reg.activate(number, sha(number), actor="Marta Ruiz", now=when)
    browser.get(f"{base}/c/UEC-20251022-EXPIRED?lang=es")
    assert status_of(browser) == ("expired", "Caducado")
    screenshot(browser, "expired")
    browser.get(f"{base}/c/UEC-20251022-OLD?lang=en")
    assert status_of(browser) == ("superseded", "Superseded")
    screenshot(browser, "superseded")
    from selenium.webdriver.common.by import By

    browser.find_element(By.LINK_TEXT, "UEC-20251023-NEW").click()
    assert status_of(browser) == ("active", "Active")
    assert shutil.which("chromium") or CHROMIUM.exists()
