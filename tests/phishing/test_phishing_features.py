"""Feature extraction on hand-made emails: each signal fires on its trick."""

from __future__ import annotations

import base64
import io
import zipfile

from kraken.phishing.features import extract_signals, model_text
from kraken.phishing.parse import parse_email

PLAIN = b"""From: Alice <alice@corp.test>
To: bob@corp.test
Subject: Notes
Message-ID: <1@corp.test>

Hi Bob, notes from the meeting are on the wiki.
"""


def _html_email(html: str, headers: str = "") -> bytes:
    head = (
        "From: IT <it@corp.test>\nTo: bob@corp.test\nSubject: Hello\n"
        "Message-ID: <2@corp.test>\n" + headers + "Content-Type: text/html\n\n"
    )
    return (head + html).encode()


def _with_attachment(name: str, payload: bytes) -> bytes:
    encoded = base64.encodebytes(payload).decode()
    return (
        "From: a@corp.test\nSubject: file\nContent-Type: multipart/mixed; "
        "boundary=XX\n\n"
        "--XX\nContent-Type: text/plain\n\nsee attached\n--XX\n"
        f"Content-Type: application/octet-stream\nContent-Disposition: attachment; "
        f'filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{encoded}\n--XX--\n"
    ).encode()


def signals(raw: bytes) -> dict[str, float]:
    return extract_signals(parse_email(raw))


def test_plain_business_email_fires_no_trick_signals() -> None:
    values = signals(PLAIN)
    tricks = [
        name
        for name, value in values.items()
        if value and name not in ("size_log", "mime_parts", "non_ascii")
    ]
    assert tricks == []


def test_reply_to_on_another_domain() -> None:
    raw = PLAIN.replace(b"Subject:", b"Reply-To: pay@elsewhere.example\nSubject:")
    assert signals(raw)["reply_to_other_domain"] == 1.0
    same = PLAIN.replace(b"Subject:", b"Reply-To: team@mail.corp.test\nSubject:")
    assert signals(same)["reply_to_other_domain"] == 0.0


def test_display_name_tricks() -> None:
    raw = PLAIN.replace(
        b"From: Alice <alice@corp.test>",
        b'From: "PayPal ceo@bank.example" <x@random.test>',
    )
    values = signals(raw)
    assert values["display_name_brand"] == 1.0
    assert values["display_name_has_address"] == 1.0


def test_ip_punycode_and_shortener_links() -> None:
    html = (
        '<a href="http://192.0.2.7/login">here</a>'
        '<a href="https://xn--pypal-4ve.com/">paypal</a>'
        '<a href="https://bit.ly/3abc">track</a>'
    )
    values = signals(_html_email(html))
    assert values["ip_url"] > 0
    assert values["punycode_url"] > 0
    assert values["shortener_url"] > 0
    assert values["url_login_path"] > 0
    assert values["url_domains"] > 0


def test_userinfo_trick_fires_but_a_mailto_link_does_not() -> None:
    trick = _html_email('<a href="http://www.mybank.com@198.51.100.9/">bank</a>')
    assert signals(trick)["url_userinfo"] > 0
    mailto = _html_email(
        '<a href="mailto:remove@lists.example?subject=unsubscribe">remove me</a>'
    )
    values = signals(mailto)
    assert values["url_userinfo"] == 0
    assert values["url_domains"] == 0


def test_link_text_naming_another_domain() -> None:
    mismatch = _html_email('<a href="http://evil.example/x">www.mybank.com/login</a>')
    assert signals(mismatch)["link_text_mismatch"] > 0
    honest = _html_email(
        '<a href="https://www.mybank.com/login">www.mybank.com/login</a>'
    )
    assert signals(honest)["link_text_mismatch"] == 0


def test_form_password_script_and_hidden_text() -> None:
    html = (
        '<form action="http://collect.example/p"><input type="password"></form>'
        "<script>steal()</script>"
        '<div style="display: none">invisible words padding the message body out</div>'
    )
    values = signals(_html_email(html))
    assert values["html_form"] > 0
    assert values["html_password"] > 0
    assert values["html_script"] > 0
    assert values["html_hidden_text"] == 1.0
    assert "invisible" not in parse_email(_html_email(html)).text


def test_risky_macro_and_archive_attachments() -> None:
    assert signals(_with_attachment("report.docm", b"PK\x03\x04x"))["attach_macro"] > 0
    assert signals(_with_attachment("setup.exe", b"MZ"))["attach_risky"] > 0
    assert signals(_with_attachment("page.html", b"<form>"))["attach_html"] > 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf.js", b"x")
    values = signals(_with_attachment("invoice.zip", buffer.getvalue()))
    assert values["attach_archive"] > 0
    assert values["attach_risky"] > 0
    assert values["attach_double_ext"] > 0


def test_credential_and_urgency_language() -> None:
    raw = PLAIN.replace(
        b"Hi Bob",
        b"Urgent: verify your account immediately or your account will be suspended",
    )
    values = signals(raw)
    assert values["credential_words"] > 0
    assert values["urgency_words"] > 0


def test_mailing_list_headers_are_genre_signals() -> None:
    raw = PLAIN.replace(
        b"Subject:", b"List-Id: <dev.lists.example>\nPrecedence: bulk\nSubject:"
    )
    assert signals(raw)["mailing_list"] == 1.0


def test_model_text_masks_dates_years_and_addresses() -> None:
    raw = PLAIN.replace(
        b"Hi Bob",
        b"On 12/05/2002 at 10:22:33 in 2002 write to x@corp.test see https://a.example/q",
    )
    text = model_text(parse_email(raw))
    assert "2002" not in text
    assert "10:22" not in text
    assert "x@corp.test" not in text
    assert "urltoken" in text
    assert "2002" in model_text(parse_email(raw), mask_dates=False)
