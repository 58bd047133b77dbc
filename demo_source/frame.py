"""Tables held as numpy columns, and their encoding into PostgreSQL's COPY text format.

A `Frame` is what the generator builds for a table: one `Col` per column, every column a
numpy array of the same length. Text is held as codes into a vocabulary, so escaping for
COPY happens once per distinct value, not once per row; timestamps are epoch seconds and
are formatted from two lookup tables (the day, the time of day).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal

import numpy as np

NULL = r"\N"
"""How COPY text format spells a null."""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
DAY = 86_400  # (scenario.DAY; kept here so that encoding stands alone)

Kind = Literal["int", "float", "time", "text"]


def escape(value: str) -> str:
    """One value escaped for COPY text format."""
    return value.translate(_ESCAPES)


@dataclass(frozen=True)
class Col:
    """One column. `values` are int64 (int, time: epoch seconds, text: codes into `vocab`)
    or float64 (float); rows where `null` is true are written as null whatever they hold."""

    kind: Kind
    values: np.ndarray
    null: np.ndarray | None = None
    vocab: np.ndarray | None = None
    decimals: int = 2
    safe: bool = False
    """The vocabulary holds nothing COPY must escape (hex, codes, fixed words)."""

    def __len__(self) -> int:
        return len(self.values)

    def take(self, index: np.ndarray | slice) -> Col:
        null = None if self.null is None else self.null[index]
        return Col(self.kind, self.values[index], null, self.vocab, self.decimals, self.safe)

    def is_null(self) -> np.ndarray:
        return np.zeros(len(self), bool) if self.null is None else self.null

    def set_null(self, rows: np.ndarray) -> Col:
        null = self.is_null().copy()
        null[rows] = True
        return replace(self, null=null)

    def set_values(self, rows: np.ndarray, values: np.ndarray | int | float) -> Col:
        """New values at `rows` (numbers, or codes for text), no longer null there."""
        out = self.values.copy()
        out[rows] = values
        null = None
        if self.null is not None:
            null = self.null.copy()
            null[rows] = False
        return replace(self, values=out, null=null)

    def set_text(self, rows: np.ndarray, texts: list[str] | np.ndarray) -> Col:
        """Text values (not necessarily in the vocabulary yet) at `rows`."""
        assert self.kind == "text" and self.vocab is not None
        texts = np.asarray(texts, dtype=object)
        new, codes = np.unique(texts, return_inverse=True)
        safe = self.safe and not _needs_escape(new)
        if self.vocab.dtype.kind == "S":  # an encoded vocabulary stays COPY-ready bytes
            new = np.array([escape(v).encode() for v in new.tolist()])
        else:
            new = new.astype(object)
        col = replace(self, vocab=np.concatenate([self.vocab, new]), safe=safe)
        return col.set_values(rows, len(self.vocab) + codes.reshape(-1))

    def text_values(self) -> np.ndarray:
        """The text of every row (object array; None where null). For small tables/tests."""
        assert self.vocab is not None
        vocab = self.vocab
        if vocab.dtype.kind == "S":
            vocab = np.array([v.decode() for v in vocab.tolist()], dtype=object)
        out = vocab[self.values]
        if self.null is not None:
            out = out.copy()
            out[self.null] = None
        return out


def _needs_escape(values: np.ndarray) -> bool:
    return any(escape(v) != v for v in values.tolist())


def ints(values: np.ndarray, null: np.ndarray | None = None) -> Col:
    return Col("int", np.asarray(values, dtype=np.int64), _mask(null))


def times(values: np.ndarray, null: np.ndarray | None = None) -> Col:
    return Col("time", np.asarray(values, dtype=np.int64), _mask(null))


def floats(values: np.ndarray, decimals: int = 2, null: np.ndarray | None = None) -> Col:
    return Col(
        "float",
        np.round(np.asarray(values, dtype=np.float64), decimals),
        _mask(null),
        decimals=decimals,
    )


def texts(
    vocab: np.ndarray | list[str] | tuple[str, ...],
    codes: np.ndarray,
    null: np.ndarray | None = None,
    *,
    safe: bool = False,
) -> Col:
    """Text as codes into a vocabulary (shared by many rows): an object array of str, or
    an 'S' array of COPY-ready (escaped, UTF-8) bytes; either is shared, not copied."""
    if not (isinstance(vocab, np.ndarray) and vocab.dtype.kind in "OS"):
        vocab = np.array(list(vocab), dtype=object)
    return Col("text", np.asarray(codes, dtype=np.int64), _mask(null), vocab, safe=safe)


def strings(values: np.ndarray, null: np.ndarray | None = None, *, safe: bool = False) -> Col:
    """Text with a value per row (emails, names): the vocabulary is the values themselves."""
    if values.dtype.kind != "S":
        values = np.asarray(values, dtype=object)
    return texts(values, np.arange(len(values)), null, safe=safe)


BOOL_VOCAB = np.array(["f", "t"], dtype=object)


def bools(values: np.ndarray, null: np.ndarray | None = None) -> Col:
    return texts(BOOL_VOCAB, np.asarray(values, dtype=bool).astype(np.int64), null, safe=True)


def filled(value: np.ndarray | int, n: int) -> np.ndarray:
    """An int64 array of n values: `value` repeated, or an array of n values copied."""
    return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()


def _mask(null: np.ndarray | None) -> np.ndarray | None:
    if null is None:
        return None
    null = np.asarray(null, dtype=bool)
    return null if null.any() else None


@dataclass(frozen=True)
class Frame:
    """The rows of one table: a `Col` per column name (in any order)."""

    cols: dict[str, Col] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.cols.values()))) if self.cols else 0

    def __getitem__(self, name: str) -> Col:
        return self.cols[name]

    def take(self, index: np.ndarray) -> Frame:
        return Frame({name: col.take(index) for name, col in self.cols.items()})

    def with_cols(self, **cols: Col) -> Frame:
        return Frame({**self.cols, **cols})


# --- COPY text encoding -------------------------------------------------------------------
#
# Each column becomes a fixed-width byte matrix (one row per table row), values padded
# with NUL bytes; the matrices and the separators are laid side by side and the NULs
# dropped. COPY text can never contain NUL, so the padding cannot clash with data.

_NULL = NULL.encode()
_VOCAB_CACHE: dict[int, tuple[np.ndarray, bool, np.ndarray]] = {}


def _matrix(values: np.ndarray) -> np.ndarray:
    """An 'S' array as an (n, itemsize) uint8 matrix."""
    return values.view(np.uint8).reshape(len(values), values.dtype.itemsize)


@cache
def _clock_table() -> np.ndarray:
    """'HH:MM:SS+00' for every second of a day; the extra last row (all NUL) for nulls."""
    second = np.arange(DAY)
    pairs = _QUADS[:100, 2:]  # '00' .. '99'
    colon = np.full((DAY, 1), ord(":"), np.uint8)
    zone = np.tile(np.frombuffer(b"+00", np.uint8), (DAY, 1))
    table = np.hstack(
        [pairs[second // 3600], colon, pairs[second // 60 % 60], colon, pairs[second % 60], zone]
    )
    return np.vstack([table, np.zeros((1, table.shape[1]), np.uint8)])


def _time_bytes(col: Col, null: np.ndarray | None) -> np.ndarray:
    values = (
        col.values
        if null is None
        else np.where(null, col.values[~null][0] if (~null).any() else 0, col.values)
    )
    days = values // DAY
    seconds = values - days * DAY
    first, last = int(days.min()), int(days.max())
    names = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    table = _matrix(np.array([*(d.encode() + b" " for d in names.tolist()), _NULL], dtype="S11"))
    day_index = days - first
    if null is not None:
        day_index[null] = len(table) - 1
        seconds[null] = DAY
    return np.hstack([table[day_index], _clock_table()[seconds]])


_QUADS = _matrix(np.array([f"{i:04d}".encode() for i in range(10_000)], dtype="S4"))
"""'0000' .. '9999': integers are written four digits at a time."""


def _digits(values: np.ndarray, fraction: int = 0) -> np.ndarray:
    """Decimal text of integers (`fraction` digits after a point), NUL-padded on the left."""
    magnitude = np.abs(values)
    top = int(magnitude.max()) if len(values) else 0
    width = max(len(str(top)), fraction + 1, 2)
    groups, rest = [], magnitude
    for _ in range(-(-width // 4)):
        groups.append(_QUADS[rest % 10_000])
        rest = rest // 10_000
    digits = np.hstack(groups[::-1])[:, 4 * len(groups) - width :]
    shown = np.logical_or.accumulate(digits != ord("0"), axis=1)
    shown[:, -(fraction + 1) :] = True
    out = np.where(shown, digits, 0).astype(np.uint8)
    if fraction:
        point = np.full((len(values), 1), ord("."), np.uint8)
        out = np.hstack([out[:, :-fraction], point, out[:, -fraction:]])
    if (values < 0).any():
        sign = np.where(values < 0, ord("-"), 0).astype(np.uint8)[:, None]
        out = np.hstack([sign, out])
    return out


def _number_bytes(col: Col, null: np.ndarray | None) -> np.ndarray:
    if col.kind == "float":
        scaled = np.round(col.values * 10**col.decimals).astype(np.int64)
        out = _digits(scaled, col.decimals)
    else:
        out = _digits(col.values)
    if null is not None:
        out[null] = 0
        out[null, : len(_NULL)] = np.frombuffer(_NULL, np.uint8)
    return out


def _vocab_bytes(vocab: np.ndarray, safe: bool) -> np.ndarray:
    """The vocabulary escaped and encoded as an 'S' array, with the null marker appended.
    Cached: the same vocabulary (uuids of sessions) serves many chunks."""
    if vocab.dtype.kind == "S":
        return np.concatenate([vocab, np.array([_NULL])])
    hit = _VOCAB_CACHE.get(id(vocab))
    if hit is not None and hit[0] is vocab and hit[1] == safe:
        return hit[2]
    values = vocab.tolist() if safe else [escape(v) for v in vocab.tolist()]
    out = np.array([*(v.encode() for v in values), _NULL])
    if len(_VOCAB_CACHE) >= 32:  # (entries keep their vocabulary alive, so the id is theirs)
        _VOCAB_CACHE.pop(next(iter(_VOCAB_CACHE)))
    _VOCAB_CACHE[id(vocab)] = (vocab, safe, out)
    return out


def _text_bytes(col: Col, null: np.ndarray | None) -> np.ndarray:
    assert col.vocab is not None
    vocab, codes = col.vocab, col.values
    if len(vocab) > 4 * len(codes):  # a few rows of a large vocabulary: just their values
        vocab, codes = vocab[codes], np.arange(len(codes))
        if vocab.dtype.kind == "O":
            values = vocab.tolist() if col.safe else [escape(v) for v in vocab.tolist()]
            vocab = np.array([v.encode() for v in values]) if values else np.zeros(0, "S1")
    table = _vocab_bytes(vocab, col.safe)
    if null is not None:
        codes = np.where(null, len(table) - 1, codes)
    return _matrix(table[codes])


def _bytes(col: Col) -> np.ndarray:
    null = col.null if col.null is not None and col.null.any() else None
    if col.kind == "time":
        if null is not None and null.all():
            return np.tile(np.frombuffer(_NULL, np.uint8), (len(col), 1))
        return _time_bytes(col, null)
    if col.kind == "text":
        return _text_bytes(col, null)
    return _number_bytes(col, null)


def encode(frame: Frame, columns: tuple[str, ...]) -> bytes:
    """The rows of `frame` as COPY text, columns in the given order."""
    n = len(frame)
    if n == 0:
        return b""
    parts = [_bytes(frame[name]) for name in columns]
    width = sum(p.shape[1] for p in parts) + len(parts)
    out = np.empty((n, width), np.uint8)
    at = 0
    for i, part in enumerate(parts):
        out[:, at : at + part.shape[1]] = part
        at += part.shape[1]
        out[:, at] = ord("\t") if i < len(parts) - 1 else ord("\n")
        at += 1
    flat = out.ravel()
    return flat[flat != 0].tobytes()
