"""Pure feature extraction: a `ParsedEmail` in, named signals and model text out.

Every handcrafted signal has a group and a sentence an analyst understands;
the sentence becomes a verdict's reason when the signal drives the score.

Groups, and why two of them are off by default:

* ``headers``, ``urls``, ``html``, ``attachments``, ``language``: tricks that
  phishing uses in any year and from any sender (links that go somewhere
  else, credential forms, reply-to redirection, risky attachment types).
* ``genre`` (off): mailing-list machinery. In public corpora most clean mail is
  list traffic, so these teach "mailing list means clean", which says nothing
  about the emails employees report.
* ``structure`` (off): size, part count, HTML-ness, non-ASCII share. They reveal
  the era and mail system an email came from rather than what it tries to do.
"""

from __future__ import annotations

import math
import re
from email.utils import getaddresses, parseaddr
from urllib.parse import urlsplit

from kraken.phishing import catalogue as cat
from kraken.phishing.catalogue import (
    ALL_GROUPS,
    DEFAULT_GROUPS,
    SIGNAL_NAMES,
    SIGNALS,
    TEXT_CHARS,
    Signal,
)
from kraken.phishing.parse import ParsedEmail

__all__ = [
    "ALL_GROUPS",
    "DEFAULT_GROUPS",
    "SIGNALS",
    "SIGNAL_NAMES",
    "Signal",
    "extract_signals",
    "model_text",
]


def domain_of(address: str) -> str:
    """The lower-cased domain of an email address, "" if there is none."""
    _, addr = parseaddr(address)
    return addr.rpartition("@")[2].strip(" >.").lower() if "@" in addr else ""


def registered_domain(host: str) -> str:
    """Approximate registrable domain: last two labels (three for ccSLDs)."""
    labels = [label for label in host.lower().strip(".").split(".") if label]
    if (
        len(labels) >= 3
        and len(labels[-1]) == 2
        and labels[-2] in ("co", "com", "net", "org", "gov", "ac", "edu")
    ):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# Links with these schemes name no web host: `mailto:a@b.example` must not
# read as a web link to b.example that hides its host behind an @ sign.
_HOSTLESS_SCHEMES = (
    "mailto:",
    "tel:",
    "sms:",
    "callto:",
    "cid:",
    "about:",
    "javascript:",
    "vbscript:",
    "data:",
)


def url_host(url: str) -> str:
    """The lower-cased web host a link goes to, "" for mailto: and the like."""
    if url[:12].lower().startswith(_HOSTLESS_SCHEMES):
        return ""
    candidate = url if "://" in url[:12] else "http://" + url
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        return ""
    return host.lower()


def extract_signals(parsed: ParsedEmail) -> dict[str, float]:
    """Every handcrafted signal of `parsed`, by name (counts are log-scaled)."""
    values: dict[str, float] = dict.fromkeys(SIGNAL_NAMES, 0.0)
    values.update(_header_signals(parsed))
    values.update(_url_signals(parsed))
    values.update(_html_signals(parsed))
    values.update(_attachment_signals(parsed))
    values.update(_language_signals(parsed))
    values.update(_genre_structure_signals(parsed))
    return values


