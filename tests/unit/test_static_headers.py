"""The single-port wrapper's headers: caching by fingerprint, nosniff everywhere, no framing of pages.

Served by Reflex's own static file server for the compiled frontend (as `reflex run --single-port`
does) behind the real transformer chain's outer layer, through Starlette's TestClient.
"""

import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from portal_app.static_cache import cache_static_files

PAGE = "<!doctype html><html><body><iframe srcdoc='<p>mail</p>' sandbox></iframe></body></html>"


@pytest.fixture
def client(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "404.html").write_text("<!doctype html><p>not found</p>")
    (tmp_path / "assets" / "app-Ab12Cd34.js").write_text("console.log(1)")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    def attachment(request):
        return PlainTextResponse("%PDF-", headers={"Content-Security-Policy": "default-src 'none'; sandbox",
                                                   "X-Content-Type-Options": "nosniff"})

    backend = Starlette(routes=[
        Route("/_event/ping", lambda request: JSONResponse({"ok": True}), methods=["GET", "POST"]),
        Route("/_documents/1", attachment),
        Mount("/", app=PrecompressedStaticFiles(directory=tmp_path, html=True)),
    ])
    return TestClient(cache_static_files(backend))


def _all(answer, name):
    return answer.headers.get_list(name)


def test_pages_may_not_be_framed_and_revalidate(client):
    for path in ("/", "/no-such-page"):
        answer = client.get(path)
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["x-frame-options"] == "DENY"
        assert _all(answer, "content-security-policy") == ["frame-ancestors 'none'"]
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert client.get("/").headers["cache-control"] == "no-cache"
    assert "cache-control" not in client.get("/no-such-page").headers  # a 404 is not cached as a page


def test_build_files_are_immutable_and_not_sniffed_but_carry_no_page_headers(client):
    answer = client.get("/assets/app-Ab12Cd34.js")
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "x-frame-options" not in answer.headers and "content-security-policy" not in answer.headers
    logo = client.get("/logo.png")
    assert logo.headers["x-content-type-options"] == "nosniff"


def test_a_revalidation_answer_is_not_sniffed_either(client):
    """A 304 has no content type; the browser keeps the page's stored headers (framing ban included)."""
    etag = client.get("/").headers["etag"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["x-content-type-options"] == "nosniff"


def test_api_answers_get_nosniff_for_every_method_without_duplicates(client):
    for answer in (client.get("/_event/ping"), client.post("/_event/ping")):
        assert _all(answer, "x-content-type-options") == ["nosniff"]
        assert "cache-control" not in answer.headers
    document = client.get("/_documents/1")
    assert _all(document, "x-content-type-options") == ["nosniff"]
    assert _all(document, "content-security-policy") == ["default-src 'none'; sandbox"]
