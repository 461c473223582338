"""What a worker process imports before its first document (a module of its own, without imports: the cluster
names these in processes that must not import the pipeline themselves).

The forkserver that starts workers preloads them, so every worker starts warm. Besides the pipeline, what it
imports on first use: pdfplumber and pdfminer with extract.pdf, and pandas, which pyarrow imports the first time
it builds a table. Without them a worker's first document took 0.6 s longer, once every 25 documents. OCR's
models are left out: most batches never load them.
"""
WORKER_PRELOAD = ("juesuan.pipeline", "extract.pdf", "extract.text_export", "pyarrow.parquet", "pandas", "xlsxwriter")