def _header_signals(parsed: ParsedEmail) -> dict[str, float]:
    sender = parsed.header("From")
    display, address = parseaddr(sender)
    from_domain = domain_of(sender)
    from_reg = registered_domain(from_domain)
    values: dict[str, float] = {}

    def other(header: str) -> float:
        domain = domain_of(parsed.header(header))
        return float(
            bool(domain and from_reg and registered_domain(domain) != from_reg)
        )

    values["reply_to_other_domain"] = other("Reply-To")
    values["return_path_other_domain"] = other("Return-Path")
    shown = [domain_of(item) for _, item in getaddresses([display]) if "@" in item]
    values["display_name_has_address"] = float(
        any(d and registered_domain(d) != from_reg for d in shown)
    )
    lowered = display.lower()
    values["display_name_brand"] = float(
        any(b in lowered and b not in from_domain for b in cat.BRANDS)
    )
    values["from_freemail"] = float(
        from_reg in cat.FREEMAIL or from_domain in cat.FREEMAIL
    )
    values["from_domain_odd"] = float(
        bool(from_domain and cat.ODD_DOMAIN_RE.search(from_domain))
    )
    message_id = parsed.header("Message-ID")
    mid_domain = message_id.rpartition("@")[2].strip(" <>").lower()
    values["message_id_other_domain"] = float(
        bool(mid_domain and from_reg and registered_domain(mid_domain) != from_reg)
    )
    values["no_message_id"] = float(not message_id)
    mailer = parsed.header("X-Mailer") + " " + parsed.header("User-Agent")
    values["unusual_mailer"] = float(bool(cat.MAILER_RE.search(mailer)))
    auth = " ".join(
        value
        for key, value in parsed.headers
        if key.lower()
        in ("authentication-results", "received-spf", "arc-authentication-results")
    )
    values["auth_fail"] = float(bool(cat.AUTH_FAIL_RE.search(auth)))
    values["auth_pass"] = float(
        bool(cat.AUTH_PASS_RE.search(auth)) and not values["auth_fail"]
    )
    values["subject_urgent"] = float(
        bool(
            cat.URGENCY_RE.search(parsed.subject)
            or cat.CREDENTIAL_RE.search(parsed.subject)
        )
    )
    del address
    return values


def _url_signals(parsed: ParsedEmail) -> dict[str, float]:
    hosts = [url_host(link.url) for link in parsed.links]
    domains = {registered_domain(host) for host in hosts if host}
    counts = dict.fromkeys(
        (
            "ip_url",
            "punycode_url",
            "shortener_url",
            "link_text_mismatch",
            "url_userinfo",
            "url_odd_port",
            "url_risky_tld",
            "url_free_hosting",
            "url_login_path",
            "url_script_scheme",
        ),
        0,
    )
    for link, host in zip(parsed.links, hosts, strict=True):
        url = link.url.lower()
        counts["url_script_scheme"] += url.startswith(
            ("javascript:", "data:", "vbscript:")
        )
        if not host:
            continue
        counts["ip_url"] += bool(cat.IP_RE.match(host))
        counts["punycode_url"] += "xn--" in host or not host.isascii()
        counts["shortener_url"] += (
            registered_domain(host) in cat.SHORTENERS or host in cat.SHORTENERS
        )
        counts["url_risky_tld"] += host.rpartition(".")[2] in cat.RISKY_TLDS
        counts["url_free_hosting"] += any(item in host for item in cat.FREE_HOSTING)
        rest = url.split("://", 1)[-1]
        authority = rest.split("/", 1)[0]
        counts["url_userinfo"] += "@" in authority
        port = authority.rpartition(":")[2]
        counts["url_odd_port"] += (
            ":" in authority and port.isdigit() and port not in ("80", "443")
        )
        counts["url_login_path"] += bool(
            cat.LOGIN_PATH_RE.search(rest[len(authority) :])
        )
        counts["link_text_mismatch"] += _names_other_domain(link.text, host)
    values = {name: _log(count) for name, count in counts.items()}
    values["urls"] = _log(len(parsed.links))
    values["url_domains"] = _log(len(domains))
    return values


def _names_other_domain(text: str, host: str) -> bool:
    """True when visible link text names a domain unrelated to where the link goes."""
    if not text or "." not in text:
        return False
    target = registered_domain(host)
    for match in cat.DOMAIN_IN_TEXT_RE.finditer(text.lower()):
        named = registered_domain(match.group(1))
        tld = named.rpartition(".")[2]
        if (
            tld.isalpha()
            and len(tld) >= 2
            and named != target
            and not named.endswith("." + target)
        ):
            return True
    return False


def _html_signals(parsed: ParsedEmail) -> dict[str, float]:
    info = parsed.html_info
    return {
        "html_form": _log(info.forms),
        "html_password": _log(info.password_inputs),
        "html_script": _log(info.scripts),
        "html_iframe": _log(info.iframes),
        "html_hidden_text": float(info.hidden_chars >= 20),
        "html_meta_refresh": float(info.meta_refresh),
    }


