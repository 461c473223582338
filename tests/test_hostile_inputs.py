"""Hostile inputs (issue 9): whatever a folder holds, every input ends as a converted document or as one line of
errors.csv naming the file and the problem; nothing stalls the batch, nothing leaves a traceback, nothing is
written outside --out, and nothing printed in a document is taken for a formula, console markup or a digit.

One batch over every class of tests/hostile.py runs once for the module (with a 1 GB worker memory limit, so
that a document that would exhaust the machine is stopped early)."""
from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

import hostile
from conftest import ROOT, read_csv
from extract.limits import _inflated_size, check_pdf_streams
from extract.model import InputError
from synthetic import DEPARTMENT, build

ERROR_KINDS_OF = {  # what each class of hand-made PDF may end as: never internal, never a timeout
    "selfref": {"corrupt", "not-juesuan", "memory"},
    "pagetree": {"corrupt", "not-juesuan"},
    "bomb": {"too-large", "not-juesuan"},
}


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def json_lines(stdout: str) -> dict[str, dict]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {Path(d["file"]).name: d for d in lines}


def facts_of(folder: Path) -> dict[tuple, str]:
    return {(f["table"], f["side"], f["code"], f["name"], f["measure"]): f["value"] for f in read_csv(folder / "facts.csv")}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    inputs = root / "in"
    for folder in ("t01", "mutants"):
        (inputs / folder).mkdir(parents=True)
    made: dict[str, list[Path]] = {
        "selfref": hostile.self_referencing_pdfs(inputs / "selfref"),
        "pagetree": hostile.page_tree_cycles(inputs / "pagetree"),
        "bomb": hostile.flate_bombs(inputs / "bomb"),
        "long": hostile.long_cells(inputs / "long"),
        "formula": hostile.formula_names(inputs / "formula"),
        "control": hostile.control_char_names(inputs / "control"),
        "footnote": hostile.footnote_amounts(inputs / "footnote"),
        "t01": [hostile.t01_without_totals(inputs / "t01" / "t01_no_totals.pdf"),
                hostile.t01_without_totals(inputs / "t01" / "t01_no_totals.md", pdf=False, narrative=False)],
    }
    base = hostile.export_to_pdf(build(), inputs / "mutants" / "base.pdf")
    made["mutants"] = [base, *hostile.mutants(base, 24, seed=5, folder=inputs / "mutants")]
    out = root / "out"
    done = run("extract", inputs, "--out", out, "--json", "--no-html", "--max-memory", "1024")
    return {"made": made, "done": done, "lines": json_lines(done.stdout), "out": out, "root": root}


def test_every_input_is_converted_or_one_error_line_and_nothing_crashes(batch):
    done, lines = batch["done"], batch["lines"]
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    made = [p for paths in batch["made"].values() for p in paths]
    assert set(lines) == {p.name for p in made}
    errors = {Path(e["file"]).name: e for e in read_csv(batch["out"] / "errors.csv")}
    assert set(errors) == {name for name, d in lines.items() if not d["ok"]}
    for name, e in errors.items():
        assert e["kind"] not in ("internal", "timeout"), (name, e)
        assert "\n" not in e["message"] and e["message"].startswith(name.split("\\")[0][:20]), e


@pytest.mark.parametrize("family", sorted(ERROR_KINDS_OF))
def test_malformed_pdfs_end_as_an_error_of_their_kind(batch, family):
    for path in batch["made"][family]:
        line = batch["lines"][path.name]
        assert not line["ok"] and line["kind"] in ERROR_KINDS_OF[family], (path.name, line)


def test_decompression_bombs_are_refused_before_any_library_inflates_them(batch):
    """Behind ASCIIHex or ASCII85 too: never a worker killed for its memory."""
    kinds = {p.name: batch["lines"][p.name]["kind"] for p in batch["made"]["bomb"]}
    assert {k for n, k in kinds.items() if "predictor" not in n} == {"too-large"}, kinds


@pytest.mark.parametrize("content", [b"\0" * (20 << 20), random.Random(0).randbytes(1000) * 100], ids=["zeros", "repeats"])
def test_a_small_stream_inflating_past_the_limit_is_refused_and_one_within_it_is_not(tmp_path, content):
    squeezed = zlib.compress(content, 9)  # a few KB: less than one read of the check
    path = tmp_path / "small_bomb.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(squeezed)).encode() + b" /Filter /FlateDecode >>\nstream\n"
                     + squeezed + b"\nendstream\nendobj\n%%EOF\n")
    limit = len(content) * 4 // 5
    with pytest.raises(InputError, match="a compressed stream inflates to more than"):
        check_pdf_streams(path, stream_limit=limit)
    with pytest.raises(InputError, match="compressed streams inflate to more than"):
        check_pdf_streams(path, total_limit=limit)
    check_pdf_streams(path, stream_limit=len(content), total_limit=len(content))


