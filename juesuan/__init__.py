"""juesuan: 部门决算 documents (PDF or text export) -> checked, structured tables."""

__version__ = "0.2.0"
