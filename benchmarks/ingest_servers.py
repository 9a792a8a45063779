"""The servers ingest_bench.py measures, each run in a child process of its own.

Kept apart from the load generator so that each file has one job: this one
builds and serves a target, ingest_bench.py drives it and reads it back.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
import sqlite3
import threading
import time
from multiprocessing.connection import Connection
from typing import Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.webhook import create_app
from kraken.logs import configure
from kraken.metrics.definitions import Metrics
from kraken.store import create_engine_for, upgrade

Kind = Literal["ceiling", "bare", "kraken"]

TOKEN = "bench-webhook-token"  # a loopback benchmark secret, guards nothing
HEADER = "X-Kraken-Token"
WEBHOOK_PATH = "/webhooks/opsgenie"
MAX_ATTEMPTS = 5

BARE_SCHEMA = """
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    received_at REAL NOT NULL
)
"""
BARE_INSERT = (
    "INSERT INTO alerts (alert_id, payload, received_at) VALUES (?, ?, ?) "
    "ON CONFLICT (alert_id) DO NOTHING"
)


def ceiling_app() -> Starlette:
    async def webhook(request: Request) -> Response:
        await request.body()
        return JSONResponse({"status": "accepted"}, 202)

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"])])


def bare_app(path: str) -> Starlette:
    """One SQLite row and one commit per request, each in a worker thread."""
    local = threading.local()
    expected = TOKEN.encode()

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            local.conn = conn
        return conn

    def insert(alert_id: str, body: bytes) -> bool:
        conn = connection()
        with conn:  # commits on exit
            cursor = conn.execute(BARE_INSERT, (alert_id, body.decode(), time.time()))
        return cursor.rowcount == 1

    async def webhook(request: Request) -> Response:
        given = request.headers.get(HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "unauthorized"}, 401)
        body = await request.body()
        alert_id = json.loads(body)["alert"]["alertId"]
        stored = await asyncio.to_thread(insert, alert_id, body)
        return JSONResponse({"stored": stored}, 202 if stored else 200)

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"])])


def serve(kind: Kind, db_url: str, port_out: Connection) -> None:
    """Child process: bind a free port, report it, serve until killed."""
    configure("WARNING")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port_out.send(sock.getsockname()[1])
    port_out.close()

    inbox: GroupCommitInbox | None = None
    if kind == "ceiling":
        app: Starlette = ceiling_app()
    elif kind == "bare":
        app = bare_app(db_url)
    else:
        engine = create_engine_for(db_url)
        upgrade(engine)
        metrics = Metrics()
        inbox = GroupCommitInbox(engine, max_attempts=MAX_ATTEMPTS, metrics=metrics)
        inbox.start()
        app = create_app(inbox=inbox, token=TOKEN, header=HEADER, metrics=metrics)
    # A readiness route for the parent to poll; Kraken's app has its own.
    if kind != "kraken":
        app.add_route("/healthz", _ok, methods=["GET"])
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", backlog=2048
    )
    uvicorn.Server(config).run(sockets=[sock])


async def _ok(request: Request) -> Response:
    return JSONResponse({"status": "ok"})