@pytest.mark.parametrize("after", [b"", b"\nendstream\nendobj\n"], ids=["at-the-end", "followed"])
@pytest.mark.parametrize("level", [1, 6, 9])
def test_a_streams_inflated_size_is_counted_to_its_end(after, level):
    content = random.Random(level).randbytes(997) * 80  # 80 KB from 2-3 KB: more than one inflated chunk
    assert _inflated_size(zlib.compress(content, level) + after, 1 << 30) == len(content)


def test_an_overlong_cell_is_one_error_naming_the_limit_or_the_document_is_converted(batch):
    for path in batch["made"]["long"]:
        line = batch["lines"][path.name]
        assert line["ok"] or (line["kind"] == "too-large" and "more than 20000" in line["error"]), line


def test_formulas_and_markup_in_names_reach_no_output_as_live_text(batch):
    out = batch["out"]
    for path in out.rglob("*.csv"):
        for row in read_csv(path):
            for value in row.values():
                assert not value or not value.startswith(("=", "@", "+", "\t", "\r")) or value.lstrip("+-").replace(".", "").isdigit(), (path, value)
    formula = Path(batch["lines"]["formula_text.md"]["out"])
    names = {(f["table"], f["code"]): f["name"] for f in read_csv(formula / "facts.csv")}
    assert names[("t05", "2210201")] == "'@SUM(1,1)"  # a name, not code digits: the code stays 2210201
    assert names[("t05", "2010601")].startswith("'=HYPERLINK")


def test_console_markup_in_a_document_is_printed_as_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "m.md").write_text(build().replace(f"部门:{DEPARTMENT}", f"部门:{DEPARTMENT}[/b]", 1), encoding="utf-8")
    done = run("extract", folder, "--out", tmp_path / "out", "--no-html")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{DEPARTMENT}[/b]" in done.stdout + done.stderr


def test_control_and_invisible_characters_never_lose_a_row_or_a_title(batch):
    base = None
    for path in batch["made"]["control"]:
        line = batch["lines"][path.name]
        assert line["ok"] and line["tables"] == 9, line
        facts = read_csv(Path(line["out"]) / "facts.csv")
        assert not any(ch in f["name"] for f in facts for ch in "\x00\x07\x1b\u200b\u202e\u2028"), path.name
        if path.suffix == ".md":
            values = {(f["table"], f["code"], f["measure"]): f["value"] for f in facts}
            base = base or values
            assert values == base, path.name


def test_footnote_markers_are_never_read_as_digits(batch):
    for path in batch["made"]["footnote"]:
        line = batch["lines"][path.name]
        facts = {(f["table"], f["code"], f["name"], f["measure"]): f for f in read_csv(Path(line["out"]) / "facts.csv")}
        item = facts.get(("t05", "2010601", "行政运行", "小计"))
        if "raised" in path.name:  # a superscript drawn as an ordinary digit: 80.002 in the text layer
            unreadable = json.loads((Path(line["out"]) / "manifest.json").read_text(encoding="utf-8"))["unreadable"]
            assert item is None or not item["value"], item
            assert any(u["table"] == "t05" and u["as_printed"].startswith("80.002") and "decimals" in u["problem"] for u in unreadable)
        else:
            assert Decimal(item["value"]) == Decimal("80.00"), (path.name, item)
            assert line["checks"]["fail"] == 0, (path.name, line["checks"])
        if "raised" not in path.name:
            figures = read_csv(Path(line["out"]) / "narrative_figures.csv")
            assert {Decimal(f["value"]) for f in figures if f["subject"] == "收支总计"} <= {Decimal("135.00")}, path.name


def test_identities_whose_rows_are_not_printed_are_reported_as_not_checked(batch):
    for path in batch["made"]["t01"]:
        checks = {(c["check_id"], c["tables"]): c for c in read_csv(Path(batch["lines"][path.name]["out"]) / "checks.csv")}
        for check_id in ("T01-INCOME-TOTAL", "T01-SPEND-TOTAL", "T01-BALANCE"):
            assert checks[(check_id, "t01")]["status"] == "skipped" and "未印出" in checks[(check_id, "t01")]["reason"]
        assert checks[("DOC-ROWS", "t01")]["status"] == "fail"


def test_a_mutant_is_an_error_flagged_or_read_exactly_as_the_original(batch):
    lines = batch["lines"]
    base = facts_of(Path(lines["base.pdf"]["out"]))
    for path in batch["made"]["mutants"][1:]:
        line = lines[path.name]
        if line["ok"] and line["checks"]["verdict"] in ("pass", "rounding"):
            assert facts_of(Path(line["out"])) == base, path.name


def test_nothing_is_written_outside_the_output_folder(batch):
    root, out = batch["root"], batch["out"]
    outside = [p for p in root.rglob("*") if not p.is_relative_to(out) and not p.is_relative_to(root / "in")]
    assert outside == []


