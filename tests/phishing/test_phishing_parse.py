"""Parsing and stripping: leaky headers and strings never reach features."""

from __future__ import annotations

import pytest

from kraken.errors import ModelError
from kraken.phishing.leakage import StrippingProfile, builtin_profiles, load_profile
from kraken.phishing.parse import parse_email

LEAKY = (
    b"From MAILER-DAEMON Thu Aug 22 2002\r\n"
    b"Received: from mx.collector.test\r\n"
    b"X-MS-Exchange-Organization-SCL: 9\r\n"
    b"X-Spam-Flag: YES\r\n"
    b"X-Proofpoint-Spam-Details: rule=x\r\n"
    b"Authentication-Results: spf=fail smtp.mailfrom=evil.test\r\n"
    b"Status: RO\r\n"
    b"List-Id: <users.lists.test>\r\n"
    b"From: Bad <bad@evil.test>\r\n"
    b"To: phishing@pot\r\n"
    b"Subject: hello zzzz@spamassassin.taint.org\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"Dear rodrigo-f-p, write to yyyy@netnoteinc.com today\r\n"
)


def names(parsed: object) -> set[str]:
    return {key.lower() for key, _ in parsed.headers}  # type: ignore[attr-defined]


def test_public_corpus_profile_strips_leaky_headers() -> None:
    parsed = parse_email(LEAKY, load_profile("public-corpus"))
    kept = names(parsed)
    for leaked in (
        "received",
        "x-ms-exchange-organization-scl",
        "x-spam-flag",
        "x-proofpoint-spam-details",
        "authentication-results",
        "status",
    ):
        assert leaked not in kept
    assert {"from", "subject", "to", "list-id"} <= kept


def test_masks_collector_strings_in_headers_and_body() -> None:
    parsed = parse_email(LEAKY, load_profile("public-corpus"))
    everything = (parsed.subject + parsed.text + parsed.header("To")).lower()
    for leaked in (
        "phishing@pot",
        "rodrigo",
        "taint.org",
        "netnoteinc",
        "zzzz",
        "yyyy",
    ):
        assert leaked not in everything
    assert "[masked]" in parsed.text


def test_mbox_from_line_dropped_and_crlf_normalised() -> None:
    profile = load_profile("public-corpus")
    prepared = profile.prepare_bytes(LEAKY)
    assert not prepared.startswith(b"From ")
    assert b"\r\n" not in prepared
    assert "\r" not in parse_email(LEAKY, profile).text


def test_site_profile_keeps_authentication_results() -> None:
    parsed = parse_email(LEAKY, load_profile("site"))
    assert "authentication-results" in names(parsed)
    assert "x-ms-exchange-organization-scl" not in names(parsed)


def test_strips_headers_of_attached_message() -> None:
    raw = (
        b"From: a@corp.test\nSubject: fwd\nContent-Type: multipart/mixed; "
        b"boundary=B\n\n"
        b"--B\nContent-Type: message/rfc822\n\n"
        b"X-Spam-Status: Yes\nFrom: inner@evil.test\nSubject: inner\n\nbody\n--B--\n"
    )
    parsed = parse_email(raw)
    assert "x-spam-status" not in names(parsed)
    assert "body" in parsed.text


def test_profile_round_trips_and_custom_rules_apply() -> None:
    profile = StrippingProfile(
        name="custom", strip_headers=("X-Corp-.*",), mask_strings=("secret\\w*",)
    )
    assert StrippingProfile.from_dict(profile.to_dict()) == profile
    parsed = parse_email(b"X-Corp-Tag: 1\nSubject: secretproject\n\nhi\n", profile)
    assert "x-corp-tag" not in names(parsed)
    assert parsed.subject == "[masked]"


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ModelError):
        load_profile("no-such-profile")
    assert set(builtin_profiles()) == {"public-corpus", "site", "none"}


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"Subject: =?utf-8?B?!!!?=\nContent-Type: multipart/mixed; "
        b"boundary=Q\n\n--Q\nno end",
        b"Content-Type: text/plain; charset=no-such-charset\n\n\xe9\xe8",
        b"Content-Type: multipart/alternative\n\nno boundary at all",
        b"Content-Type: text/html\n\n<a href='http://[::1'>x</a><form><<<>",
        b"Content-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: "
        b"base64\n\nUEsDBA==!!",
    ],
)
def test_broken_mime_never_crashes(raw: bytes) -> None:
    parsed = parse_email(raw)
    assert isinstance(parsed.defects, tuple)


def test_broken_boundary_is_reported_as_defect() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Type: "
        b"text/plain\n\nhello"
    )
    parsed = parse_email(raw)
    assert parsed.defects
    assert "hello" in parsed.text
