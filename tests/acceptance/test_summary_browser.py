"""The audit dashboard in a real browser: Debian's Chromium, headless, driven by Selenium, at 1366 x 768.

The summary of every bundled fixture (valid, invalid, evidence, bad input) in each language: it fits the
window without horizontal scrolling, its own style and script run under its Content-Security-Policy,
the reason a file could not be checked is on screen, and filtering, sorting and opening a file's
findings work offline. With ``UNE_EVAL_SCREENSHOTS=folder`` the test saves each page's screenshot there
(``docs/img/summary-<lang>.png`` are made this way).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from une_eval.report.language import languages
from une_eval.validation.batch import check_many
from une_eval.validation.scan import scan
from une_eval.validation.summary import render_html

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "fixtures" / name for name in ("valid", "invalid", "evidence", "bad-input")]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1366, 768


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_window_size(WIDTH, HEIGHT)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    verdicts = [a.to_json() for a in check_many(list(scan(FOLDERS).files), jobs=1)]
    folder = tmp_path_factory.mktemp("summary")
    out = {}
    for lang in languages():
        path = folder / f"summary-{lang}.html"
        path.write_bytes(render_html(verdicts, lang=lang))
        out[lang] = path
    return out


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("lang", languages())
def test_the_dashboard_fits_the_screen_and_works_offline(browser: WebDriver, pages: dict[str, Path], lang: str) -> None:
    browser.get(pages[lang].as_uri())
    inner = browser.execute_script("return window.innerWidth")
    assert inner == browser.execute_script("return document.documentElement.clientWidth") or inner >= 1300
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
    # The page's own style and script ran (the policy allowed them by hash); nothing else was asked for.
    assert browser.execute_script("return getComputedStyle(document.getElementById('files')).tableLayout") == "fixed"
    shown = browser.find_element(By.ID, "shown")
    total = len(browser.find_elements(By.CSS_SELECTOR, "tbody.file"))
    assert shown.text.endswith(str(total))
    logs = cast(Any, browser).get_log("browser")  # Chrome's driver has it; the base class does not say so
    assert not [entry for entry in logs if "Content Security Policy" in entry["message"]], logs
    # Every file is one line tall; the reason a file could not be checked is on screen, within the width.
    heights = browser.execute_script(
        "return Array.from(document.querySelectorAll('tbody.file > tr:first-child')).map(r => r.offsetHeight)"
    )
    assert max(heights) <= min(heights) + 1
    error = browser.find_element(By.CSS_SELECTOR, "tbody.file[data-verdict='error'] td.reason")
    assert error.text.strip()
    assert error.rect["x"] + error.rect["width"] <= inner
    shot = browser.get_screenshot_as_png()
    assert _png_size(shot) == (WIDTH, browser.execute_script("return window.innerHeight"))
    if path := os.environ.get("UNE_EVAL_SCREENSHOTS"):  # for docs/img: the top of the page, a little taller
        browser.set_window_size(WIDTH, 1100)
        tall = browser.get_screenshot_as_png()
        browser.set_window_size(WIDTH, HEIGHT)
        assert _png_size(tall)[0] == WIDTH
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / f"summary-{lang}.png").write_bytes(tall)
    # Filter by text, then by verdict.
    query = browser.find_element(By.ID, "q")
    query.send_keys("runs.cv")
    visible = browser.execute_script("return document.querySelectorAll('tbody.file:not([hidden])').length")
    assert 0 < visible < total
    assert shown.text.startswith(str(visible)) or str(visible) in shown.text
    query.clear()
    browser.execute_script("document.getElementById('q').dispatchEvent(new Event('input'))")
    browser.execute_script(
        "var s = document.getElementById('fv'); s.value = 'error'; s.dispatchEvent(new Event('change'))"
    )
    verdicts = browser.execute_script(
        "return Array.from(document.querySelectorAll('tbody.file:not([hidden])')).map(b => b.dataset.verdict)"
    )
    assert verdicts
    assert set(verdicts) == {"error"}
    browser.execute_script("var s = document.getElementById('fv'); s.value = ''; s.dispatchEvent(new Event('change'))")
    # Sort by errors, most first (second click).
    header = browser.find_element(By.CSS_SELECTOR, "th[data-key='errors']")
    header.click()
    header.click()
    errors = browser.execute_script(
        "return Array.from(document.querySelectorAll('tbody.file')).map(b => parseFloat(b.dataset.errors))"
    )
    assert errors == sorted(errors, reverse=True)
    # A file's findings fold out under its line.
    button = browser.find_element(By.CSS_SELECTOR, "tbody.file button.open")
    detail = button.find_element(By.XPATH, "./ancestor::tbody/tr[@class='detail']")
    assert not detail.is_displayed()
    button.click()
    assert detail.is_displayed()
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
