"""The dashboard in a real browser: `ropa dashboard` (the real CLI, in a subprocess) and
Debian's Chromium through Playwright (issue 6).

Every page is opened, its key content checked and a screenshot saved into the folder named
by ``ROPA_ARTIFACTS`` (else ``build/dashboard-screenshots/``, which git ignores; the path is
printed), kept after the run for a person (or CI) to look at. Chromium comes from
``bash scripts/chromium.sh``; without it the tests skip, except under ``CI=true``, where they
fail. ``ROPA_UPDATE_SCREENSHOTS=1`` also rewrites docs/screenshots/flows.png.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from checker.check.run import check
from checker.graph.build import build
from checker.views.flows import FlowFilter
from checker.views.model import Model, load_model

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = Path(os.environ.get("ROPA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"


def require_chromium() -> None:
    """Skip without Chromium, but fail in CI: there the browser test must run."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: run `bash scripts/chromium.sh`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dashboard(*paths: str, cwd: Path, log: Path) -> Iterator[str]:
    """Run ``ropa dashboard PATHS --port N`` until the block ends; yield its address."""
    port = free_port()
    with log.open("w", encoding="utf-8") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "checker", "dashboard", *paths, "--port", str(port)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            start_new_session=True,  # its own process group: stopped as one below
        )
        try:
            health = f"http://127.0.0.1:{port}/_stcore/health"
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, f"ropa dashboard ended: {log.read_text()}"
                assert time.monotonic() < deadline, f"no answer from {health}: {log.read_text()}"
                try:
                    with urllib.request.urlopen(health, timeout=2) as answer:
                        if answer.read() == b"ok":
                            break
                except OSError:
                    time.sleep(0.2)
            assert server.stdout is not None
            address = server.stdout.readline().strip()
            assert address == f"http://127.0.0.1:{port}/", "ropa dashboard prints its address"
            yield address
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("ROPA_ARTIFACTS") or ROOT / "build" / "dashboard-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\ndashboard screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard of the shipped register, started once for the module."""
    if not CHROMIUM.exists():
        yield ""
        return
    log = tmp_path_factory.mktemp("server") / "dashboard.log"
    with dashboard(cwd=ROOT, log=log) as address:
        yield address


@pytest.fixture(scope="module")
def model() -> Model:
    """The shipped register's views, for what the pages must show."""
    return load_model([])


#: Each page's address and title, the plotly charts it shows (Plotly loads lazily: they
#: appear after the script has run) and the SVG flow maps (put in by the map's component).
PAGES = {
    "flows": ("Data flows", 0, 1),
    "matrix": ("Who holds what", 1, 0),
    "journey": ("A person's journey", 0, 0),
    "activities": ("Processing activities", 0, 0),
    "retention": ("Retention", 1, 0),
    "findings": ("Findings", 1, 0),
    "query": ("SPARQL console", 0, 0),
    "notice": ("Privacy notice", 0, 0),
}

#: The flow map's SVG in the page (dashboard/map_svg.py, put in by ropa_ui.show_map).
MAP = ".ropa-flow-map svg.rm-map"


def settle(page: Any, charts: int = 0, maps: int = 0) -> None:
    """Wait until the script has run, ``charts`` visible plotly charts are drawn and
    ``maps`` flow maps are in the page."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"] h1', timeout=120_000
    )
    page.wait_for_function(
        """([charts, maps]) => {
            const shown = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .filter(c => c.offsetParent !== null);
            const drawn = document.querySelectorAll('.ropa-flow-map svg.rm-map [data-key]');
            return shown.length >= charts && shown.every(c => c.querySelector('.main-svg'))
                && (maps === 0 || drawn.length > 0)
                && !document.querySelector('[data-testid^="stSkeleton"], [data-testid="stAppSkeleton"]');
        }""",
        arg=[charts, maps],
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def visit(browser: Any, address: str, path: str, charts: int | None = None) -> Any:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(address + path)
    name = path.split("?", 1)[0] or "flows"
    _, wanted, maps = PAGES.get(name, ("", 0, 0))
    settle(page, wanted if charts is None else charts, maps if charts is None else 0)
    return page


def content(page: Any) -> str:
    """All text of the page, the figures' SVG text included."""
    return " ".join(str(page.evaluate("() => document.body.textContent")).split())


