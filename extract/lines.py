"""Text lines of a PDF page in reading order, robust to digits set on a lower baseline.

pdfplumber's default `extract_text` groups characters by their `top` within a tolerance;
when a font puts digits ~5 pt below the CJK glyphs, every number lands on a line of its
own. Here characters join a line when their boxes overlap vertically by most of the
smaller box's height, so a lower-set digit still belongs to the CJK line it sits in.
"""
from __future__ import annotations

OVERLAP = 0.4  # share of the smaller glyph's height two boxes must share to be on one line
SPACE_GAP = 1.2  # gap, in median glyph widths, read as a space between words


def cluster_lines(chars: list[dict]) -> list[list[dict]]:
    lines: list[dict] = []  # each: {"top", "bottom", "chars"}
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if not ch["text"].strip():
            continue
        height = max(ch["bottom"] - ch["top"], 0.1)
        best, best_overlap = None, 0.0
        for line in lines[-6:]:
            overlap = min(line["bottom"], ch["bottom"]) - max(line["top"], ch["top"])
            share = overlap / min(height, line["bottom"] - line["top"] or 0.1)
            if share >= OVERLAP and share > best_overlap:
                best, best_overlap = line, share
        if best is None:
            lines.append({"top": ch["top"], "bottom": ch["bottom"], "chars": [ch]})
        else:
            best["chars"].append(ch)
            best["top"] = min(best["top"], ch["top"])
            best["bottom"] = max(best["bottom"], ch["bottom"])
    lines.sort(key=lambda line: line["top"])
    return [sorted(line["chars"], key=lambda c: c["x0"]) for line in lines]


def line_text(chars: list[dict]) -> str:
    if not chars:
        return ""
    widths = sorted(c["x1"] - c["x0"] for c in chars)
    unit = widths[len(widths) // 2] or 1.0
    out = [chars[0]["text"]]
    for prev, ch in zip(chars, chars[1:]):
        if ch["x0"] - prev["x1"] > SPACE_GAP * unit:
            out.append(" ")
        out.append(ch["text"])
    return "".join(out).strip()


def page_lines(page) -> list[str]:
    """Text lines of a page (or a cropped region) in reading order."""
    return lines_of_chars(page.chars)


def lines_of_chars(chars: list[dict]) -> list[str]:
    """Text lines of pdfplumber characters in reading order."""
    return [t for t in (line_text(line) for line in cluster_lines(chars)) if t]
