"""Every input under faults and hostile use: one clear line naming the file, exit status 2.

Issue 19 (items 4, 7, 8): FIFOs, devices, link loops, oversized files, a register
description outside the record folder, nesting deeper than the parsers take, duplicate JSON
keys, giant strings, a query nested 200,000 deep, a read-only output folder, a connection
reset, SIGTERM during a write, terminal escape sequences in names. Each case ends in one
line naming the file (where there is one), exit status 2, no traceback, nothing written.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import files
from checker.cli import main, system_error
from checker.errors import InputError
from checker.files import printable, read_input, write_atomically
from checker.graph.rdf_files import MAX_NESTING
from checker.query.text import MAX_NESTING as MAX_QUERY_NESTING
from checker.query.text import QueryRefused, QueryText, check_read_only

REPO = Path(__file__).resolve().parents[1]
EXTRA = REPO / "tests" / "fixtures" / "rdf" / "extra.ttl"
EX = "@prefix ex: <http://example.org/> .\n"


def _one_line_error(result, *words: str) -> str:
    """Exit status 2, one line on the output, no traceback; each word in it."""
    out = result.output
    assert result.exit_code == 2, f"exit {result.exit_code}: {out!r}"
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"
    return lines[0]


def _ropa(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- Only regular files are read -------------------------------------------------------------


def test_fifo_is_refused_without_waiting_for_a_writer(workdir, ropa_build):
    os.mkfifo(workdir / "pipe.ttl")
    ropa_build("pipe.ttl").assert_input_error("pipe.ttl", "named pipe", "regular file")


@pytest.mark.parametrize("name", ["zero.ttl", "zero.yaml", "zero.jsonld", "zero.xlsx"])
def test_link_to_dev_zero_is_refused_not_read(workdir, ropa_build, name):
    (workdir / name).symlink_to("/dev/zero")
    ropa_build(name).assert_input_error(name, "character device")


@pytest.mark.parametrize("suffix", [".ttl", ".yaml"])
def test_symbolic_link_loop_is_an_input_error(workdir, ropa_build, suffix):
    (workdir / f"a{suffix}").symlink_to(f"b{suffix}")
    (workdir / f"b{suffix}").symlink_to(f"a{suffix}")
    ropa_build(f"a{suffix}").assert_input_error(f"a{suffix}", "symbolic link loop")


def test_link_loop_inside_a_record_folder_is_reported_not_skipped(kitchen_sink, ropa_build):
    (kitchen_sink.path / "loop.yaml").symlink_to("loop.yaml")
    ropa_build(kitchen_sink).assert_input_error("ks/loop.yaml", "symbolic link loop")


def test_fifo_inside_a_record_folder_is_reported_not_read(kitchen_sink, ropa_build):
    os.mkfifo(kitchen_sink.path / "pipe.yaml")
    ropa_build(kitchen_sink).assert_input_error("ks/pipe.yaml", "named pipe")


def test_broken_link_says_so(workdir, ropa_build):
    (workdir / "gone.ttl").symlink_to("nowhere.ttl")
    ropa_build("gone.ttl").assert_input_error("gone.ttl", "broken symbolic link", "nowhere.ttl")


def test_symbolic_link_loop_as_a_diff_version(workdir):
    (workdir / "old").symlink_to("old")
    _one_line_error(_ropa("diff", "old", EXTRA), "old", "symbolic link loop")


def test_query_file_that_is_a_fifo(workdir):
    os.mkfifo(workdir / "q.rq")
    _one_line_error(_ropa("query", "q.rq", EXTRA), "q.rq", "named pipe")


def test_file_over_the_size_cap_is_refused_with_the_limit(workdir, ropa_build, monkeypatch):
    monkeypatch.setenv("ROPA_MAX_INPUT_MB", "0.001")  # 1,048 bytes
    (workdir / "big.ttl").write_text(EX + "".join(f"ex:a ex:p {i} .\n" for i in range(200)))
    ropa_build("big.ttl").assert_input_error("big.ttl", "larger than 0.001 MB", "ROPA_MAX_INPUT_MB")


def test_size_cap_applies_to_records_too(kitchen_sink, ropa_build, monkeypatch):
    monkeypatch.setenv("ROPA_MAX_INPUT_MB", "0.001")
    ropa_build(kitchen_sink).assert_input_error("ks/activities.yaml", "larger than")


def test_read_input_caps_a_file_growing_while_read(tmp_path, monkeypatch):
    """The cap holds even when the size the system reports is wrong (/proc, a growing file)."""
    path = tmp_path / "grows.ttl"
    path.write_bytes(b"x" * 5000)
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setenv("ROPA_MAX_INPUT_MB", "0.001")
    monkeypatch.setattr(files.os, "fstat", small_fstat)
    with pytest.raises(InputError, match="larger than"):
        read_input(path, "grows.ttl")


def test_default_size_cap_is_documented_in_the_message(tmp_path, monkeypatch):
    monkeypatch.delenv("ROPA_MAX_INPUT_MB", raising=False)
    assert files.max_input_bytes() == files.MAX_INPUT_MB * 2**20
    monkeypatch.setenv("ROPA_MAX_INPUT_MB", "nonsense")
    assert files.max_input_bytes() == files.MAX_INPUT_MB * 2**20


# --- document.file: a relative path to a regular file inside the record folder ---------------


def _document(kitchen_sink, value: str) -> int:
    return kitchen_sink.edit(
        "register.yaml", "file: register-description.txt", f"file: {value!r}".replace("'", '"')
    )


SECRET = "TOP-SECRET-8472"


@pytest.fixture
def secret(workdir: Path) -> Path:
    """A file outside the record folder that must never be read (or leak into a message)."""
    path = workdir / "secret.txt"
    path.write_text(f"Purpose\n{SECRET}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["SECRET", "/etc/hostname", "/dev/zero", "~/secrets.txt"])
def test_document_file_must_be_relative(kitchen_sink, ropa_build, secret, value):
    line = _document(kitchen_sink, str(secret) if value == "SECRET" else value)
    message = ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "not a relative path"
    )
    assert SECRET not in message


def test_document_file_may_not_climb_out_of_the_folder(kitchen_sink, ropa_build, secret):
    line = _document(kitchen_sink, "../secret.txt")
    message = ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "outside the folder"
    )
    assert SECRET not in message


@pytest.mark.parametrize("target", ["SECRET", "/dev/zero"])
def test_document_file_linked_out_of_the_folder_is_refused(
    kitchen_sink, ropa_build, secret, target
):
    (kitchen_sink.path / "linked.txt").symlink_to(secret if target == "SECRET" else target)
    line = _document(kitchen_sink, "linked.txt")
    message = ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "outside the folder"
    )
    assert SECRET not in message


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_document_file_must_be_a_regular_file(kitchen_sink, ropa_build, kind):
    target = kitchen_sink.path / "description.txt"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    line = _document(kitchen_sink, "description.txt")
    expected = "not a regular file" if kind == "fifo" else "a folder"
    ropa_build(kitchen_sink).assert_input_error(f"ks/register.yaml:{line}", expected)


def test_document_file_in_a_subfolder_still_loads(kitchen_sink, ropa_build):
    (kitchen_sink.path / "docs").mkdir()
    (kitchen_sink.path / "register-description.txt").rename(
        kitchen_sink.path / "docs" / "register-description.txt"
    )
    _document(kitchen_sink, "docs/register-description.txt")
    run = ropa_build(kitchen_sink)
    assert run.result.exit_code == 0, run.text


def test_document_file_outside_in_a_pull_request_diff(kitchen_sink, workdir):
    """The records of a pull request cannot make `ropa diff` read a file outside them."""
    line = _document(kitchen_sink, "/etc/hostname")
    result = _ropa("diff", EXTRA, "ks")
    _one_line_error(result, f"ks/register.yaml:{line}", "not a relative path")


# --- Nesting: our limit, with file and line, comes before any parser's ----------------------


def _turtle(depth: int) -> str:
    return EX + "ex:a ex:p " + "[ ex:p " * depth + "1" + " ]" * depth + " .\n"


def _jsonld(depth: int) -> str:
    """``depth`` levels of ``{ }`` and ``[ ]`` (a node object inside an array, inside...)."""
    pairs = (depth - 1) // 2
    inner = '{"http://example.org/p": [' * pairs + '{"http://example.org/p": 1}' + "]}" * pairs
    return '{"@id": "http://example.org/a", "http://example.org/p": ' + inner + "}\n"


@pytest.mark.parametrize(("name", "make"), [("deep.ttl", _turtle), ("deep.jsonld", _jsonld)])
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 250, 900, 100_000])
def test_nesting_past_the_limit_names_file_and_line(workdir, ropa_build, name, make, depth):
    (workdir / name).write_text(make(depth), encoding="utf-8")
    message = ropa_build(name).assert_input_error(name, f"more than {MAX_NESTING} levels")
    assert f"{name}:" in message  # with its line


@pytest.mark.parametrize(("name", "make"), [("deep.ttl", _turtle), ("deep.jsonld", _jsonld)])
@pytest.mark.parametrize(
    "command",
    [
        ["build", "FILE", "-o", "out.ttl"],
        ["build", "FILE", "-o", "out.nt"],
        ["build", "FILE", "-o", "out.jsonld"],
        ["check", "FILE"],
        ["notice", "FILE", "--allow-gaps"],
        ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "FILE"],
        ["diff", str(EXTRA), "FILE"],
    ],
)
def test_nesting_at_the_limit_works_in_every_command(workdir, name, make, command):
    """Nothing downstream (writers, checker, notice, queries, diff) recurses too deep
    on what the limit lets through."""
    (workdir / name).write_text(make(MAX_NESTING), encoding="utf-8")
    result = _ropa(*(name if arg == "FILE" else arg for arg in command))
    assert result.exit_code in (0, 1), result.output
    assert "nested" not in result.output and "internal error" not in result.output


def test_jsonld_fixture_depth_is_what_it_says():
    assert _jsonld(MAX_NESTING).count("{") + _jsonld(MAX_NESTING).count("[") == MAX_NESTING
    assert _jsonld(MAX_NESTING + 1).count("{") + _jsonld(MAX_NESTING + 1).count("[") > MAX_NESTING


def test_nesting_inside_strings_does_not_count(workdir, ropa_build):
    brackets = "[" * 500 + "(" * 500
    (workdir / "strings.ttl").write_text(EX + f'ex:a ex:p "{brackets}" .\n# {brackets}\n')
    (workdir / "strings.jsonld").write_text(
        '{"@id": "http://example.org/b", "http://example.org/p": "' + "[{" * 500 + '"}\n'
    )
    run = ropa_build("strings.ttl", "strings.jsonld", output="out.nt")
    assert run.result.exit_code == 0, run.text


# --- JSON: duplicate keys, giant strings, triple terms ---------------------------------------


def test_duplicate_context_key_is_refused_with_both_lines(workdir, ropa_build):
    (workdir / "dup.jsonld").write_text(
        '{"@context": {"ex": "http://example.org/"},\n'
        ' "@context": {"ex": "http://example.com/"},\n'
        ' "@id": "ex:a", "ex:p": 1}\n'
    )
    ropa_build("dup.jsonld").assert_input_error(
        "dup.jsonld:2", "duplicate key '@context'", "first on line 1"
    )


def test_duplicate_key_in_a_nested_object_names_its_line(workdir, ropa_build):
    (workdir / "dup.jsonld").write_text(
        '{"@id": "http://example.org/a",\n "http://example.org/p": {\n'
        '  "http://example.org/q": 1,\n  "http://example.org/q": 2}}\n'
    )
    ropa_build("dup.jsonld").assert_input_error("dup.jsonld:4", "http://example.org/q")


@pytest.mark.parametrize("name", ["big.ttl", "big.nt", "big.jsonld"])
def test_string_of_16_mb_names_file_and_line(workdir, ropa_build, name):
    big = "x" * (16 * 2**20 + 10)
    if name == "big.jsonld":
        text = '{"@id": "http://example.org/a",\n "http://example.org/p": "' + big + '"}\n'
    else:
        text = '<http://example.org/a> <http://example.org/p> "ok" .\n'
        text += f'<http://example.org/a> <http://example.org/p> "{big}" .\n'
    (workdir / name).write_text(text, encoding="utf-8")
    ropa_build(name).assert_input_error(f"{name}:2", "longer than 16 MB")


@pytest.mark.parametrize(
    "triple",
    [
        "ex:a ex:p <<( ex:a ex:p ex:b )>> .",
        "<< ex:a ex:p ex:b >> ex:p ex:c .",
    ],
)
def test_rdf_12_triple_terms_are_refused(workdir, ropa_build, triple):
    (workdir / "star.ttl").write_text(EX + "ex:x ex:p 1 .\n" + triple + "\n")
    ropa_build("star.ttl").assert_input_error("star.ttl:3", "triple terms")


# --- Queries ------------------------------------------------------------------------------


def test_query_nested_200k_deep_is_refused_before_the_engine(workdir):
    depth = 200_000
    (workdir / "deep.rq").write_text(
        "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }\n"
    )
    message = _one_line_error(_ropa("query", "deep.rq", EXTRA), "deep.rq:1:", "nested more than")
    assert "out of memory" not in message
    assert len(message) < 300


@pytest.mark.parametrize("brackets", ["{}", "()", "[]"])
def test_query_nesting_limit_counts_every_bracket(brackets):
    open_, close = brackets
    body = "?s ?p ?o" if open_ == "{" else "FILTER(1)" if open_ == "(" else "?s ?p [] "
    text = "SELECT * WHERE { " + open_ * MAX_QUERY_NESTING + body + close * MAX_QUERY_NESTING + "}"
    with pytest.raises(QueryRefused, match="nested more than"):
        check_read_only(QueryText(text, "q"))
    shallow = "SELECT * WHERE { " + "{" * 20 + "?s ?p ?o" + "}" * 20 + " }"
    check_read_only(QueryText(shallow, "q"))


def test_brackets_in_query_strings_do_not_count():
    text = 'SELECT * WHERE { ?s ?p "' + "(" * 1000 + '" }'
    check_read_only(QueryText(text, "q"))


# --- Output folder, connection: every system error is one line, exit status 2 ---------------


def test_read_only_output_folder_is_one_line(workdir):
    """/sys refuses new files even to root."""
    result = _ropa("build", EXTRA, "-o", "/sys/ropa-out.ttl")
    _one_line_error(result, "/sys/ropa-out.ttl", "cannot write")


def test_unwritable_output_folder_names_the_output(workdir, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    result = _ropa("build", EXTRA, "-o", "out.ttl")
    _one_line_error(result, "out.ttl", "cannot write: Permission denied")


def test_disk_full_while_writing_leaves_nothing(workdir, monkeypatch):
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            raise OSError(28, "No space left on device")

    def fdopen(fd: int, mode: str) -> object:
        return Full(real_fdopen(fd, mode)) if mode == "wb" else real_fdopen(fd, mode)

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    result = _ropa("build", EXTRA, "-o", "out.ttl")
    _one_line_error(result, "out.ttl", "No space left")
    assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp") or p.name == "out.ttl"]


def test_output_path_that_is_a_link_loop(workdir):
    (workdir / "out.ttl").symlink_to("out.ttl")
    _one_line_error(_ropa("build", EXTRA, "-o", "out.ttl"), "out.ttl", "symbolic link loop")


def test_output_through_a_link_replaces_the_file_it_names(workdir):
    (workdir / "real.ttl").write_text("old\n")
    (workdir / "link.ttl").symlink_to("real.ttl")
    result = _ropa("build", EXTRA, "-o", "link.ttl")
    assert result.exit_code == 0, result.output
    assert (workdir / "link.ttl").is_symlink()
    assert (workdir / "real.ttl").read_text().startswith("@prefix")


def test_output_to_a_device_is_written_not_replaced(workdir):
    """A link to /dev/null is written through, never replaced (as root, replacing it would
    replace /dev/null itself)."""
    (workdir / "out.nt").symlink_to("/dev/null")
    result = _ropa("build", EXTRA, "-o", "out.nt")
    assert result.exit_code == 0, result.output
    assert (workdir / "out.nt").is_symlink()
    assert Path("/dev/null").is_char_device()


@pytest.fixture
def resetting_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A SPARQL endpoint on loopback that reads the request, then resets the connection:
    at once, or halfway through an answer (``mode`` chosen by the test, in the list)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    mode: list[str] = ["at once"]

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            if mode[0] == "halfway":
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: 5000\r\n\r\n" + b'{"head": {"vars": ["s"]}, '
                )
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", mode
    server.close()


@pytest.mark.parametrize("when", ["at once", "halfway"])
def test_connection_reset_is_one_line(resetting_endpoint, when):
    url, mode = resetting_endpoint
    mode[0] = when
    result = _ropa("query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url)
    _one_line_error(result)
    assert "internal error" not in result.output


def test_system_errors_read_as_one_line():
    assert system_error(PermissionError(13, "Permission denied", "x.ttl")) == (
        "x.ttl: Permission denied"
    )
    assert system_error(ConnectionResetError(104, "Connection reset by peer")).startswith(
        "connection error"
    )
    assert system_error(OSError("odd")) == "system error: odd"


# --- SIGTERM and SIGHUP during a build leave no temporary file -------------------------------

_SLOW_WRITE = """
import os, sys, time
real_replace = os.replace
def slow_replace(src, dst):
    print("writing", flush=True)
    time.sleep(60)
    real_replace(src, dst)
