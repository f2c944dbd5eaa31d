"""The wheel: it ships the vocabulary, shapes and records, and `ropa build` works when installed.

It is installed WITHOUT the optional extra ``dashboard`` (streamlit, plotly): build, check,
query and notice must work without it, and ``ropa dashboard`` must say how to install it.

How it is built and installed, offline where possible:

1. ``python -m build --wheel`` (``build`` is in the dev dependency group), with
   ``--installer uv`` when ``uv`` is on PATH so the isolated build environment's hatchling
   comes from uv's cache; without ``build``, ``uv build --wheel``.
2. A fresh virtual environment in ``tmp_path`` (``uv venv``, else ``python -m venv``).
3. With uv: ``uv pip install --python <venv> -r <requirements> <wheel>``, the requirements
   being ``uv export --frozen`` of ``uv.lock``, so the exact locked versions are installed.
   This is tried ``--offline`` first (uv's cache, filled when ``.venv`` was synced) and then
   online (PyPI), so it works on a fresh CI machine too. Without uv: the venv's pip.
4. Every command of the installed package runs from a folder outside the repository with
   ``PYTHONPATH`` removed, so nothing can be imported from the checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
KITCHEN_SINK = REPO / "tests" / "fixtures" / "kitchen-sink"
UV = shutil.which("uv")
DPV = Namespace("https://w3id.org/dpv#")


def _run(cmd: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", 900)
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=False, **kwargs
    )


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    if importlib.util.find_spec("build") is not None:
        cmd: list[str | Path] = [sys.executable, "-m", "build", "--wheel", "--outdir", dist]
        if UV:
            cmd += ["--installer", "uv"]
        cmd.append(REPO)
    elif UV:
        cmd = [UV, "build", "--wheel", "--out-dir", dist, REPO]
    else:
        pytest.skip("neither the 'build' package nor uv is available to build a wheel")
    proc = _run(cmd, cwd=dist)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (built,) = dist.glob("ropa_kg-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "env"
    python = root / "bin" / "python"
    if UV:
        proc = _run([UV, "venv", "--quiet", "--python", sys.executable, root])
        assert proc.returncode == 0, proc.stderr
        requirements: list[str | Path] = []
        export = _run(
            [
                UV,
                "export",
                "--frozen",
                "--no-dev",
                "--no-emit-project",
                "--no-hashes",
                "--project",
                REPO,
                "--output-file",
                root.parent / "requirements.txt",
            ],
            cwd=REPO,
        )
        if export.returncode == 0:
            requirements = ["-r", root.parent / "requirements.txt"]
        errors = []
        for mode in (["--offline"], []):
            proc = _run([UV, "pip", "install", "--python", python, *mode, *requirements, wheel])
            if proc.returncode == 0:
                break
            errors.append(proc.stderr[-2000:])
        else:
            pytest.fail("could not install the wheel:\n" + "\n".join(errors))
    else:
        proc = _run([sys.executable, "-m", "venv", root])
        assert proc.returncode == 0, proc.stderr
        proc = _run([python, "-m", "pip", "install", "--quiet", wheel])
        assert proc.returncode == 0, proc.stderr[-3000:]
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory outside the repository."""
    assert REPO not in tmp_path.resolve().parents
    return tmp_path


def _site_packages(venv: Path) -> Path:
    (site,) = (venv / "lib").glob("python3*/site-packages")
    return site


def test_wheel_contains_the_shipped_data(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "checker/cli.py",
        "checker/py.typed",
        "checker/records/schema/records.schema.json",
        "checker/_assets/ontology/dpv.ttl",
        "checker/_assets/ontology/ropa.ttl",
        "checker/_assets/ontology/records.context.jsonld",
        "checker/_assets/ropa/finnish-customs/register.yaml",
        "checker/_assets/ropa/finnish-customs/register-description.txt",
    ):
        assert required in names, f"{required} is not in {wheel.name}"
    shapes = [n for n in names if n.startswith("checker/_assets/shapes/") and n.endswith(".ttl")]
    assert shapes, "no shapes in the wheel"
    assert not [n for n in names if n.startswith(("tests/", "bench/", ".venv/"))]


def test_installed_package_has_its_assets(venv: Path):
    assets = _site_packages(venv) / "checker" / "_assets"
    assert (assets / "ontology" / "dpv.ttl").is_file()
    assert any((assets / "shapes").glob("*.ttl"))
    assert (assets / "ropa" / "finnish-customs" / "register.yaml").is_file()


