"""A directory of model files, one of them promoted, with a history to roll back.

Layout::

    models/                      (KRAKEN_MODEL_DIR, or --registry)
      registry.json              {"promoted": VERSION, "stack": [...], "history": [...]}
      <version>.skops            one file per model version

`registry.json` is replaced atomically (write a temporary file, then rename),
so a reader never sees half of it. `PromotedModel` watches that file and
loads the newly promoted model on the next `get()`: promotion and rollback
take effect in a running service without a restart.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kraken.errors import ModelError
from kraken.logs import get_logger
from kraken.phishing.artifact import load_artifact
from kraken.phishing.model import PhishingModel

REGISTRY_FILE = "registry.json"
DEFAULT_REGISTRY = Path("models")
log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    version: str
    path: Path
    created: str
    promoted: bool
    evaluation: dict[str, Any]


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.file = root / REGISTRY_FILE

    def state(self) -> dict[str, Any]:
        if not self.file.is_file():
            return {"promoted": None, "stack": [], "history": []}
        try:
            data: dict[str, Any] = json.loads(self.file.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read {self.file}: {exc}") from exc
        return data

    def path_of(self, version: str) -> Path:
        if not version or "/" in version or "\\" in version or version.startswith("."):
            raise ModelError(f"invalid model version {version!r}")
        return self.root / f"{version}.skops"

    def models(self) -> list[ModelInfo]:
        """Every model file in the registry, newest first."""
        promoted = self.state().get("promoted")
        infos = []
        for path in sorted(self.root.glob("*.skops")):
            try:
                _, metadata = load_artifact(path)
            except ModelError as exc:
                log.warning("phishing.registry.unreadable", path=path, error=str(exc))
                continue
            version = str(metadata.get("version", path.stem))
            infos.append(
                ModelInfo(
                    version=version,
                    path=path,
                    created=str(metadata.get("created", "")),
                    promoted=version == promoted,
                    evaluation=dict(metadata.get("evaluation", {})),
                )
            )
        return sorted(infos, key=lambda info: info.created, reverse=True)

    def metadata(self, version: str) -> dict[str, Any]:
        path = self.path_of(version)
        if not path.is_file():
            raise ModelError(f"no model {version!r} in {self.root}")
        return load_artifact(path)[1]

    def add(self, source: Path) -> str:
        """Copy a model file in (after loading it safely); returns its version."""
        model = PhishingModel.load(source)
        target = self.path_of(model.version)
        if source.resolve() != target.resolve():
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return model.version

    def promote(self, version_or_path: str) -> str:
        """Make a version (or a model file, added first) the one the service uses."""
        candidate = Path(version_or_path)
        if candidate.suffix == ".skops" and candidate.is_file():
            version = self.add(candidate)
        else:
            version = version_or_path
            PhishingModel.load(self.path_of(version))  # refuse what cannot load
        state = self.state()
        previous = state.get("promoted")
        stack = [item for item in state.get("stack", []) if item != version] + [version]
        self._write(
            state, promoted=version, stack=stack, action="promote", previous=previous
        )
        return version

    def rollback(self) -> str:
        """Return to the model promoted before the current one."""
        state = self.state()
        stack = list(state.get("stack", []))
        if len(stack) < 2:
            raise ModelError(
                "nothing to roll back to: fewer than two promotions recorded"
            )
        previous = stack.pop()
        self._write(
            state, promoted=stack[-1], stack=stack, action="rollback", previous=previous
        )
        return str(stack[-1])

    def _write(
        self,
        state: dict[str, Any],
        *,
        promoted: str,
        stack: list[str],
        action: str,
        previous: Any,
    ) -> None:
        event = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action,
            "version": promoted,
            "previous": previous,
        }
        data = {
            "promoted": promoted,
            "stack": stack,
            "history": [*state.get("history", []), event],
        }
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(
            dir=self.root, prefix=".registry-", suffix=".json"
        )
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, self.file)
        log.info(
            "phishing.registry.changed",
            action=action,
            version=promoted,
            previous=previous,
        )


class PromotedModel:
    """The promoted model of a registry, reloaded when the registry changes.

    `get()` costs one ``stat`` when nothing changed. If a newly promoted model
    cannot be loaded, the model already in use keeps serving and the error is
    logged; with no model at all, `get()` raises ModelError.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._model: PhishingModel | None = None

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self.registry.file.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def get(self) -> PhishingModel:
        stamp = self._current_stamp()
        with self._lock:
            if stamp != self._stamp or self._model is None:
                self._reload(stamp)
            if self._model is None:
                raise ModelError(f"no promoted model in {self.registry.root}")
            return self._model

    def _reload(self, stamp: tuple[int, int, int] | None) -> None:
        version = self.registry.state().get("promoted") if stamp else None
        if not version:
            self._stamp = stamp
            return
        try:
            model = PhishingModel.load(self.registry.path_of(version))
        except ModelError as exc:
            log.error("phishing.model.reload_failed", version=version, error=str(exc))
            if self._model is None:
                raise
            self._stamp = stamp
            return
        self._model, self._stamp = model, stamp
        log.info("phishing.model.loaded", version=version)
