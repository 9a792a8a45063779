"""Labelled training data: one stream of `LabelledEmail` per source.

A source is anything iterable that yields labelled raw emails; the folder and
CSV-manifest sources below are the first two. Cofense Triage history and
ServiceNow closed phishing records plug in by implementing `EmailSource`.

Near-duplicate groups keep copies of one campaign on one side of every split;
`attach_groups` reads them from a ``path,group`` CSV (``near_dup_groups.csv``).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

from kraken.errors import KrakenError

LABELS = ("clean", "spam", "malicious")
GROUPS_FILE = "near_dup_groups.csv"


class DataError(KrakenError):
    """Training or evaluation data cannot be read as labelled emails."""


@dataclass(frozen=True, slots=True)
class LabelledEmail:
    key: str  # stable identifier inside its source (a path, a report id)
    label: str
    raw: bytes
    group: str = ""  # near-duplicate group; "" means "a group of its own"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def group_key(self) -> str:
        return self.group or f"own:{self.key}"


@runtime_checkable
class EmailSource(Protocol):
    """A stream of labelled emails, e.g. a folder, a manifest, a ticket history."""

    def describe(self) -> str:
        """One line naming the source, for logs and model metadata."""
        ...

    def __iter__(self) -> Iterator[LabelledEmail]: ...


@dataclass(frozen=True, slots=True)
class FolderSource:
    """``ROOT/<label>/*.eml``: one subfolder per label, as in the development corpus."""

    root: Path
    labels: tuple[str, ...] = LABELS

    def describe(self) -> str:
        return f"folder:{self.root}"

    def __iter__(self) -> Iterator[LabelledEmail]:
        if not self.root.is_dir():
            raise DataError(f"{self.root} is not a directory")
        found = False
        for label in self.labels:
            folder = self.root / label
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.eml")):
                found = True
                yield LabelledEmail(
                    key=str(path.resolve()), label=label, raw=path.read_bytes()
                )
        if not found:
            wanted = ", ".join(self.labels)
            raise DataError(f"no .eml files in {self.root}/{{{wanted}}}/")


@dataclass(frozen=True, slots=True)
class ManifestSource:
    """A CSV with ``path`` and ``label`` columns; paths are relative to the CSV."""

    manifest: Path

    def describe(self) -> str:
        return f"manifest:{self.manifest}"

    def __iter__(self) -> Iterator[LabelledEmail]:
        base = self.manifest.parent
        try:
            handle = self.manifest.open(newline="", encoding="utf-8")
        except OSError as exc:
            raise DataError(f"cannot read manifest {self.manifest}: {exc}") from exc
        with handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"path", "label"} <= set(reader.fieldnames):
                raise DataError(f"{self.manifest} needs 'path' and 'label' columns")
            for line, row in enumerate(reader, start=2):
                label = row["label"].strip()
                if label not in LABELS:
                    raise DataError(f"{self.manifest}:{line}: unknown label {label!r}")
                path = (base / row["path"]).resolve()
                try:
                    raw = path.read_bytes()
                except OSError as exc:
                    raise DataError(
                        f"{self.manifest}:{line}: cannot read {path}"
                    ) from exc
                yield LabelledEmail(key=str(path), label=label, raw=raw)


def find_groups_file(start: Path) -> Path | None:
    """``near_dup_groups.csv`` in `start` or one of its two parents, if any."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, folder.parent, folder.parent.parent):
        path = candidate / GROUPS_FILE
        if path.is_file():
            return path
    return None


def read_groups(path: Path) -> dict[str, str]:
    """Resolved file path -> group, from a ``path,group`` CSV (paths relative to it)."""
    groups: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"path", "group"} <= set(reader.fieldnames):
            raise DataError(f"{path} needs 'path' and 'group' columns")
        for row in reader:
            groups[str((path.parent / row["path"]).resolve())] = row["group"]
    return groups


def attach_groups(
    emails: Iterable[LabelledEmail], groups: dict[str, str]
) -> list[LabelledEmail]:
    return [replace(item, group=groups.get(item.key, item.group)) for item in emails]


def fingerprint(emails: Iterable[LabelledEmail]) -> str:
    """A digest of (content, label) pairs, independent of order and location."""
    digest = hashlib.sha256()
    for line in sorted(f"{item.sha256}:{item.label}" for item in emails):
        digest.update(line.encode())
    return digest.hexdigest()
