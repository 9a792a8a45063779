"""From raw bytes to the numeric matrix the classifier sees.

Two stages, so cross-validation stays cheap: `featurize` (parse + signals +
model text, stateless, parallel over processes) and `Vectorizer` (hashing
n-grams, TF-IDF weights and signal scaling; the only part fitted on data).
Hashing needs no vocabulary, so the same hashed matrix serves every fold.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import MaxAbsScaler
from sklearn.utils import murmurhash3_32

from kraken.phishing.features import (
    DEFAULT_GROUPS,
    SIGNAL_NAMES,
    SIGNALS,
    extract_signals,
    model_text,
)
from kraken.phishing.leakage import StrippingProfile
from kraken.phishing.parse import ParsedEmail, parse_email

CHAR_TEXT_CHARS = 1500  # character n-grams are costly; the opening lines suffice
PARALLEL_MIN = 300  # below this many emails, process start-up costs more than it saves
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which features a model uses; stored in the model and reused at scoring."""

    groups: tuple[str, ...] = DEFAULT_GROUPS
    use_text: bool = True
    use_signals: bool = True
    mask_dates: bool = True
    header_tokens: bool = False  # header names as words: the leak canary only
    word_features: int = 2**18
    char_features: int = 2**17

    @property
    def signal_names(self) -> tuple[str, ...]:
        if not self.use_signals:
            return ()
        return tuple(
            name for name in SIGNAL_NAMES if SIGNALS[name].group in self.groups
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["groups"] = list(self.groups)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        return cls(**{**data, "groups": tuple(data.get("groups", DEFAULT_GROUPS))})


@dataclass(frozen=True, slots=True)
class Row:
    """One featurized email: every signal (in SIGNAL_NAMES order) and its model text."""

    signals: tuple[float, ...]
    text: str
    defects: int = 0


def featurize_parsed(parsed: ParsedEmail, config: FeatureConfig) -> Row:
    signals = extract_signals(parsed)
    text = model_text(parsed, mask_dates=config.mask_dates)
    if config.header_tokens:
        names = " ".join(
            "hdr_" + key.lower().replace("-", "_") for key, _ in parsed.headers
        )
        text = text + "\n" + names
    return Row(tuple(signals[name] for name in SIGNAL_NAMES), text, len(parsed.defects))


def featurize(raw: bytes, profile: StrippingProfile, config: FeatureConfig) -> Row:
    return featurize_parsed(parse_email(raw, profile), config)


def featurize_many(
    raws: Sequence[bytes],
    profile: StrippingProfile,
    config: FeatureConfig,
    *,
    jobs: int = 0,
    progress: Progress | None = None,
) -> list[Row]:
    """Featurize every email, over `jobs` processes (0: one per core, at most 4)."""
    jobs = jobs or min(4, os.cpu_count() or 1)
    work = partial(featurize, profile=profile, config=config)
    rows: list[Row] = []
    if jobs == 1 or len(raws) < PARALLEL_MIN:
        for raw in raws:
            rows.append(work(raw))
            if progress:
                progress(1)
        return rows
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for row in pool.map(work, raws, chunksize=32):
            rows.append(row)
            if progress:
                progress(1)
    return rows


def _word_hasher(config: FeatureConfig) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=config.word_features,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm=None,
        token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a secret)
    )


def _char_hasher(config: FeatureConfig) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=config.char_features,
        analyzer="char_wb",
        ngram_range=(3, 5),
        alternate_sign=False,
        norm=None,
        preprocessor=_char_preprocess,
    )


def _char_preprocess(text: str) -> str:
    return text[:CHAR_TEXT_CHARS].lower()


@dataclass
class Hashed:
    """Unweighted inputs: dense signals and hashed n-gram counts, row-aligned."""

    signals: np.ndarray[Any, np.dtype[np.float64]]
    words: sp.csr_matrix | None
    chars: sp.csr_matrix | None

    def take(self, index: np.ndarray[Any, np.dtype[np.intp]]) -> Hashed:
        return Hashed(
            self.signals[index],
            None if self.words is None else self.words[index],
            None if self.chars is None else self.chars[index],
        )


def hash_rows(rows: Sequence[Row], config: FeatureConfig) -> Hashed:
    columns = [SIGNAL_NAMES.index(name) for name in config.signal_names]
    signals = np.asarray([row.signals for row in rows], dtype=np.float64).reshape(
        len(rows), -1
    )
    signals = signals[:, columns]
    if not config.use_text:
        return Hashed(signals, None, None)
    texts = [row.text for row in rows]
    words = _word_hasher(config).transform(texts).tocsr()
    chars = _char_hasher(config).transform(texts).tocsr()
    return Hashed(signals, words, chars)


@dataclass
class Vectorizer:
    """The fitted part: TF-IDF weights for n-grams and scaling for signals."""

    config: FeatureConfig
    word_tfidf: TfidfTransformer | None = None
    char_tfidf: TfidfTransformer | None = None
    scaler: MaxAbsScaler | None = None
    signal_weight: float = field(default=1.0)

    def fit(self, hashed: Hashed) -> Vectorizer:
        if hashed.signals.shape[1]:
            self.scaler = MaxAbsScaler().fit(hashed.signals)
        if hashed.words is not None and hashed.chars is not None:
            self.word_tfidf = TfidfTransformer(sublinear_tf=True).fit(hashed.words)
            self.char_tfidf = TfidfTransformer(sublinear_tf=True).fit(hashed.chars)
        return self

    def transform(self, hashed: Hashed) -> sp.csr_matrix:
        blocks: list[Any] = []
        if self.scaler is not None:
            # MaxAbs keeps zeros zero and rare signals at most 1: well conditioned
            # next to L2-normalised TF-IDF rows, and "absent" contributes nothing.
            scaled = np.clip(self.scaler.transform(hashed.signals), 0.0, 2.0)
            blocks.append(sp.csr_matrix(scaled * self.signal_weight))
        if self.word_tfidf is not None and hashed.words is not None:
            blocks.append(self.word_tfidf.transform(hashed.words))
        if self.char_tfidf is not None and hashed.chars is not None:
            blocks.append(self.char_tfidf.transform(hashed.chars))
        if not blocks:
            raise ValueError("feature configuration selects no features")
        return sp.hstack(blocks, format="csr")

    def components(self) -> dict[str, Any]:
        return {
            "word_tfidf": self.word_tfidf,
            "char_tfidf": self.char_tfidf,
            "scaler": self.scaler,
        }

    @classmethod
    def from_components(
        cls, config: FeatureConfig, parts: dict[str, Any]
    ) -> Vectorizer:
        return cls(
            config,
            parts.get("word_tfidf"),
            parts.get("char_tfidf"),
            parts.get("scaler"),
        )

    def column_names(self, text: str) -> dict[int, str]:
        """Column -> readable name, for the signals and the word n-grams of `text`."""
        names = dict(enumerate(self.config.signal_names))
        if self.word_tfidf is None:
            return names
        offset = len(self.config.signal_names)
        analyzer = _word_hasher(self.config).build_analyzer()
        for term in set(analyzer(text)):
            names.setdefault(
                offset + _hash_index(term, self.config.word_features), f'"{term}"'
            )
        return names


def _hash_index(term: str, n_features: int) -> int:
    """The column HashingVectorizer gives `term` (same murmurhash and modulo)."""
    value = int(murmurhash3_32(term, seed=0, positive=False))
    if value == -(2**31):  # abs() would overflow int32 in sklearn's C code
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(value) % n_features
