"""The output folder: juesuan deletes nothing it did not make, writes only into a folder it owns, one run at a time."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import CAIDIAN, ROOT

from write.atomic import STAGING_MARKER, staging_name
from write.outdir import LOCK_NAME, OUT_MARKER


def run(*args):
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def plant_user_files(folder: Path) -> dict[Path, bytes]:
    """Dot-files and dot-folders a user keeps, like a home folder or a checkout."""
    files = {
        folder / ".ssh" / "id_rsa": b"PRIVATE KEY",
        folder / ".bashrc": b"export PATH",
        folder / ".git" / "HEAD": b"ref: refs/heads/main\n",
        folder / ".juesuan-tmp-notours" / "keep.txt": b"looks like ours, is not",
        folder / ".juesuan-tmp-1-deadbeef" / "keep.txt": b"our name but no marker: not ours",
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def untouched(files: dict[Path, bytes]) -> bool:
    return all(path.is_file() and path.read_bytes() == data for path, data in files.items())


def test_a_non_empty_folder_juesuan_did_not_create_is_refused_and_left_untouched(tmp_path):
    home = tmp_path / "home"
    files = plant_user_files(home)
    done = run("extract", CAIDIAN, "--out", home, "--format", "csv")
    assert done.returncode == 2
    assert "non-empty folder juesuan did not create" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert untouched(files)
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", ".git", ".juesuan-tmp-1-deadbeef", ".juesuan-tmp-notours", ".ssh"]


def test_dot_files_in_an_output_folder_and_its_group_folders_survive_every_run(tmp_path):
    out = tmp_path / "out"
    assert run("extract", CAIDIAN, "--out", out, "--format", "csv").returncode == 0
    files = plant_user_files(out) | plant_user_files(out / "caidian")
    hidden_group = tmp_path / ".hidden-group"
    hidden_group.mkdir()
    shutil.copy(CAIDIAN, hidden_group / "doc.md")
    assert run("extract", CAIDIAN, hidden_group, "--out", out, "--format", "csv", "--force").returncode == 0
    assert run("extract", CAIDIAN, hidden_group, "--out", out, "--format", "csv").returncode == 0
    assert untouched(files)
    assert list(out.glob("*/doc/manifest.json")), "the hidden folder's document keeps its outputs"


def test_only_staging_that_juesuan_made_is_cleaned_up(tmp_path):
    out = tmp_path / "out"
    assert run("extract", CAIDIAN, "--out", out, "--format", "csv").returncode == 0
    stale_dir = out / "caidian" / staging_name("tmp")
    stale_dir.mkdir()
    (stale_dir / STAGING_MARKER).write_text("caidian_2024")
    (stale_dir / "facts.csv").write_text("half-written")
    stale_file = out / staging_name("tmp", ".csv")
    stale_file.write_text("half-written")
    files = plant_user_files(out)
    assert run("extract", CAIDIAN, "--out", out, "--format", "csv").returncode == 0
    assert not stale_dir.exists() and not stale_file.exists()
    assert untouched(files)


def test_out_dot_in_a_checkout_is_refused(tmp_path):
    checkout = tmp_path / "checkout"
    files = plant_user_files(checkout)
    done = subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(CAIDIAN), "--out", "."], capture_output=True, text=True,
                          cwd=checkout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and untouched(files)


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "out"
    assert run("extract", CAIDIAN, "--out", out, "--format", "csv").returncode == 0
    before = (out / "facts.csv").read_bytes()
    with open(out / LOCK_NAME, "r+") as held:  # stands for a run in progress
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        done = run("extract", CAIDIAN, "--out", out, "--format", "csv", "--force")
    assert done.returncode == 2
    assert "another juesuan run (pid 4242)" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert (out / "facts.csv").read_bytes() == before
    assert (out / OUT_MARKER).is_file()


def test_an_out_path_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("mine")
    done = run("extract", CAIDIAN, "--out", target)
    assert done.returncode == 2 and target.read_text() == "mine"


def test_an_output_folder_inside_the_input_folder_is_never_read_as_input(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(CAIDIAN, inputs / "doc.md")
    out = inputs / "out"
    for extra in ((), ("--force",)):
        done = run("extract", inputs, "--out", out, "--format", "csv", "--no-html", "--json", *extra)
        assert "Traceback" not in done.stderr
        documents = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        assert [Path(d["file"]).name for d in documents] == ["doc.md"]
        assert not (out / "errors.csv").exists() or len((out / "errors.csv").read_text(encoding="utf-8").splitlines()) == 1