def drawn_labels(page: Any) -> set[str]:
    """The texts of the flow map as the browser has them: node labels, box titles, headings,
    legend (a text's lines joined by a space; hovers left out)."""
    labels = page.evaluate(
        """(map) => [...document.querySelectorAll(map + ' text')].map(t =>
            t.children.length ? [...t.children].map(s => s.textContent).join(' ') : t.textContent)""",
        MAP,
    )
    return {" ".join(str(label).split()) for label in labels}


def map_layout(page: Any) -> dict[str, Any]:
    """Where the browser drew the map's nodes (centres) and boxes (by their full titles), in
    page pixels (y grows downwards), and every clickable key."""
    return dict(
        page.evaluate(
            """(map) => {
                const svg = document.querySelector(map);
                const at = {}, boxes = {};
                for (const g of svg.querySelectorAll('.rm-node')) {
                    const r = g.querySelector('.rm-mark').getBoundingClientRect();
                    at[g.dataset.key.slice(5)] = [r.x + r.width / 2, r.y + r.height / 2];
                }
                for (const g of svg.querySelectorAll('.rm-box')) {
                    const r = g.querySelector('rect').getBoundingClientRect();
                    boxes[g.querySelector('title').textContent] = [r.left, r.right, r.top, r.bottom];
                }
                const keys = [...svg.querySelectorAll('[data-key]')].map(e => e.dataset.key);
                return {at, boxes, keys};
            }""",
            MAP,
        )
    )


