"""Normalization: raw extracted grids -> canonical tables (Decimal amounts, resolved codes, junk counted).

Public surface: `normalize.document.normalize_document`, the readers in `amounts`, `codes`
and `labels`, and the canonical model in `model`. This module imports nothing so that
extractors can use the text primitives without pulling in the table builder.
"""
