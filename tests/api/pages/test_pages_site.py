"""The pages as a site: languages, no outside resources, escaping, limits, nothing stored."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from credledger.api.limits import MAX_BODY_BYTES
from credledger.api.pages.messages import EN, NL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import Pages, text, verdict

ATTRIBUTE_URL = re.compile(r'\b(?:href|src|action|srcset|formaction)="([^"]*)"', re.I)
CSS_URL = re.compile(r"url\(|@import", re.I)


def test_both_catalogues_have_the_same_messages() -> None:
    assert set(EN) == set(NL)


def test_the_landing_page_says_what_this_ledger_is_and_links_on(pages: Pages) -> None:
    page = pages.client.get("/")
    assert page.status_code == 200
    for link in ('href="/verify"', 'href="/v1/log/checkpoint"', 'href="/docs"'):
        assert link in page.text
    assert "https://ledger.example.test" in page.text
    assert "ledger.example.test/log" in text(page.text)


def test_the_landing_page_says_how_many_entries_the_log_holds(pages: Pages) -> None:
    size = pages.ledger.tlog.size()
    assert size > 0
    dd = re.findall(r"<dd>([^<]*)</dd>", pages.client.get("/").text)
    assert str(size) in dd


def test_the_language_follows_accept_language(pages: Pages) -> None:
    page = pages.client.get("/verify", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert '<html lang="nl">' in page.text
    assert "Credential controleren" in page.text
    assert page.headers["content-language"] == "nl"


def test_english_is_the_language_when_none_is_asked_for(pages: Pages) -> None:
    page = pages.client.get("/verify", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in page.text


def test_the_switch_chooses_a_language_and_remembers_it(pages: Pages) -> None:
    page = pages.client.get("/verify?lang=nl", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in page.text
    assert 'href="/verify?lang=en"' in page.text  # the switch back
    assert page.cookies.get("lang") == "nl"
    again = pages.client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in again.text


def test_a_result_in_dutch_says_geldig(pages: Pages) -> None:
    _, vc = pages.award()
    page = pages.client.post(
        "/verify", data={"credential": json.dumps(vc)}, headers={"Accept-Language": "nl"}
    )
    assert verdict(page.text) == "valid"
    assert "Geldig" in text(page.text)


def _same_site_only(html: str) -> None:
    for url in ATTRIBUTE_URL.findall(html):
        assert url.startswith(("/", "#", "?")), url
        assert not url.startswith("//"), url


def test_no_page_or_asset_loads_or_links_anything_from_elsewhere(pages: Pages) -> None:
    _, vc = pages.award()
    vc_page = pages.client.post("/verify", data={"credential": json.dumps(vc)}).text
    others = [
        pages.client.get(path).text
        for path in ("/", "/verify", "/catalogue", f"/issuers/{pages.school.issuer}")
    ]
    for html in (*others, vc_page):
        _same_site_only(html)
    css = pages.client.get("/pages/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert not CSS_URL.search(css.text)
    assert "http" not in css.text


def test_the_pages_allow_no_script_and_nothing_from_elsewhere(pages: Pages) -> None:
    policy = pages.client.get("/verify").headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "form-action 'self'" in policy


def test_hostile_input_is_shown_escaped(pages: Pages) -> None:
    _, vc = pages.award()
    vc["issuer"]["name"] = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    html = pages.client.post("/verify", data={"credential": json.dumps(vc)}).text
    assert verdict(html) == "invalid"
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_hostile_challenge_is_shown_escaped(pages: Pages) -> None:
    html = pages.client.post(
        "/verify", data={"credential": "{}", "challenge": '"><b>bold</b>'}
    ).text
    assert "<b>bold</b>" not in html


def test_a_body_over_the_limit_is_refused_with_413_and_a_page(pages: Pages) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    answer = pages.client.post("/verify", files={"file": ("big.json", big, "application/json")})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "too large" in text(answer.text)


def test_a_json_body_over_the_limit_elsewhere_is_still_a_problem(pages: Pages) -> None:
    answer = pages.client.post(
        "/v1/credentials/verify",
        content=b'{"x": "' + b"x" * MAX_BODY_BYTES + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_an_empty_form_asks_for_something_to_check(pages: Pages) -> None:
    answer = pages.client.post("/verify", data={"credential": "  "})
    assert answer.status_code == 400
    assert "Paste a credential" in text(answer.text)


def _stores(data: Path) -> dict[str, list[str]]:
    """Every row of every SQLite store in the data directory."""
    dumped = {}
    for path in sorted(data.rglob("*.sqlite")):
        with sqlite3.connect(path) as db:
            dumped[path.name] = list(db.iterdump())
    return dumped


def test_a_verification_stores_nothing(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "suspend")
    bundle = pages.ledger.proofs.holder_bundle(vc)
    data = pages.ledger.settings.data_dir
    before = _stores(data)
    assert {"events.sqlite", "log.sqlite", "read.sqlite", "digests.sqlite"} <= set(before)
    for body in (vc, bundle, {"not": "a credential"}):
        pages.client.post("/verify", data={"credential": json.dumps(body)})
    pages.client.post("/verify/bundle", data={"credential": json.dumps(vc)})
    assert _stores(data) == before


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@context",
                    "type",
                    "issuer",
                    "proof",
                    "credentialStatus",
                    "credentialSubject",
                    "verifiableCredential",
                    "holder",
                    "leaf",
                    "checkpoint",
                    "log_key",
                    "credential",
                    "inclusion",
                    "endorsement",
                    "evidence",
                    "achievement",
                    "id",
                    "name",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=JSON)
def test_any_json_pasted_gets_a_page_with_one_verdict(pages: Pages, document: object) -> None:
    answer = pages.client.post("/verify", data={"credential": json.dumps(document)})
    assert answer.status_code == 200
    assert verdict(answer.text) in ("invalid", "undecided")
