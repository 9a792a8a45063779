"""Model files: skops archives that are checked before anything in them is built.

A pickle runs code while it loads, so a model file from the wrong hands would
own the process. skops stores objects as data and builds only types it is
told to trust; this module trusts the short list of scikit-learn types a
Kraken model is made of and refuses any file that names another type, before
loading it. Metadata travels inside the file as one JSON string.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from kraken.errors import ModelError

FORMAT = "kraken-phishing-model/1"
# Everything a Kraken model contains beyond what skops trusts by default
# (builtins, numpy arrays and dtypes).
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.preprocessing._data.MaxAbsScaler",
    "sklearn.svm._classes.LinearSVC",
)


def save_artifact(
    path: Path, components: dict[str, Any], metadata: dict[str, Any]
) -> None:
    """Write components and metadata to `path` atomically (temp file, then rename)."""
    import skops.io as sio

    payload = {**components, "metadata": json.dumps(metadata, sort_keys=True)}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".skops")
    os.close(handle)
    try:
        sio.dump(payload, temp, compression=zipfile.ZIP_DEFLATED)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_artifact(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Components and metadata from `path`; ModelError if unsafe, corrupt or foreign."""
    import skops.io as sio

    if not path.is_file():
        raise ModelError(f"model file {path} does not exist")
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:  # skops raises many types on a damaged archive
        raise ModelError(f"{path} is not a readable skops model file: {exc}") from exc
    foreign = sorted(untrusted - set(TRUSTED_TYPES))
    if foreign:
        raise ModelError(
            f"{path} contains types Kraken does not trust: {', '.join(foreign)}"
        )
    try:
        payload = sio.load(path, trusted=sorted(untrusted))
    except Exception as exc:
        raise ModelError(f"{path} could not be loaded: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("metadata"), str):
        raise ModelError(f"{path} is not a Kraken phishing model")
    metadata = json.loads(payload.pop("metadata"))
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelError(
            f"{path} has format {metadata.get('format')!r}, expected {FORMAT}"
        )
    return payload, metadata
