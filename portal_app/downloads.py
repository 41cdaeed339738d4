"""ASGI route for agreement documents: only the signed-in client the agreement is shared with.

The portal session cookie is checked exactly as the pages check it, the client's portal must be
open (enabled, Premium plan), then the agreement must be visible to that person
(client_portal.agreement_visible). Anything else answers 404, so a guessed
id reveals nothing. Files are sent as attachments with nosniff and no caching.
"""

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import client_portal, documents
from portal_app.services.errors import ServiceError
from portal_app.services.workspace import ID_TEXT
from portal_app.state.portal import SESSION_COOKIE


def _ascii_name(name: str) -> str:
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_" for ch in name).strip()
    return safe or "document"


def _find(token: str, agreement_id: str) -> tuple[bytes, str] | None:
    with session_scope() as session:
        user = client_portal.signed_in_client(session, token)
        if user is None:
            return None
        try:
            stored, name = client_portal.agreement_document(session, user, agreement_id)
        except ServiceError:
            return None
    try:
        with documents.open_document(stored) as handle:
            return handle.read(), name
    except (OSError, documents.DocumentError):
        return None


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


async def _serve(scope, receive, send) -> None:
    request = Request(scope, receive)
    agreement_id = scope["path"][len(routes.DOCUMENTS_PREFIX):]
    token = request.cookies.get(SESSION_COOKIE, "")
    found = await asyncio.to_thread(_find, token, agreement_id) if ID_TEXT.fullmatch(agreement_id) and token else None
    if found is None:
        return await _not_found()(scope, receive, send)
    data, name = found
    headers = {
        "Content-Disposition": f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    await Response(data, media_type=documents.content_type(name), headers=headers)(scope, receive, send)


def serve_documents(app):
    """api_transformer: answer GET /_documents/agreements/<id> before Reflex sees the request."""

    async def guarded(scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").startswith(routes.DOCUMENTS_PREFIX):
            if scope.get("method") not in ("GET", "HEAD"):
                return await PlainTextResponse("Method not allowed", status_code=405)(scope, receive, send)
            return await _serve(scope, receive, send)
        return await app(scope, receive, send)

    return guarded
