"""ASGI guard in front of Reflex's upload endpoint: refuse oversized bodies on the way in.

Reflex's `/_upload` has no size limit of its own; this refuses a declared Content-Length over the
limit at once and stops reading a body (chunked or lying) as soon as it passes the limit.
"""

from starlette.responses import PlainTextResponse

UPLOAD_PATH = "/_upload"
MAX_UPLOAD_BODY = 6 * 1024 * 1024  # the 5 MB logo plus multipart overhead


class _TooLarge(Exception):
    pass


def limit_upload_size(app):
    async def guarded(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope.get("path", "").startswith(UPLOAD_PATH):
            return await app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD_BODY):
            return await PlainTextResponse("Upload too large", status_code=413)(scope, receive, send)
        seen = 0

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_UPLOAD_BODY:
                    raise _TooLarge
            return message

        try:
            await app(scope, counted_receive, send)
        except _TooLarge:
            await PlainTextResponse("Upload too large", status_code=413)(scope, receive, send)

    return guarded
