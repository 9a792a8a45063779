"""The catalogue behind the features: signal names, groups, descriptions, word lists.

Kept apart from the extraction code so the list of what Kraken looks at (and
how each signal is explained to an analyst) reads in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_GROUPS = ("headers", "urls", "html", "attachments", "language")
ALL_GROUPS = (*DEFAULT_GROUPS, "genre", "structure")
TEXT_CHARS = 6000  # body characters fed to n-grams; the opening carries the ask


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    group: str
    description: str  # completes "This email ..." style reasons; shown to analysts


SIGNAL_LIST = (
    Signal(
        "reply_to_other_domain",
        "headers",
        "Reply-To sends answers to a different domain than From",
    ),
    Signal(
        "return_path_other_domain",
        "headers",
        "bounce address (Return-Path) is on a different domain than From",
    ),
    Signal(
        "display_name_has_address",
        "headers",
        "sender's display name shows an email address that is not the real sender",
    ),
    Signal(
        "display_name_brand",
        "headers",
        "sender's display name names a well-known brand the sending domain does not "
        "belong to",
    ),
    Signal("from_freemail", "headers", "sent from a free webmail address"),
    Signal(
        "from_domain_odd",
        "headers",
        "sending domain looks machine-made (many digits, hyphens or labels)",
    ),
    Signal(
        "message_id_other_domain",
        "headers",
        "Message-ID was made by a different domain than From",
    ),
    Signal("no_message_id", "headers", "has no Message-ID header"),
    Signal("unusual_mailer", "headers", "sent by a bulk or scripted mailer"),
    Signal("auth_fail", "headers", "sender authentication (SPF, DKIM or DMARC) failed"),
    Signal(
        "auth_pass", "headers", "sender authentication (SPF, DKIM and DMARC) passed"
    ),
    Signal("subject_urgent", "language", "subject line pushes for urgency"),
    Signal("urls", "urls", "contains links"),
    Signal("url_domains", "urls", "links go to several different domains"),
    Signal("ip_url", "urls", "a link points to a bare IP address instead of a domain"),
    Signal(
        "punycode_url", "urls", "a link uses a punycode or non-ASCII look-alike domain"
    ),
    Signal(
        "shortener_url",
        "urls",
        "a link goes through a URL shortener that hides the destination",
    ),
    Signal(
        "link_text_mismatch",
        "urls",
        "link text names one domain but the link goes to another",
    ),
    Signal("url_userinfo", "urls", "a link hides its real host behind an @ sign"),
    Signal("url_odd_port", "urls", "a link uses a non-standard port"),
    Signal(
        "url_risky_tld",
        "urls",
        "a link goes to a top-level domain often used for abuse",
    ),
    Signal(
        "url_free_hosting",
        "urls",
        "a link goes to free web hosting or a file-sharing service",
    ),
    Signal(
        "url_login_path", "urls", "a link's path looks like a login or account page"
    ),
    Signal("url_script_scheme", "urls", "a link uses a javascript: or data: address"),
    Signal("html_form", "html", "contains a form that can submit data"),
    Signal("html_password", "html", "contains a password field"),
    Signal("html_script", "html", "contains scripts"),
    Signal("html_iframe", "html", "embeds another page (iframe)"),
    Signal("html_hidden_text", "html", "contains text hidden from the reader"),
    Signal(
        "html_meta_refresh", "html", "redirects the reader automatically (meta refresh)"
    ),
    Signal("attachments", "attachments", "has attachments"),
    Signal("attach_risky", "attachments", "has an executable or script attachment"),
    Signal("attach_archive", "attachments", "has an archive or disk image attachment"),
    Signal("attach_macro", "attachments", "has an Office document that can run macros"),
    Signal(
        "attach_html",
        "attachments",
        "has an HTML attachment (a common fake login page carrier)",
    ),
    Signal(
        "attach_double_ext",
        "attachments",
        "an attachment name hides its type with a double extension",
    ),
    Signal(
        "attach_encrypted",
        "attachments",
        "has a password-protected archive that scanners cannot open",
    ),
    Signal(
        "credential_words",
        "language",
        "asks the reader to log in, verify or update an account",
    ),
    Signal("urgency_words", "language", "pressures the reader with urgency or threats"),
    Signal(
        "money_words",
        "language",
        "talks about payments, invoices, prizes or money transfers",
    ),
    Signal("mailing_list", "genre", "carries mailing-list headers"),
    Signal("thread_reply", "genre", "is a reply in an existing thread"),
    Signal("size_log", "structure", "is large"),
    Signal("mime_parts", "structure", "has many MIME parts"),
    Signal("is_html", "structure", "is an HTML email"),
    Signal("non_ascii", "structure", "has much non-ASCII text"),
)
SIGNALS: dict[str, Signal] = {signal.name: signal for signal in SIGNAL_LIST}
SIGNAL_NAMES: tuple[str, ...] = tuple(SIGNALS)

FREEMAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mail.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "yandex.ru",
        "yandex.com",
        "mail.ru",
        "protonmail.com",
        "proton.me",
        "zoho.com",
        "uol.com.br",
        "bol.com.br",
        "terra.com.br",
        "yahoo.co.uk",
        "hotmail.co.uk",
        "libero.it",
        "orange.fr",
        "free.fr",
    ]
)
BRANDS = [
    "paypal",
    "microsoft",
    "office365",
    "outlook",
    "apple",
    "icloud",
    "amazon",
    "netflix",
    "dhl",
    "fedex",
    "ups",
    "usps",
    "docusign",
    "dropbox",
    "google",
    "wells",
    "fargo",
    "chase",
    "citibank",
    "santander",
    "hsbc",
    "barclays",
    "adobe",
    "linkedin",
    "facebook",
    "instagram",
    "whatsapp",
    "coinbase",
    "binance",
    "metamask",
    "norton",
    "mcafee",
    "onedrive",
    "sharepoint",
    "webmail",
    "helpdesk",
]
SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "tiny.cc",
        "s.id",
        "t.ly",
        "bitly.com",
        "lnkd.in",
        "tr.im",
        "v.gd",
        "qrco.de",
        "shorte.st",
    ]
)
RISKY_TLDS = frozenset(
    [
        "zip",
        "mov",
        "xyz",
        "top",
        "club",
        "online",
        "site",
        "live",
        "icu",
        "buzz",
        "rest",
        "cfd",
        "sbs",
        "click",
        "link",
        "shop",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "work",
        "fit",
        "cam",
        "monster",
        "quest",
        "bond",
        "support",
    ]
)
FREE_HOSTING = [
    "firebaseapp.com",
    "web.app",
    "weebly.com",
    "wixsite.com",
    "000webhostapp.com",
    "blogspot.com",
    "sharepoint.com",
    "googleapis.com",
    "ipfs",
    "glitch.me",
    "herokuapp.com",
    "github.io",
    "azurewebsites.net",
    "amazonaws.com",
    "r2.dev",
    "pages.dev",
    "workers.dev",
    "ngrok",
    "translate.goog",
    "sites.google.com",
    "docs.google.com",
    "forms.gle",
    "dropboxusercontent.com",
    "wetransfer.com",
]
RISKY_EXT = frozenset(
    [
        "exe",
        "scr",
        "com",
        "pif",
        "bat",
        "cmd",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "hta",
        "ps1",
        "jar",
        "msi",
        "lnk",
        "cpl",
        "dll",
        "reg",
        "iso",
        "img",
        "vhd",
        "vhdx",
    ]
)
ARCHIVE_EXT = frozenset(
    [
        "zip",
        "rar",
        "7z",
        "gz",
        "tgz",
        "tar",
        "ace",
        "arj",
        "cab",
        "iso",
        "img",
        "xz",
        "bz2",
        "z",
    ]
)
MACRO_EXT = frozenset(
    ["docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "sldm", "xlsb"]
)
LOGIN_PATH_RE = re.compile(
    r"login|logon|signin|sign-in|verify|account|secure|update|webscr|auth|wp-admin|password|banking"
)
MAILER_RE = re.compile(
    r"phpmailer|swiftmailer|python|perl|java|curl|mass|bulk|blaster|atomic|cdo|wordpress|sendinblue|smtp2go|powershell",
    re.I,
)
ODD_DOMAIN_RE = re.compile(r"\d{3,}|-.*-|^(?:[^.]+\.){3,}")
CREDENTIAL_RE = re.compile(
    r"\b(?:password|passcode|log ?in|sign ?in|verify|verification|confirm "
    r"your|credentials?|"
    r"unusual (?:activity|sign)|security alert|validate|re-?activate|mailbox (?:is "
    r")?full|"
    r"update your (?:account|payment|billing|information|details)|"
    r"account (?:has been |will be |is "
    r")?(?:suspended|locked|disabled|limited|closed|blocked))\b",
    re.I,
)
URGENCY_RE = re.compile(
    r"\b(?:urgent|urgently|immediately|within \d+ hours|24 hours|48 hours|final "
    r"(?:notice|warning|reminder)|"
    r"act now|expires?|expired|expiring|deadline|suspend(?:ed)?|last chance|as soon "
    r"as possible|asap|"
    r"action required|important notice)\b",
    re.I,
)
MONEY_RE = re.compile(
    r"\b(?:invoice|payment|wire "
    r"transfer|refund|prize|winner|won|lottery|bitcoin|crypto|gift ?card|"
    r"compensation|inheritance|beneficiary|reward|claim your)\b",
    re.I,
)
DOMAIN_IN_TEXT_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,24})\b", re.I)
IP_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$|^\[?[0-9a-f:]+:[0-9a-f:]*\]?$")
AUTH_FAIL_RE = re.compile(
    r"\b(?:spf|dkim|dmarc)=(?:fail|softfail|permerror)|^\s*(?:fail|softfail)\b", re.I
)
AUTH_PASS_RE = re.compile(r"\bdmarc=pass\b", re.I)