def _extension(name: str) -> str:
    return name.lower().rpartition(".")[2] if "." in name else ""


def _attachment_signals(parsed: ParsedEmail) -> dict[str, float]:
    counts = dict.fromkeys(
        (
            "attach_risky",
            "attach_archive",
            "attach_macro",
            "attach_html",
            "attach_double_ext",
            "attach_encrypted",
        ),
        0,
    )
    for item in parsed.attachments:
        names = (item.filename, *item.members)
        exts = [_extension(name) for name in names]
        counts["attach_risky"] += any(ext in cat.RISKY_EXT for ext in exts)
        counts["attach_archive"] += _extension(
            item.filename
        ) in cat.ARCHIVE_EXT or bool(item.members)
        counts["attach_macro"] += item.has_macro or any(
            ext in cat.MACRO_EXT for ext in exts
        )
        counts["attach_html"] += (
            any(ext in ("htm", "html", "shtml", "svg") for ext in exts)
            or item.content_type == "text/html"
        )
        counts["attach_double_ext"] += any(_double_extension(name) for name in names)
        counts["attach_encrypted"] += item.encrypted
    values = {name: _log(count) for name, count in counts.items()}
    values["attachments"] = _log(len(parsed.attachments))
    return values


def _double_extension(name: str) -> bool:
    parts = name.lower().split(".")
    return (
        len(parts) >= 3
        and parts[-2] in ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "txt")
        and (parts[-1] in cat.RISKY_EXT or parts[-1] in ("htm", "html"))
    )


def _language_signals(parsed: ParsedEmail) -> dict[str, float]:
    text = parsed.subject + "\n" + parsed.text[:TEXT_CHARS]
    return {
        "credential_words": _log(len(cat.CREDENTIAL_RE.findall(text))),
        "urgency_words": _log(len(cat.URGENCY_RE.findall(text))),
        "money_words": _log(len(cat.MONEY_RE.findall(text))),
    }


def _genre_structure_signals(parsed: ParsedEmail) -> dict[str, float]:
    names = {key.lower() for key, _ in parsed.headers}
    listy = (
        any(name.startswith("list-") for name in names)
        or bool(
            names
            & {"x-mailman-version", "x-beenthere", "mailing-list", "x-mailing-list"}
        )
        or parsed.header("Precedence").lower() in ("list", "bulk")
    )
    sample = parsed.text[:TEXT_CHARS]
    return {
        "mailing_list": float(listy),
        "thread_reply": float(bool(names & {"in-reply-to", "references"})),
        "size_log": math.log10(1 + parsed.size),
        "mime_parts": _log(parsed.n_parts),
        "is_html": float(bool(parsed.html)),
        "non_ascii": sum(not char.isascii() for char in sample) / max(1, len(sample)),
    }


def _log(count: float) -> float:
    return math.log1p(count)


_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_DATE_RE = re.compile(
    r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"
)
_MONTH_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b", re.I
)
_URL_TEXT_RE = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_EMAIL_TEXT_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS_RE = re.compile(r"\d+")


def model_text(parsed: ParsedEmail, *, mask_dates: bool = True) -> str:
    """Subject and body text for n-grams, with addresses and (by default) dates masked.

    Years, dates and times say when an email was written, not what it wants;
    masking them keeps the n-grams from learning the corpus era.
    """
    text = parsed.subject + "\n" + parsed.text[:TEXT_CHARS]
    text = _URL_TEXT_RE.sub(" urltoken ", text)
    text = _EMAIL_TEXT_RE.sub(" emailtoken ", text)
    if mask_dates:
        text = _MONTH_RE.sub(" datetoken ", text)
        text = _DATE_RE.sub(" datetoken ", text)
        text = _YEAR_RE.sub(" yeartoken ", text)
        text = _DIGITS_RE.sub("0", text)
    return text
