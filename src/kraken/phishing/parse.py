"""Raw email bytes to a `ParsedEmail`, with the stripping profile applied.

Parsing never raises on a malformed message: whatever could be read is
returned, and what went wrong is listed in `ParsedEmail.defects`. Reported
emails are adversarial input; a crash here would stall the triage queue.
"""

from __future__ import annotations

import email
import io
import re
import zipfile
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from html import unescape
from html.parser import HTMLParser

from kraken.phishing.leakage import StrippingProfile, builtin_profiles

MAX_TEXT_CHARS = 100_000  # per message; longer bodies add cost, not signal
MAX_ARCHIVE_MEMBERS = 50
_URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+""")
_HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*[01](?:px|pt)?\s*(?:;|$)|"
    r"opacity\s*:\s*0(?:\.0*)?\s*(?:;|$)|max-height\s*:\s*0"
)
_VOID_TAGS = frozenset(
    {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "wbr"}
)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str  # the visible anchor text, "" for a bare URL in plain text
    source: str  # "html", "text" or "form"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    has_macro: bool
    members: tuple[str, ...] = ()  # file names inside an archive, when readable
    encrypted: bool = False


@dataclass(frozen=True, slots=True)
class HtmlInfo:
    forms: int = 0
    password_inputs: int = 0
    inputs: int = 0
    scripts: int = 0
    iframes: int = 0
    images: int = 0
    hidden_chars: int = 0
    meta_refresh: bool = False
    form_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """What features are made of: headers after stripping, decoded text, links."""

    headers: tuple[tuple[str, str], ...]
    text: str
    html: str
    links: tuple[Link, ...]
    attachments: tuple[Attachment, ...]
    html_info: HtmlInfo
    defects: tuple[str, ...]
    size: int
    n_parts: int

    def header(self, name: str) -> str:
        """The first value of header `name` (case-insensitive), or ""."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")

    @property
    def subject(self) -> str:
        return self.header("Subject")


def parse_email(raw: bytes, profile: StrippingProfile | None = None) -> ParsedEmail:
    """Parse `raw` and strip it with `profile` (default: ``public-corpus``)."""
    profile = profile or _default_profile()
    data = profile.prepare_bytes(raw)
    defects: list[str] = []
    try:
        message = email.message_from_bytes(data, policy=compat32)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        defects.append(f"unparseable: {type(exc).__name__}")
        text = profile.mask(data[:MAX_TEXT_CHARS].decode("utf-8", "replace"))
        return ParsedEmail(
            (), text, "", (), (), HtmlInfo(), tuple(defects), len(data), 0
        )
    return _Walker(profile, defects).run(message, len(data))


_DEFAULT: list[StrippingProfile] = []


def _default_profile() -> StrippingProfile:
    if not _DEFAULT:
        _DEFAULT.append(builtin_profiles()["public-corpus"])
    return _DEFAULT[0]


class _Walker:
    """One pass over the MIME tree: strip, decode, collect."""

    def __init__(self, profile: StrippingProfile, defects: list[str]) -> None:
        self.profile = profile
        self.defects = defects
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Attachment] = []
        self.n_parts = 0

    def run(self, message: Message, size: int) -> ParsedEmail:
        headers = self._headers(message)
        for part in message.walk():
            self.n_parts += 1
            self.defects.extend(type(item).__name__ for item in part.defects)
            if part is not message:
                self._strip(part)
            if not part.is_multipart():
                self._leaf(part)
        html = "\n".join(self.htmls)
        scan = _HtmlScan()
        try:
            scan.feed(html)
            scan.close()
        except Exception as exc:  # HTMLParser rarely raises, but input is hostile
            self.defects.append(f"html: {type(exc).__name__}")
        text = "\n".join(self.texts) or scan.text()
        mask = self.profile.mask
        links = [Link(mask(url), mask(label), kind) for url, label, kind in scan.links]
        if not scan.links:  # a plain-text email: bare URLs are the links
            links += [Link(mask(url), "", "text") for url in _URL_RE.findall(text)]
        return ParsedEmail(
            headers=headers,
            text=mask(text[:MAX_TEXT_CHARS]),
            html=mask(html[:MAX_TEXT_CHARS]),
            links=tuple(links),
            attachments=tuple(self.attachments),
            html_info=scan.info(),
            defects=tuple(self.defects),
            size=size,
            n_parts=self.n_parts,
        )

    def _strip(self, part: Message) -> None:
        for name in set(part.keys()):
            if self.profile.strips_header(name):
                del part[name]

    def _headers(self, message: Message) -> tuple[tuple[str, str], ...]:
        kept: list[tuple[str, str]] = []
        for name, value in message.items():
            if self.profile.strips_header(name):
                continue
            if self.profile.masks_header_value(name):
                kept.append((name, "[masked]"))
                continue
            kept.append((name, self.profile.mask(_decode_header(value))))
        self._strip(message)
        return tuple(kept)

    def _leaf(self, part: Message) -> None:
        ctype = part.get_content_type()
        try:
            filename = part.get_filename() or ""
        except Exception:  # malformed RFC 2231 parameters
            self.defects.append("bad filename parameter")
            filename = ""
        filename = self.profile.mask(_decode_header(filename)) if filename else ""
        disposition = part.get_content_disposition()
        is_body = ctype in ("text/plain", "text/html") and not filename
        if is_body and disposition != "attachment":
            decoded = _decode_text(part)
            (self.htmls if ctype == "text/html" else self.texts).append(decoded)
            return
        if (
            filename
            or disposition == "attachment"
            or not ctype.startswith(("text/", "multipart/"))
        ):
            self._attachment(part, filename, ctype)

    def _attachment(self, part: Message, filename: str, ctype: str) -> None:
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            self.defects.append("undecodable attachment")
            payload = None
        blob = payload if isinstance(payload, bytes) else b""
        members, encrypted = _archive_members(blob)
        macro = _has_macro(blob) or any(
            name.lower().endswith("vbaproject.bin") for name in members
        )
        self.attachments.append(
            Attachment(filename, ctype, len(blob), macro, members, encrypted)
        )


