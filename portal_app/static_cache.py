"""Long-lived browser caching for the fingerprinted build files, revalidation for the pages.

Reflex's production server already sends precompressed gzip and ETags but no Cache-Control, so
browsers guess. Files under /assets/ carry a content hash in their name: a new build gets new
names, so they may be kept for a year. HTML names never change: browsers must revalidate it.
"""

ASSETS_PREFIX = "/assets/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"


def cache_static_files(app):
    async def with_cache_headers(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        fingerprinted = scope.get("path", "").startswith(ASSETS_PREFIX)

        async def send_with_headers(message):
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                is_html = any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)
                if b"cache-control" not in names and (fingerprinted or is_html):
                    headers.append((b"cache-control", IMMUTABLE if fingerprinted else REVALIDATE))
                    message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return with_cache_headers
