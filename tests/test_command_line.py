"""The command line in a terminal and in a script: 80 columns, no wrapping into files, JSON for every document,
--fail-on, --version, bad values rejected."""
from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys

from conftest import CAIDIAN, FIXTURES, ROOT

COLOUR = re.compile(r"\x1b\[[0-9;]*m")
CURSOR = re.compile(r"\x1b\[[0-9;?]*[A-Za-ln-z]|\x1b\][^\x07]*\x07|\r")  # moves and erasures: a redrawn line starts anew


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, **kwargs)


def in_a_terminal(*args, columns: int = 80) -> str:
    """Run the command attached to a pseudo-terminal `columns` wide; return what it showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "juesuan.cli", *map(str, args)], stdin=follower, stdout=follower, stderr=follower,
                            cwd=ROOT, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(leader)
    return CURSOR.sub("\n", COLOUR.sub("", b"".join(chunks).decode("utf-8", "replace")))


def display_width(line: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip().startswith("juesuan ")


def test_the_report_fits_an_80_column_terminal(tmp_path):
    shown = in_a_terminal("extract", CAIDIAN, FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf", "--out", tmp_path / "out", "--format", "csv")
    lines = [line for line in shown.split("\n") if line.strip()]
    assert "batch summary" in shown and "converted" in shown
    assert max(display_width(line) for line in lines) <= 80, max(lines, key=display_width)
    summary = in_a_terminal("report", tmp_path / "out")
    assert max(display_width(line) for line in summary.split("\n")) <= 80
    assert "…" not in summary or "…社会工作部" in summary or "武汉市蔡甸区" in summary  # names told apart, never cut to one prefix


def test_output_to_a_file_is_never_wrapped_or_cut(tmp_path):
    out = tmp_path / "a-folder-with-a-name-long-enough-to-pass-eighty-columns-when-printed-in-full" / "out"
    done = run("extract", CAIDIAN, "--out", out, "--format", "csv")
    assert done.returncode in (0, 3)
    lines = (done.stdout + done.stderr).splitlines()
    assert any(str(out) in line for line in lines)  # the full path on one line
    assert all("…" not in line for line in lines)


def test_json_says_something_for_every_document_including_those_up_to_date(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CAIDIAN, folder / "a.md")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00" * 100)
    out = tmp_path / "out"
    first = [json.loads(line) for line in run("extract", folder, "--out", out, "--json", "--format", "csv").stdout.splitlines()]
    assert {(d["ok"], d.get("skipped")) for d in first} == {(True, False), (False, None)}
    assert next(d for d in first if not d["ok"])["kind"] == "corrupt"
    again = [json.loads(line) for line in run("extract", folder, "--out", out, "--json", "--format", "csv").stdout.splitlines()]
    skipped = [d for d in again if d["ok"]]
    assert len(skipped) == 1 and skipped[0]["skipped"] and skipped[0]["checks"]["verdict"] == "fail"
    assert len(again) == 2  # the broken file is reported again, one line


def test_fail_on_sets_exit_code_3_when_a_verdict_reaches_it(tmp_path):
    clean = FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"  # rounding only
    assert run("extract", clean, "--out", tmp_path / "a", "--format", "csv", "--quiet", "--fail-on", "warn").returncode == 0
    warned = FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf"  # one warning
    assert run("extract", warned, "--out", tmp_path / "b", "--format", "csv", "--quiet", "--fail-on", "fail").returncode == 0
    assert run("extract", warned, "--out", tmp_path / "b", "--format", "csv", "--quiet", "--fail-on", "warn").returncode == 3
    assert run("extract", CAIDIAN, "--out", tmp_path / "c", "--format", "csv", "--quiet", "--fail-on", "fail").returncode == 3
    assert run("extract", CAIDIAN, "--out", tmp_path / "c", "--format", "csv", "--quiet").returncode == 0


def test_bad_option_values_are_rejected_with_exit_code_2(tmp_path):
    for bad in (["--workers", "-1"], ["--engine", "fast"], ["--ocr", "maybe"], ["--format", "pdf"], ["--fail-on", "pass"],
                ["--timeout", "0"], ["--max-memory", "10"]):
        done = run("extract", CAIDIAN, "--out", tmp_path / "o", *bad)
        assert done.returncode == 2, bad
    assert not (tmp_path / "o").exists()


def test_help_is_in_chinese_and_english():
    shown = run("extract", "--help", env={**os.environ, "COLUMNS": "200"}).stdout
    assert "输出文件夹" in shown and "Output folder" in shown and "--fail-on" in shown and "--no-html" in shown