def _decode_header(value: object) -> str:
    text = str(value)
    try:
        decoded = str(make_header(decode_header(text)))
    except Exception:  # broken encoded-words: keep what was there
        decoded = text
    return decoded.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _decode_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload[: MAX_TEXT_CHARS * 2].decode(charset, "replace")
    except LookupError:  # an unknown charset name
        return payload[: MAX_TEXT_CHARS * 2].decode("latin-1")


def _archive_members(blob: bytes) -> tuple[tuple[str, ...], bool]:
    if not blob.startswith(b"PK\x03\x04"):
        return (), False
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            infos = archive.infolist()[:MAX_ARCHIVE_MEMBERS]
            return tuple(info.filename for info in infos), any(
                i.flag_bits & 1 for i in infos
            )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return (), False


def _has_macro(blob: bytes) -> bool:
    # OLE2 documents (.doc/.xls) keep macros in a "_VBA_PROJECT" stream.
    return (
        blob.startswith(b"\xd0\xcf\x11\xe0") and b"_\x00V\x00B\x00A\x00_\x00P" in blob
    )


class _HtmlScan(HTMLParser):
    """Links with their visible text, forms, scripts and hidden text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self._chunks: list[str] = []
        self._anchor: tuple[str, list[str]] | None = None
        self._skip = 0  # inside <script>/<style>
        self._hidden: list[str] = []  # open tags whose style hides them
        self.counts = {
            "form": 0,
            "password": 0,
            "input": 0,
            "script": 0,
            "iframe": 0,
            "img": 0,
        }
        self.hidden_chars = 0
        self.meta_refresh = False
        self.actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag in ("script", "style"):
            self._skip += 1
            self.counts["script"] += tag == "script"
        elif tag == "a" and attr.get("href"):
            self._anchor = (attr["href"].strip(), [])
        elif tag == "form":
            self.counts["form"] += 1
            if attr.get("action"):
                self.actions.append(attr["action"].strip())
                self.links.append((attr["action"].strip(), "", "form"))
        elif tag == "input":
            self.counts["input"] += 1
            self.counts["password"] += attr.get("type", "").lower() == "password"
        elif tag in ("iframe", "img"):
            self.counts[tag] += 1
        elif tag == "meta" and attr.get("http-equiv", "").lower() == "refresh":
            self.meta_refresh = True
        if tag not in _VOID_TAGS and _HIDDEN_STYLE_RE.search(
            attr.get("style", "").lower()
        ):
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._anchor is not None:
            href, words = self._anchor
            self.links.append((href, " ".join(" ".join(words).split()), "html"))
            self._anchor = None
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._hidden:
            self.hidden_chars += len(data.strip())
            return
        self._chunks.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)

    def text(self) -> str:
        return unescape(" ".join(" ".join(self._chunks).split()))

    def info(self) -> HtmlInfo:
        return HtmlInfo(
            forms=self.counts["form"],
            password_inputs=self.counts["password"],
            inputs=self.counts["input"],
            scripts=self.counts["script"],
            iframes=self.counts["iframe"],
            images=self.counts["img"],
            hidden_chars=self.hidden_chars,
            meta_refresh=self.meta_refresh,
            form_actions=tuple(self.actions),
        )