def test_installed_package_imports_from_the_venv_not_the_checkout(venv: Path, outside: Path):
    proc = _run(
        [
            venv / "bin" / "python",
            "-c",
            "import checker, checker.assets as a; print(checker.__file__); "
            "print(a.asset_dir('ontology')); print(a.default_records())",
        ],
        cwd=outside,
        env=_clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    module, ontology, records = (Path(line) for line in proc.stdout.split())
    site = _site_packages(venv).resolve()
    for path in (module, ontology, records):
        assert site in path.resolve().parents, f"{path} is not inside the installed package"
    assert ontology.name == "ontology" and ontology.parent.name == "_assets"


def test_installed_ropa_builds_the_default_register_outside_the_repo(venv: Path, outside: Path):
    proc = _run([venv / "bin" / "ropa", "build", "-o", "out.ttl"], cwd=outside, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    graph = Graph().parse(outside / "out.ttl", format="turtle")
    assert len(graph) > 1000
    (register,) = graph.subjects(RDF.type, DPV.ROPA)
    controller = graph.value(register, DPV.hasDataController)
    assert (controller, RDFS.label, Literal("Finnish Customs", lang="en")) in graph


def test_installed_ropa_builds_the_kitchen_sink_like_the_checkout(venv: Path, outside: Path):
    shutil.copytree(KITCHEN_SINK, outside / "ks")
    env = _clean_env()
    installed = _run(
        [venv / "bin" / "ropa", "build", "ks", "-o", "installed.ttl"], cwd=outside, env=env
    )
    assert installed.returncode == 0, installed.stderr
    checkout = _run(
        [sys.executable, "-m", "checker", "build", "ks", "-o", "checkout.ttl"],
        cwd=outside,
        env={**env, "PYTHONPATH": str(REPO)},
    )
    assert checkout.returncode == 0, checkout.stderr
    assert (outside / "installed.ttl").read_bytes() == (outside / "checkout.ttl").read_bytes()


def test_installed_ropa_reports_bad_input_cleanly(venv: Path, outside: Path):
    (outside / "bad.ttl").write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n")
    proc = _run(
        [venv / "bin" / "ropa", "build", "bad.ttl", "-o", "out.ttl"], cwd=outside, env=_clean_env()
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.ttl:2: " in proc.stderr
    assert not (outside / "out.ttl").exists()


def test_wheel_declares_the_dashboard_extra(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode("utf-8").splitlines()
    assert "Provides-Extra: dashboard" in metadata
    requires = [line for line in metadata if line.startswith("Requires-Dist: ")]
    for module in ("streamlit", "plotly"):
        (line,) = [r for r in requires if r.split()[1].startswith(module)]
        assert "extra == 'dashboard'" in line or 'extra == "dashboard"' in line, line
    assert "checker/_assets/dashboard/app.py" in archive.namelist()
    assert "checker/_assets/dashboard/figures.py" in archive.namelist()


def test_installed_without_the_extra(venv: Path):
    """The venv really lacks streamlit and plotly, so the tests below mean something."""
    proc = _run(
        [
            venv / "bin" / "python",
            "-c",
            "import importlib.util as u; print([m for m in ('streamlit', 'plotly', 'pandas')"
            " if u.find_spec(m)])",
        ],
        env=_clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_installed_ropa_checks_queries_and_writes_the_notice_without_the_extra(
    venv: Path, outside: Path
):
    ropa = venv / "bin" / "ropa"
    env = _clean_env()
    check = _run([ropa, "check", "--format", "json", "-o", "findings.json"], cwd=outside, env=env)
    assert check.returncode == 1, check.stderr  # the shipped register has findings
    assert "Traceback" not in check.stderr
    assert '"ART30-1-F-RETENTION"' in (outside / "findings.json").read_text(encoding="utf-8")
    query = _run([ropa, "query", "processors-personal-data"], cwd=outside, env=env)
    assert query.returncode == 0, query.stderr
    assert "Elisa Oyj" in query.stdout
    notice = _run([ropa, "notice", "--allow-gaps", "-o", "notice.md"], cwd=outside, env=env)
    assert notice.returncode == 0, notice.stderr
    assert (outside / "notice.md").read_text(encoding="utf-8").startswith("#")


def test_installed_ropa_dashboard_without_the_extra_says_how_to_install_it(
    venv: Path, outside: Path
):
    proc = _run(
        [venv / "bin" / "ropa", "dashboard", "--port", "0"],
        cwd=outside,
        env=_clean_env(),
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert 'pip install "ropa-kg[dashboard]"' in proc.stderr
    assert "streamlit" in proc.stderr and "Traceback" not in proc.stderr
