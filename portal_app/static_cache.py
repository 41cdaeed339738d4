"""Long-lived browser caching for the fingerprinted build files, revalidation for the pages.

Reflex's production server already sends precompressed gzip and ETags but no Cache-Control, so
browsers guess. Files under /assets/ carry a content hash in their name: a new build gets new
names, so they may be kept for a year. HTML names never change: browsers must revalidate it.

The same wrapper also sends what protects every response: `nosniff` (an uploaded logo is never
run as HTML or script), and on HTML pages a ban on framing by any other site (X-Frame-Options for
old browsers, CSP frame-ancestors for the rest), so Save, Remove access or Record payment cannot be
clicked through an invisible frame. The dev outbox's e-mail frame is a srcdoc iframe of the page
itself, which these headers do not govern.
"""

ASSETS_PREFIX = "/assets/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_FRAMING = ((b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"))


def cache_static_files(app):
    async def with_cache_headers(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        cacheable = scope.get("method") in ("GET", "HEAD")
        fingerprinted = scope.get("path", "").startswith(ASSETS_PREFIX)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                is_html = any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)
                if cacheable and message["status"] in (200, 304) and b"cache-control" not in names and (fingerprinted or is_html):
                    headers.append((b"cache-control", IMMUTABLE if fingerprinted else REVALIDATE))
                if NOSNIFF[0] not in names:
                    headers.append(NOSNIFF)
                if is_html:
                    policies = [v for n, v in headers if n.lower() == b"content-security-policy"]
                    if b"x-frame-options" not in names:
                        headers.append(NO_FRAMING[0])
                    if not any(b"frame-ancestors" in v for v in policies):
                        headers.append(NO_FRAMING[1])
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return with_cache_headers