os.replace = slow_replace
from checker.cli import main
main(["build", sys.argv[1], "-o", sys.argv[2]])
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_signal_during_the_write_leaves_no_temporary_file(tmp_path, signum):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITE, str(EXTRA), str(tmp_path / "out.ttl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout.readline() == b"writing\n"
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # mid-write
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum
    assert list(tmp_path.iterdir()) == []
    assert b"Traceback" not in err
    assert f"stopped by {signal.Signals(signum).name}".encode() in err


def test_signal_handlers_come_back_after_a_command(workdir):
    before = signal.getsignal(signal.SIGTERM)
    assert _ropa("build", EXTRA, "-o", "out.nt").exit_code == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_write_atomically_leaves_nothing_on_an_exception(tmp_path, monkeypatch):
    def boom(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "x.ttl", b"data")
    assert list(tmp_path.iterdir()) == []


# --- Control characters never reach the terminal --------------------------------------------


def test_printable_strips_control_characters_but_tab_and_newline():
    assert printable("a\x1b]0;title\x07b\x9b31mc\td\n\r\x7f") == "a]0;titleb31mc\td\n"
    assert printable("Tiedot ja rekisteri – ok") == "Tiedot ja rekisteri – ok"


def test_escape_sequence_in_a_file_name_is_stripped_from_the_error(workdir, ropa_build):
    name = "bad\x1b[2J\x1b]0;pwned\x07.ttl"
    (workdir / name).write_text("this is not turtle\n")
    result = ropa_build(name).result
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "bad[2J]0;pwned.ttl" in result.output


def test_escape_sequence_in_a_record_name_is_stripped_from_the_notice(kitchen_sink):
    kitchen_sink.edit(
        "activities.yaml",
        "name: Answering questions from citizens",
        'name: "Answering \\e[2J\\e]0;pwned\\a questions from citizens"',
    )
    result = _ropa("notice", "ks", "--allow-gaps")
    assert result.exit_code in (0, 1), result.output
    assert "Answering [2J]0;pwned questions" in result.output
    assert not any(c in result.output for c in "\x1b\x07")


def test_escape_sequence_in_a_record_name_is_kept_in_a_file(kitchen_sink):
    """Files hold the data as it is (N-Triples escape it); only printed text is cleaned."""
    kitchen_sink.edit(
        "activities.yaml",
        "name: Answering questions from citizens",
        'name: "Answering \\e[2J questions from citizens"',
    )
    result = _ropa("build", "ks", "-o", "out.nt")
    assert result.exit_code == 0, result.output
    assert "Answering \\u001B[2J questions" in (kitchen_sink.path.parent / "out.nt").read_text()