def test_a_later_batch_into_the_same_folder_reads_back_what_earlier_documents_wrote(batch):
    """Batch outputs are rebuilt from every document folder, long narrative cells included."""
    done = run("extract", batch["root"] / "in" / "long", "--out", batch["out"], "--json", "--no-html", "--max-memory", "1024")
    assert "Traceback" not in done.stderr and "field larger" not in done.stderr
    assert done.returncode in (0, 1, 3), done.stderr
    assert (batch["out"] / "facts.csv").stat().st_size > 0 and (batch["out"] / "batch.json").is_file()


# ---------------------------------------------------------------- file and folder names


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    folders = hostile.hostile_file_names(root / "in")
    out = root / "out"
    done = run("extract", *folders, "--out", out, "--json", "--no-html")
    return root, out, done


def test_any_file_name_converts_or_is_refused_in_one_line(named):
    root, out, done = named
    assert "Traceback" not in done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    refused = {Path(d["file"]).name: d for d in lines if not d["ok"]}
    assert set(refused) == {"outside_link.md", "outside_dir"} and {d["kind"] for d in refused.values()} == {"symlink"}
    converted = [d for d in lines if d["ok"]]
    assert len(converted) == 16  # 14 names (x.md and x.pdf both; no hidden, no link outside), facts.csv/doc.md, .dotted-dept/doc.md
    assert len({d["out"] for d in converted}) == len(converted)
    for d in converted:
        folder = Path(d["out"])
        assert folder.is_relative_to(out) and all(len(part.encode()) <= 255 for part in folder.parts)
        assert not folder.name.startswith(".")


def test_undecodable_and_control_characters_in_names_are_shown_escaped(named):
    _, out, _ = named
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in out.rglob("manifest.json")]
    shown = {m["source"]["name"] for m in manifests}
    assert "gbk-\\xc4\\xe3\\xba\\xc3.md" in shown
    assert any(name.startswith("new\\x0aline\\x07bell\\x1b") for name in shown)
    with open(out / "facts.csv", encoding="utf-8-sig", newline="") as f:
        assert all("\x1b" not in row["source_file"] for row in csv.DictReader(f))


def test_hidden_inputs_are_left_alone_and_listed(named):
    _, out, _ = named
    ignored = json.loads((out / "batch.json").read_text(encoding="utf-8"))["ignored"]
    assert sorted(Path(line.split(":")[0]).name for line in ignored) == sorted([".hidden", ".dot.md", ".juesuan-tmp-1-deadbeef.md", "..md"])


def test_an_input_folder_named_like_an_output_gets_its_own_group(named):
    _, out, _ = named
    assert (out / "facts.csv").is_file()
    assert any(p.name.startswith("facts.csv_") and p.is_dir() for p in out.iterdir())


# ---------------------------------------------------------------- size: bounded by the input, not by its shape


def test_a_long_ruled_table_is_read_whole_and_its_broken_cells_named(tmp_path):
    (tmp_path / "in").mkdir()
    pdf = hostile.long_t05_pdf(tmp_path / "in" / "long_t05.pdf", pages=6, broken=2)
    done = run("extract", pdf, "--out", tmp_path / "out", "--json", "--no-html")
    line = json_lines(done.stdout)["long_t05.pdf"]
    assert line["ok"] and line["checks"]["fail"] > 0, line
    fails = [c for c in read_csv(Path(line["out"]) / "checks.csv") if c["status"] == "fail" and c["check_id"] != "DOC-TABLE"]  # t05 alone
    assert fails and all("基本支出印为" in c["reason"] for c in fails), fails


def test_a_large_text_export_converts(tmp_path):
    (tmp_path / "in").mkdir()
    export = hostile.big_text_export(tmp_path / "in" / "big.md", rows=3000, narrative_lines=300)
    done = run("extract", export, "--out", tmp_path / "out", "--json", "--no-html", "--format", "csv")
    line = json_lines(done.stdout)["big.md"]
    assert line["ok"], line
    fails = [c for c in read_csv(Path(line["out"]) / "checks.csv") if c["status"] == "fail" and c["check_id"] != "DOC-TABLE"]  # t03, t05 alone
    assert fails == []
    rows = read_csv(Path(line["out"]) / "t05_general_budget_expenditure.csv")
    assert sum(1 for r in rows if len(r["code"]) == 7) == 3000


def test_a_paragraph_of_many_lines_is_joined_in_linear_time(tmp_path):
    from extract.model import NarrativeBlock
    from normalize.sections import build_paragraphs

    blocks = [NarrativeBlock(section=(), text="这一行没有句号" * 3, page=1, line=i) for i in range(20_000)]
    paragraphs = build_paragraphs(blocks)
    assert len(paragraphs) == 1 and len(paragraphs[0].text) == 20_000 * 21
