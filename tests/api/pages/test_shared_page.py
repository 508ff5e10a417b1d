"""The page a share link opens: the verdict, the link's QR code made here, downloads and
LinkedIn's add-to-profile link; nothing loaded from elsewhere, in Dutch and English."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from credledger.ledger.domain.acts import Act

from .helpers import Pages, text, verdict

SOURCE = re.compile(r'\b(?:src|srcset|action|formaction)="([^"]*)"', re.I)
HREF = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>', re.I)


def shared(pages: Pages) -> tuple[str, str]:
    credential_id, _ = pages.award()
    token = pages.ledger.sharing.share(Act(str(pages.school.issuer)), credential_id)
    return f"/c/{token}", f"https://ledger.example.test/c/{token}"


def test_the_page_shows_the_verdict_and_the_credential(pages: Pages) -> None:
    path, _ = shared(pages)
    page = pages.client.get(path)
    assert page.status_code == 200
    assert verdict(page.text) == "valid"
    assert "Hogeschool Zuid" in text(page.text)
    assert "Shared with you" in text(page.text)


def test_the_qr_code_is_made_here_as_inline_svg(pages: Pages) -> None:
    path, _ = shared(pages)
    html = pages.client.get(path).text
    assert re.search(r'<svg role="img"[^>]*class="qr"', html)
    assert "<title>QR code of this link</title>" in html


def test_the_downloads_are_links_on_this_site(pages: Pages) -> None:
    path, _ = shared(pages)
    hrefs = HREF.findall(pages.client.get(path).text)
    assert f"{path}/credential" in hrefs
    assert f"{path}/proof" in hrefs


def test_the_linkedin_link_names_the_achievement_issuer_and_link(pages: Pages) -> None:
    path, url = shared(pages)
    html = pages.client.get(path).text
    tag = re.search(r"<a [^>]*data-linkedin[^>]*>", html)
    assert tag is not None
    assert 'rel="noopener noreferrer external"' in tag.group(0)
    href = unescape(re.search(r'href="([^"]*)"', tag.group(0)).group(1))  # type: ignore[union-attr]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["organizationName"] == "Hogeschool Zuid"
    assert query["certUrl"] == url
    assert query["certId"].startswith("urn:uuid:")
    assert query["name"]
    assert query["issueYear"].isdigit()
    assert 1 <= int(query["issueMonth"]) <= 12


def test_nothing_is_loaded_from_elsewhere_and_only_linkedin_is_linked(pages: Pages) -> None:
    path, _ = shared(pages)
    page = pages.client.get(path)
    for source in SOURCE.findall(page.text):
        assert source.startswith("/"), source
        assert not source.startswith("//"), source
    outside = [h for h in HREF.findall(page.text) if not h.startswith(("/", "#", "?"))]
    assert [urlsplit(unescape(h)).netloc for h in outside] == ["www.linkedin.com"]
    assert "<script" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src" not in page.headers["content-security-policy"]


def test_the_page_is_in_dutch_when_asked(pages: Pages) -> None:
    path, _ = shared(pages)
    page = pages.client.get(path, headers={"Accept-Language": "nl"})
    assert "Met u gedeeld" in text(page.text)
    assert "<title>QR-code van deze link</title>" in page.text


def test_a_link_that_opens_nothing_says_so_in_words(pages: Pages) -> None:
    page = pages.client.get("/c/" + "B" * 43)
    assert page.status_code == 404
    assert "This link opens nothing" in text(page.text)
    assert "noindex" in page.headers["x-robots-tag"]
