"""One document through every stage: extract -> normalize -> check -> write. Every failure becomes one line
with a kind from our own vocabulary (see `ERROR_KINDS`), never a traceback."""
from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from extract import extract_document
from extract.model import InputError
from juesuan import __version__
from juesuan.names import printable, safe_name
from check.run import check_document
from normalize.document import normalize_document
from write.document import write_document
from write.html_pages import PageRenderings

# What errors.csv says went wrong, whatever raised it.
ERROR_KINDS = {
    "missing": "the file is gone", "empty": "the file is empty", "not-pdf": "not a PDF", "unsupported": "not a document type we read",
    "binary": "binary content in a text export", "encoding": "text in an unknown encoding", "encrypted": "password-protected PDF",
    "corrupt": "a PDF its libraries cannot parse", "too-large": "over a size limit", "image-only": "scanned pages, OCR off",
    "not-juesuan": "not a 部门决算", "timeout": "over the time limit", "memory": "over the memory limit",
    "worker-lost": "the worker process died", "ocr-unavailable": "OCR models missing from the installation", "symlink": "a link outside the input folder", "unreadable": "no permission to read", "internal": "a bug of juesuan",
}
OCR_CACHE = "ocr-cache"
PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "camelot", "PIL", "cv2", "onnxruntime")


@dataclass
class Options:
    formats: set[str] = field(default_factory=lambda: {"csv", "parquet", "xlsx"})
    engine: str = "auto"
    repair: bool = True
    ocr: str = "auto"  # auto / force / off
    html: bool = True  # report.html per document and index.html for the batch

    def as_dict(self) -> dict:
        return {"formats": sorted(self.formats), "engine": self.engine, "repair": self.repair, "ocr": self.ocr, "html": self.html}


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

    def briefly(self) -> "Result":
        """The same result with only what a batch summary needs of its manifest."""
        if self.manifest is None:
            return self
        m = self.manifest
        brief = {"pages": m.get("pages"), "checks": m.get("checks", {}), "tables_found": sum(1 for t in m.get("tables", {}).values() if t.get("found"))}
        return Result(self.source, self.doc_id, self.target, brief, self.error_stage, self.error_kind, self.error)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def doc_id_for(path: Path) -> str:
    """A folder-safe id from the file name (Chinese kept, separators and spaces folded, bounded in bytes)."""
    return safe_name(path.stem)


TEXT_BYTES_PER_PAGE = 4096  # a printed page of tables as a text export (the caidian sample: ~107 KB for ~30 pages)


def page_count_probe(path: Path) -> int | None:
    """Pages of a PDF, or the pages a text export's size amounts to, cheaply (scales the document's time limit);
    None when unknown."""
    if path.suffix.lower() != ".pdf":
        try:
            return -(-path.stat().st_size // TEXT_BYTES_PER_PAGE)
        except OSError:
            return None
    try:
        import pypdfium2 as pdfium

        with pdfium.PdfDocument(str(path)) as document:
            return len(document)
    except Exception:
        return None


def convert(source: Path, out_group: Path, options: Options, doc_id: str | None = None, id_note: str = "", progress=None) -> Result:
    """One document into OUT/<group>/<doc-id>/; OCR results are cached in OUT/ocr-cache/. `progress(page, pages, how)`
    is called for each page OCR reads."""
    doc_id = doc_id or doc_id_for(source)
    target = out_group / doc_id
    stage = "read"
    try:
        sha = sha256_of(source)
        stage = "extract"
        renderings = PageRenderings() if options.html else None  # the report's page images, taken while pages are open
        raw = extract_document(source, engine=options.engine, ocr=options.ocr, cache_dir=out_group.parent / OCR_CACHE, progress=progress,
                               on_table_page=renderings.add if renderings is not None else None)
        stage = "normalize"
        doc = normalize_document(raw)
        stage = "check"
        report = check_document(doc, repair=options.repair)
        stage = "write"
        manifest = write_document(doc, target, doc_id, sha, __version__, options.formats, report, options.as_dict(), id_note=id_note,
                                  html=options.html, dataset_root=out_group.parent, page_renderings=renderings)
        return Result(source, doc_id, target, manifest)
    except InputError as exc:
        return Result(source, doc_id, None, error_stage=stage, error_kind=exc.kind, error=printable(str(exc)))
    except Exception as exc:  # a document a library cannot parse, or a bug of ours: one line, the batch goes on
        kind, message = classify(exc, stage)
        return Result(source, doc_id, None, error_stage=stage, error_kind=kind, error=f"{printable(source.name)}: {message}")


def classify(exc: BaseException, stage: str) -> tuple[str, str]:
    """Our kind and a short message for an exception: raised inside a PDF library while extracting, the file is
    corrupt; too deep a structure or no memory, it is too large; anything else is our bug, said as such."""
    detail = printable(" ".join(str(exc).split()), 160) or exc.__class__.__name__
    if stage == "read" and isinstance(exc, OSError):
        return ("missing", "file not found") if isinstance(exc, FileNotFoundError) else ("unreadable", f"cannot read the file ({exc.strerror})")
    if isinstance(exc, MemoryError):
        return "memory", "out of memory"
    if isinstance(exc, RecursionError):
        return "corrupt", "PDF structure nested too deeply (a reference cycle?)"
    library = _raising_library(exc)
    if stage == "extract" and library:
        return "corrupt", f"corrupt or malformed PDF ({library}: {exc.__class__.__name__}: {detail})"
    return "internal", f"internal error in the {stage} stage ({exc.__class__.__name__}: {detail}); please report it"


def _raising_library(exc: BaseException) -> str | None:
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        for library in PDF_LIBRARIES:
            if f"/{library}/" in frame.filename or f"/{library}." in frame.filename:
                return library
    return None
