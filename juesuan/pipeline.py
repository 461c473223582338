"""One document through every stage: extract -> normalize -> write. Errors become one-line InputErrors."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from extract import extract_document
from extract.model import InputError
from juesuan import __version__
from check.run import check_document
from normalize.document import normalize_document
from write.document import write_document


@dataclass
class Options:
    formats: set[str] = field(default_factory=lambda: {"csv", "parquet", "xlsx"})
    engine: str = "auto"
    repair: bool = True

    def as_dict(self) -> dict:
        return {"formats": sorted(self.formats), "engine": self.engine, "repair": self.repair}


@dataclass
class Result:
    source: Path
    doc_id: str
    target: Path | None
    manifest: dict | None = None
    error_stage: str | None = None
    error_kind: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def doc_id_for(path: Path) -> str:
    """A folder-safe id from the file name (Chinese kept, separators and spaces folded)."""
    stem = regex.sub(r"[\s/\\:*?\"<>|]+", "_", path.stem).strip("._") or "document"
    return stem[:120]


def convert(source: Path, out_group: Path, options: Options) -> Result:
    doc_id = doc_id_for(source)
    target = out_group / doc_id
    stage = "read"
    try:
        sha = sha256_of(source)
        stage = "extract"
        raw = extract_document(source, engine=options.engine)
        stage = "normalize"
        doc = normalize_document(raw)
        stage = "check"
        report = check_document(doc, repair=options.repair)
        stage = "write"
        manifest = write_document(doc, target, doc_id, sha, __version__, options.formats, report, options.as_dict())
        return Result(source, doc_id, target, manifest)
    except InputError as exc:
        return Result(source, doc_id, None, error_stage=stage, error_kind=exc.kind, error=str(exc))
    except Exception as exc:  # a bug or a document we cannot read: report it, the batch goes on
        message = " ".join(str(exc).split()) or exc.__class__.__name__
        return Result(source, doc_id, None, error_stage=stage, error_kind=exc.__class__.__name__, error=f"{source.name}: {message}")
