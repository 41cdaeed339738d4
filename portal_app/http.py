"""ASGI guard in front of Reflex's upload endpoint: refuse oversized bodies on the way in.

Reflex's `/_upload` has no size limit of its own; this refuses a declared Content-Length over the
limit at once and stops reading a body (chunked or lying) as soon as it passes the limit.
Past the limit the app is told the client went away (so it stops parsing without an error) and
whatever it would answer is replaced by a 413.
"""

from starlette.responses import PlainTextResponse

UPLOAD_PATH = "/_upload"
MAX_UPLOAD_BODY = 6 * 1024 * 1024  # the 5 MB logo plus multipart overhead


def _too_large():
    return PlainTextResponse("Upload too large", status_code=413)


def limit_upload_size(app):
    async def guarded(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope.get("path", "").startswith(UPLOAD_PATH):
            return await app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or len(declared) > 12 or int(declared) > MAX_UPLOAD_BODY):
            return await _too_large()(scope, receive, send)
        seen = 0
        over = False
        answered = False

        async def counted_receive():
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_UPLOAD_BODY:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal answered
            if over and not answered:
                return  # the 413 below answers instead
            answered = True
            await send(message)

        await app(scope, counted_receive, guarded_send)
        if over and not answered:
            await _too_large()(scope, receive, send)

    return guarded
