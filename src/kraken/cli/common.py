"""What the service commands share: load settings, set up logs, stop on signals."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import click

from kraken import logs
from kraken.config.loader import load_settings
from kraken.config.models import Settings

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    envvar="KRAKEN_CONFIG",
    help="Kraken YAML configuration file (or $KRAKEN_CONFIG).",
)


def load(config_path: Path) -> Settings:
    settings = load_settings(config_path, os.environ)
    logs.configure(settings.logging.level, json_lines=settings.logging.json_lines)
    return settings


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, for graceful shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
