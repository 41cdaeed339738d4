"""ASGI route for agreement documents on the staff side: only staff of the agreement's firm.

The staff session cookie is checked exactly as the staff pages check it, then the agreement is
loaded and its firm compared with the caller's. Anything else answers 404, so a guessed id reveals
nothing. Served like the client's route: attachment, nosniff, no caching.
"""

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal_app import routes
from portal_app.db import session_scope
from portal_app.models import Agreement
from portal_app.services import documents, identity
from portal_app.services.workspace import ID_TEXT, row_id
from portal_app.state.staff import SESSION_COOKIE


def _find(token: str, agreement_id: str) -> tuple[bytes, str] | None:
    with session_scope() as session:
        me = identity.staff_for_token(session, token)
        number = row_id(agreement_id)
        row = session.get(Agreement, number) if me and number else None
        if me is None or row is None or row.firm_id != me.firm_id or not row.document_file:
            return None
        stored, name = row.document_file, row.document_name or "document.pdf"
    try:
        with documents.open_document(stored) as handle:
            return handle.read(), name
    except (OSError, documents.DocumentError):
        return None


def _response(data: bytes, name: str) -> Response:
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_" for ch in name).strip() or "document"
    return Response(data, media_type=documents.content_type(name), headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


def serve_staff_documents(app):
    """api_transformer: answer GET /_documents/staff-agreements/<id> before Reflex sees the request."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(routes.STAFF_DOCUMENTS_PREFIX):
            return await app(scope, receive, send)
        if scope.get("method") not in ("GET", "HEAD"):
            return await PlainTextResponse("Method not allowed", status_code=405)(scope, receive, send)
        agreement_id = scope["path"][len(routes.STAFF_DOCUMENTS_PREFIX):]
        token = Request(scope, receive).cookies.get(SESSION_COOKIE, "")
        ok = ID_TEXT.fullmatch(agreement_id) and token
        found = await asyncio.to_thread(_find, token, agreement_id) if ok else None
        if found is None:
            headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
            return await PlainTextResponse("Not found", status_code=404, headers=headers)(scope, receive, send)
        await _response(*found)(scope, receive, send)

    return guarded
