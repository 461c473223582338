"""The recognition models of rapidocr (shipped inside its wheel), run directly on onnxruntime.

Only two of rapidocr's models are used: the text-line recogniser (PP-OCR rec, CTC) and the 0°/180°
line classifier. Text regions come from the page's own geometry (table cells, ink blobs), so the
costly detection network is not needed. Running the sessions directly gives what rapidocr's wrapper
hides: each character's probability and the characters the decoder *almost* emitted, which is what
tells a safely read value from a guess.

The engine is loaded once per process, on first use; model files are taken from the installed wheel
and never downloaded.
"""
from __future__ import annotations

import importlib.util
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np

REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
REC_HEIGHT = 48
TRAINING_WIDTH = 320  # PaddleOCR pads recognition inputs to this width in training
CLS_SHAPE = (48, 192)
REC_BATCH_PIXELS = 2000  # scaled widths per recognition batch: larger batches are no faster and cost memory (~0.3 vs 1.2 GB at 12000)
THREADS = int(os.environ.get("JUESUAN_OCR_THREADS", "0"))  # 0: onnxruntime's default (one per core)
MISSED_CHARACTER = 0.05  # a character the decoder passed over with this probability makes the reading doubtful


@dataclass
class Reading:
    text: str
    confidence: float  # the weakest link: lowest character probability, or 1 - the strongest passed-over character


class Engine:
    def __init__(self, model_dir: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's memory for good
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if THREADS > 0:
            options.intra_op_num_threads = THREADS
        self.rec = ort.InferenceSession(str(_model(model_dir, REC_MODEL)), options, providers=["CPUExecutionProvider"])
        self.cls = ort.InferenceSession(str(_model(model_dir, CLS_MODEL)), options, providers=["CPUExecutionProvider"])
        characters = self.rec.get_modelmeta().custom_metadata_map["character"].splitlines()
        self.alphabet = ["", *characters, " "]  # CTC blank first; the models' dictionaries end with a space

    def read(self, crops: list[np.ndarray], *, min_width: int = 0) -> list[Reading]:
        """Recognise single text lines (grey crops, text dark on white). `min_width` pads every input to at
        least that width, as PaddleOCR does in training (320): slower, and a second view of a doubtful line."""
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        readings: list[Reading | None] = [None] * len(crops)
        for batch in _batches([crops[i] for i in order]):
            for index, probabilities in zip(batch.indices, self._recognise(batch.images, min_width)):
                readings[order[index]] = decode(probabilities, self.alphabet)
        return readings  # type: ignore[return-value]

    def upside_down(self, crops: list[np.ndarray]) -> float:
        """Evidence (-1 … 1, summed over crops) that text lines are upside down."""
        if not crops:
            return 0.0
        batch = np.stack([_normalise(c, CLS_SHAPE[0], CLS_SHAPE[1]) for c in crops])
        probabilities = self.cls.run(None, {self.cls.get_inputs()[0].name: batch})[0]
        return float(np.sum(probabilities[:, 1] - probabilities[:, 0]))

    def _recognise(self, images: list[np.ndarray], min_width: int = 0) -> np.ndarray:
        width = max(min_width, *(_scaled_width(i) for i in images))
        width = int(math.ceil(width / 8) * 8)
        batch = np.stack([_normalise(i, REC_HEIGHT, width) for i in images])
        return self.rec.run(None, {self.rec.get_inputs()[0].name: batch})[0]


@dataclass
class _Batch:
    indices: list[int]
    images: list[np.ndarray]


def _batches(crops: list[np.ndarray]):
    """Crops sorted by aspect ratio, grouped so that little width is wasted on padding."""
    start = 0
    while start < len(crops):
        end, total = start, 0
        while end < len(crops) and (end == start or total + _scaled_width(crops[end]) <= REC_BATCH_PIXELS):
            total += _scaled_width(crops[end])
            end += 1
        yield _Batch(list(range(start, end)), crops[start:end])
        start = end


def _scaled_width(crop: np.ndarray) -> int:
    height, width = crop.shape[:2]
    return max(8, int(math.ceil(REC_HEIGHT * width / max(height, 1))))


def _normalise(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    """As PaddleOCR feeds its models: scaled to the model's height, values in [-1, 1], zero padding on the right."""
    scaled = min(width, _scaled_width(crop) if height == REC_HEIGHT else int(math.ceil(height * crop.shape[1] / crop.shape[0])))
    resized = cv2.resize(crop, (max(1, scaled), height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    resized = resized / 127.5 - 1.0
    out = np.zeros((3, height, width), np.float32)
    out[:, :, : resized.shape[1]] = resized[np.newaxis]
    return out


def decode(probabilities: np.ndarray, alphabet: list[str]) -> Reading:
    """Greedy CTC decoding that also weighs what was not emitted.

    A character is emitted where it wins a time step and differs from the step before. Its probability
    is one measure of doubt; the other is a step won by the blank where some character came close: that
    character may have been printed and lost (a decimal point, a doubled digit). Runner-ups equal to a
    neighbouring emitted character do not count: emitting them would not change the text.
    """
    winners = probabilities.argmax(axis=1)
    best = probabilities.max(axis=1)
    text, weakest = [], 1.0
    for t, symbol in enumerate(winners):
        if symbol != 0:
            if t == 0 or winners[t - 1] != symbol:
                end = t
                while end + 1 < len(winners) and winners[end + 1] == symbol:
                    end += 1
                text.append(alphabet[symbol] if symbol < len(alphabet) else "")
                weakest = min(weakest, float(best[t : end + 1].max()))  # the character's surest step
            continue
        runner = int(probabilities[t, 1:].argmax()) + 1
        p = float(probabilities[t, runner])
        if p < MISSED_CHARACTER:
            continue
        left = winners[t - 1] if t > 0 else 0
        right = winners[t + 1] if t + 1 < len(winners) else 0
        if runner in (left, right) and not (runner == left == right):
            continue
        weakest = min(weakest, 1.0 - p)
    return Reading("".join(text).strip(), round(weakest, 4))


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(model_dir())


def model_dir() -> Path:
    """The models folder of the installed rapidocr wheel, found without importing rapidocr (its wrapper
    pulls in configuration and download machinery this engine does not use)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("rapidocr is not installed; its wheel carries the OCR models")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@lru_cache(maxsize=1)
def engine_version() -> str:
    return f"rapidocr {version('rapidocr')} ({REC_MODEL}, {CLS_MODEL}); onnxruntime {version('onnxruntime')}"


def _model(model_dir: Path, name: str) -> Path:
    path = model_dir / name
    if not path.is_file():
        raise FileNotFoundError(f"OCR model {name} is not in {model_dir}; reinstall the pinned rapidocr wheel")
    return path