def click_map(page: Any, key: str) -> None:
    """Click the flow map's element of ``key`` (a node or a line's marker) where the browser
    drew it, as a person does (scrolled into view first)."""
    mark = page.locator(f'{MAP} [data-key="{key}"] .rm-mark')
    mark.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    box = mark.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def shoot(page: Any, folder: Path, name: str, *, tall: bool = True) -> Path:
    """A screenshot of the whole page (the app scrolls inside its own container, so the
    viewport is made as tall as the content first)."""
    if tall:
        height = page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('section, div')]
                .map(e => e.scrollHeight))"""
        )
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, 8000)})
        page.wait_for_timeout(800)  # the charts resize to the new viewport
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def click_point(page: Any, key: str, chart: int = 0) -> None:
    """Click the point of a chart whose ``customdata`` is ``key`` where Plotly drew it
    (scrolled into view first)."""
    locate = """([key, chart]) => {
        const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[chart];
        const trace = gd.data.find(t => (t.customdata || []).includes(key));
        const i = trace.customdata.indexOf(key);
        const layout = gd._fullLayout, rect = gd.getBoundingClientRect();
        const xa = layout.xaxis, ya = layout.yaxis;
        return {x: rect.left + layout._size.l + xa.l2p(xa.d2l(trace.x[i])),
                y: rect.top + layout._size.t + ya.l2p(ya.d2l(trace.y[i]))};
    }"""
    where = page.evaluate(locate, [key, chart])
    page.evaluate(
        """(y) => {
            let box = document.querySelector('[data-testid="stPlotlyChart"]');
            while (box && !(box.scrollHeight > box.clientHeight
                    && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
                box = box.parentElement;
            }
            (box || document.scrollingElement).scrollBy(0, y - window.innerHeight / 2);
        }""",
        where["y"],
    )
    page.wait_for_timeout(300)
    where = page.evaluate(locate, [key, chart])
    page.mouse.move(where["x"], where["y"])
    page.wait_for_timeout(200)
    page.mouse.click(where["x"], where["y"])


# --- every page, by its address ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_has_its_own_address(
    browser: Any, shipped: str, artifacts: Path, name: str
) -> None:
    require_chromium()
    title, _, _ = PAGES[name]
    page = visit(browser, shipped, name)
    assert page.url == shipped + name, "no redirect: the page lives at its address"
    heading = page.locator("h1").first.text_content() or ""
    assert title in heading
    assert "Page not found" not in content(page)
    shoot(page, artifacts, f"page-{name}", tall=name != "notice")
    page.close()


def test_the_bare_address_opens_flows(browser: Any, shipped: str) -> None:
    require_chromium()
    page = visit(browser, shipped, "?data=pd:IPAddress")
    page.wait_for_url("**/flows?data=*", timeout=60_000)
    assert "Data flows" in content(page)
    chips = page.locator('[data-testid="stMultiSelect"]').first.text_content() or ""
    assert "IP Address" in chips, "the address's filter comes along"
    page.close()


# --- the pages ---------------------------------------------------------------------------------


def test_flows_map_is_grouped_by_the_hierarchy(browser: Any, shipped: str, artifacts: Path) -> None:
    """Issue 18: sources left, recipients right, units in nested boxes by part_of; the map
    is the server's SVG, so the page loads no plotly.js, and nothing from elsewhere (no
    network at run time: not a script, a font or the favicon)."""
    require_chromium()
    page = browser.new_page(viewport=VIEWPORT)
    requests: list[tuple[str, str]] = []
    page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page.goto(shipped + "flows")
    settle(page, 0, 1)
    assert "Data flows" in content(page)
    scripts = [u for kind, u in requests if kind == "script"]
    assert scripts and not [u for u in scripts if "PlotlyChart" in u], "no plotly.js on Flows"
    elsewhere = [u for _, u in requests if not u.startswith((shipped, "blob:", "data:"))]
    assert not elsewhere, f"fetched from elsewhere: {elsewhere}"
    labels = drawn_labels(page)
    for party in (
        "Customer information service",
        "E-services of the customer services",
        "Elisa Oyj",
        "Fonecta Oy",
        "Where the data come from",
        "Who receives them",
    ):
        assert party in labels, f"{party} not drawn"
    drawn = map_layout(page)
    at, boxes = drawn["at"], drawn["boxes"]
    assert at[BASE + "private-customers"][0] < at[BASE + "general-information-service"][0]
    assert at[BASE + "general-information-service"][0] < at[BASE + "elisa"][0]
    (ox0, ox1, oy0, oy1), (ix0, ix1, iy0, iy1) = (
        boxes[t]
        for t in ("Customer services (information services)", "Customer information service")
    )
    assert ox0 < ix0 and ix1 < ox1 and oy0 < iy0 and iy1 < oy1, "one box inside the other"
    x, y = at[BASE + "general-information-service"]
    assert ix0 < x < ix1 and iy0 < y < iy1, "the unit inside its box"
    width = page.evaluate(f"() => document.querySelector('{MAP}').getBoundingClientRect().width")
    main = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').clientWidth"
    )
    assert width > 0.8 * main, "the map is as wide as the page"
    shoot(page, artifacts, "flows")
    page.close()


def test_flows_ip_address_path_and_a_click(browser: Any, shipped: str, artifacts: Path) -> None:
    """Done-when: which processors receive IP addresses; a click opens a node's details."""
    require_chromium()
    page = visit(browser, shipped, "flows?data=pd:IPAddress")
    text = content(page)
    reaches = text.split("Processors it reaches:", 1)[1].split("Recipients", 1)[0]
    assert "Elisa Oyj" in reaches and "Fonecta Oy" in reaches
    assert "Paytrail" not in reaches
    # Ultimate.ai anonymises the chatbot discussions; Elisa Desk gets the IP addresses (issue 15).
    assert "Ultimate.ai" not in reaches
    if os.environ.get("ROPA_UPDATE_SCREENSHOTS") == "1":
        save_readme_screenshot(page)
    click_map(page, f"node:{BASE}elisa")
    page.wait_for_selector("h4:has-text('Elisa Oyj')", timeout=60_000)
    settle(page, 0, 1)
    text = content(page)
    assert "Receives from" in text and "Activities on these edges" in text
    selected = page.locator(f"{MAP} [data-selected]").get_attribute("data-key")
    assert selected == f"node:{BASE}elisa", "the map outlines the node clicked"
    shoot(page, artifacts, "flows-ip-address")
    # A line's marker: its hand-overs' details.
    snoobi = f"edge:{BASE}website-visitors {BASE}snoobi-analytics"
    click_map(page, snoobi)
    page.get_by_role("button", name="Close").wait_for(timeout=60_000)
    details = content(page).split("Details", 1)[1]
    assert "website → Snoobi Analytics" in details and "IP Address" in details
    # The keyboard: a node takes the focus, Enter opens it.
    page.locator(f'{MAP} [data-key="node:{BASE}fonecta"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h4:has-text('Fonecta Oy')", timeout=60_000)
    page.close()


def test_flows_exact_match_on_enter(browser: Any, shipped: str, model: Model) -> None:
    """Issue 18: "IP add" and Enter selected all seven fuzzy matches (44 edges, not 25)."""
    require_chromium()
    page = visit(browser, shipped, "flows")
    box = page.locator('[data-testid="stMultiSelect"]').first
    box.locator("input").click()
    page.keyboard.type("IP add")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    settle(page, 0, 1)
    chips = [c.text_content() for c in box.locator("[data-tag]:visible").all()]
    assert len(chips) == 1 and chips[0].startswith("IP Address"), chips
    flt = FlowFilter(data=frozenset({"https://w3id.org/dpv/pd#IPAddress"}))
    edges = model.shown(flt).number_of_edges()  # from the views, not a number typed in
    assert f"and {edges} of {model.flows.number_of_edges()} edges" in content(page)
    page.close()


def save_readme_screenshot(page: Any) -> None:
    """docs/screenshots/flows.png: the Flows page at 1400x1000, from the filters down."""
    page.evaluate(
        """() => {
            const label = [...document.querySelectorAll('label')]
                .find(e => e.textContent.trim().startsWith('Data category'));
            let box = label;
            while (box && !(box.scrollHeight > box.clientHeight
                    && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
                box = box.parentElement;
            }
            (box || document.scrollingElement).scrollBy(0, label.getBoundingClientRect().top - 110);
        }"""
    )
    page.wait_for_timeout(800)
    target = ROOT / "docs" / "screenshots" / "flows.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    print(f"wrote {target}")


def test_matrix_click_opens_the_activities(browser: Any, shipped: str, artifacts: Path) -> None:
    """Issue 18: who holds what; a click on a square opens the activities behind it."""
    require_chromium()
    page = visit(browser, shipped, "matrix")
    assert "Who holds what" in content(page)
    click_point(page, f"cell:{BASE}elisa https://w3id.org/dpv/pd#IPAddress")
    page.wait_for_selector("text=handles", timeout=60_000)
    settle(page, 1)
    text = content(page)
    assert "Elisa Oyj handles IP Address" in text
    links = [a.text_content() or "" for a in page.locator('[data-testid="stPageLink"]').all()]
    assert any("IP addresses" in link for link in links)
    shoot(page, artifacts, "matrix-cell")
    page.close()


def test_journey_of_private_customers(
    browser: Any, shipped: str, artifacts: Path, model: Model
) -> None:
    """Issue 18: a person's journey: what is collected, who receives it, how long it is
    kept, in the register's words."""
    require_chromium()
    trip = model.journey(BASE + "private-customers")
    page = visit(browser, shipped, "journey?subject=private-customers")
    text = content(page)
    assert "Private customers" in text
    for item in ("Personal identity code", "Email Address"):
        assert item in text, item
    assert "Parties concerned" in text
    quotes = {k.quote for s in trip.steps if s.kind == "subject" for k in s.kept if k.quote}
    assert quotes and all(" ".join(q.split()) in text for q in quotes), "retention, quoted"
    assert "Where the register says it" in text
    shoot(page, artifacts, "journey-private-customers")
    page.close()


def test_activities_with_provenance(browser: Any, shipped: str, artifacts: Path) -> None:
    require_chromium()
    page = visit(browser, shipped, "activities?activity=chat-ip-disruption-management")
    text = content(page)
    assert "IP addresses in the web chat service for disruption management" in text
    assert "Where the register description says it" in text
    assert "IP addresses are collected for disruption management" in text
    shoot(page, artifacts, "activities")
    page.close()


def test_retention(browser: Any, shipped: str, artifacts: Path) -> None:
    """Done-when: what is kept indefinitely."""
    require_chromium()
    page = visit(browser, shipped, "retention")
    text = content(page)
    assert "Kept indefinitely" in text and "No retention recorded" in text
    assert "Feedback on accessibility and related replies" in text
    shoot(page, artifacts, "retention")
    page.close()


def test_findings_link_to_their_activity(browser: Any, shipped: str, artifacts: Path) -> None:
    """Done-when: which activities have findings; each finding reaches its activity."""
    require_chromium()
    findings = check(build()).findings
    linked = next(f for f in findings if f.activity)
    page = visit(browser, shipped, "findings")
    text = content(page)
    assert "Activities with findings" in text
    assert linked.rule in text, "the findings-by-rule chart names the rule"
    shoot(page, artifacts, "findings")
    page.close()
    activity = linked.activity.rsplit("/", 1)[-1]
    page = visit(browser, shipped, f"activities?activity={activity}")
    text = content(page)
    assert "finding(s) for this activity" in text and linked.rule in text
    page.close()


def test_query(browser: Any, shipped: str, artifacts: Path) -> None:
    require_chromium()
    page = visit(browser, shipped, "query")
    text = content(page)
    assert "SPARQL console" in text and "row(s) in" in text and "Download CSV" in text
    shoot(page, artifacts, "query")
    page.close()


def test_notice(browser: Any, shipped: str, artifacts: Path) -> None:
    require_chromium()
    page = visit(browser, shipped, "notice")
    assert "Download HTML" in content(page)
    page.wait_for_timeout(1000)
    frames = [f for f in page.frames if f.url.startswith("data:")]
    assert frames, "the notice preview"
    preview = frames[0].content()
    assert "Privacy notice" in preview and "Information missing from the records" in preview
    assert 'id="summary"' in preview and "<details" in preview  # the layered notice
    shoot(page, artifacts, "notice", tall=False)
    page.close()


def test_two_registers_with_an_edge_between_them(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Issue 18: `ropa dashboard A B`: a disclosure of one register that is the source of
    the other is one edge; a register filter."""
    require_chromium()
    paths = [str(FIXTURES / "registers" / name) for name in ("city-helpdesk.ttl", "tax-office.ttl")]
    with dashboard(*paths, cwd=ROOT, log=tmp_path / "dashboard.log") as address:
        page = visit(browser, address, "flows")
        text = content(page)
        assert "Register" in text, "the register filter"
        labels = drawn_labels(page)
        assert {"City of Example", "Example Tax Office", "Resident helpdesk"} <= labels
        assert "between registers" in labels, "the legend names the edge between registers"
        keys = map_layout(page)["keys"]
        joined = ("https://example.org/city/helpdesk", "https://example.org/tax/assessment-unit")
        lines = [k for k in keys if k.startswith("edge:")]
        assert any(" ".join(joined) in k[5:].split("|") for k in lines), (
            "one edge from the City's unit to the Tax Office's"
        )
        assert any("outside the EU/EEA" in label for label in labels)
        shoot(page, artifacts, "flows-two-registers")
        page.close()


def test_an_imported_spreadsheet_cites_its_cells(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Issue 13: an imported record's provenance is its cell, shown on the activity page."""
    require_chromium()
    records = tmp_path / "bakery"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "import",
            str(FIXTURES / "spreadsheets" / "ico-bakery.xlsx"),
            "-o",
            str(records),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with dashboard(str(records), cwd=ROOT, log=tmp_path / "dashboard.log") as address:
        page = visit(browser, address, "activities?activity=payroll")
        text = content(page)
        cell = (
            "Where the spreadsheet says it",
            "sheet 'Template', cell J10",
            "6 years after the end of employment",
        )
        assert all(part in text for part in cell), "the cell, its address and its text"
        shoot(page, artifacts, "activities-spreadsheet-cells")
        page.close()


def test_bad_records_show_an_error_page(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    require_chromium()
    records = tmp_path / "ks"
    shutil.copytree(FIXTURES / "kitchen-sink", records)
    with (records / "data.yaml").open("a", encoding="utf-8") as handle:
        handle.write("activities:\n  - id: [unclosed\n")
    line = (records / "data.yaml").read_text(encoding="utf-8").count("\n") + 1
    with dashboard("ks", cwd=tmp_path, log=tmp_path / "dashboard.log") as address:
        page = visit(browser, address, "", charts=0)
        text = content(page)
        assert "The records could not be loaded" in text
        assert f"ks/data.yaml:{line}" in text and "YAML syntax error" in text
        assert "Traceback" not in text
        shoot(page, artifacts, "bad-records", tall=False)
        page.close()


# --- the command itself ----------------------------------------------------------------------


def test_help_names_the_options() -> None:
    from click.testing import CliRunner

    from checker.cli import main

    result = CliRunner().invoke(main, ["dashboard", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--host" in result.output and "read-only" in result.output


def test_a_busy_port_is_the_servers_error(tmp_path: Path) -> None:
    """Streamlit cannot listen: `ropa dashboard` prints no address and exits with its status."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "checker", "dashboard", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert done.stdout == ""
    assert str(port) in done.stderr


def test_sigterm_stops_the_server_too(tmp_path: Path) -> None:
    """Stopping `ropa dashboard` (its own process only) never leaves Streamlit behind."""
    port = free_port()
    with (tmp_path / "dashboard.log").open("w") as log:
        ropa = subprocess.Popen(
            [sys.executable, "-m", "checker", "dashboard", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        try:
            assert ropa.stdout is not None
            assert ropa.stdout.readline().strip() == f"http://127.0.0.1:{port}/"
            ropa.send_signal(signal.SIGTERM)
            assert ropa.wait(timeout=30) == 0
            with pytest.raises(ProcessLookupError):
                os.killpg(ropa.pid, 0)  # nothing is left in its process group
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(ropa.pid, signal.SIGKILL)
            ropa.wait()
