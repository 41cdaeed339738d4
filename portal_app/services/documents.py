"""Private document storage: agreement files kept outside the public upload folder.

Files live under config.data_dir()/documents with random, unguessable names; they reach a browser
only through portal_app.downloads, which checks who is asking. Staff-side upload calls
admit_upload and store_document; the download route calls open_document.

An upload waits on disk, referenced by no agreement, until its form is saved; a tab closed before
that leaves it behind. admit_upload therefore sweeps such orphans once they are older than
PENDING_GRACE_SECONDS and caps how many unsaved uploads one staff member may have waiting, so
free client tabs cannot fill the disk.
"""

import re
import secrets
import threading
import time
from pathlib import Path

from sqlmodel import Session, select

from portal_app import config
from portal_app.models import Agreement
from portal_app.services.errors import ServiceError

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".docx", ".doc", ".odt", ".txt", ".png", ".jpg", ".jpeg")
_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{32,64}(\.[a-z0-9]{1,5})?")
_PART_NAME = re.compile(r"[A-Za-z0-9_-]{32,64}(\.[a-z0-9]{1,5})?\.part")
# An agreement form may stay open this long after its upload and still be saved with the file.
PENDING_GRACE_SECONDS = 2 * 3600
# Unsaved uploads younger than the grace period one staff member may have at once (5 MB each).
MAX_PENDING_PER_STAFF = 20
# The whole-folder sweep runs at most this often per process; the per-person cap needs no sweep.
SWEEP_EVERY_SECONDS = 600
_QUERY_CHUNK = 500
_sweep_lock = threading.Lock()
_last_sweep = 0.0

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class DocumentError(ValueError):
    """A file that cannot be stored (empty, too large, unknown kind) or a name that is not ours."""


def documents_dir() -> Path:
    return config.data_dir() / "documents"


def _suffix(filename: str) -> str:
    suffix = Path(str(filename or "")).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise DocumentError(f"file type not allowed: {suffix or 'none'}")
    return suffix


def _owner_prefix(staff_user_id: int) -> str:
    return f"u{int(staff_user_id)}_"


def store_document(data: bytes, filename: str, owner: int | None = None) -> str:
    """Keep the bytes under a fresh random name and return that name (store it on the agreement).

    The original file name is not used on disk; keep it separately as the download name. `owner`
    (the uploading staff member's id) prefixes the name so that person's unsaved uploads can be
    counted without a table; the random part alone keeps the name unguessable.
    """
    if not data:
        raise DocumentError("empty file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError("file too large")
    prefix = _owner_prefix(owner) if owner is not None else ""
    stored = prefix + secrets.token_urlsafe(32) + _suffix(filename)
    folder = documents_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return stored


def _referenced(session: Session, names: list[str]) -> set[str]:
    """Which of these stored names an agreement (of any firm) points at."""
    found: set[str] = set()
    for start in range(0, len(names), _QUERY_CHUNK):
        chunk = names[start:start + _QUERY_CHUNK]
        found.update(session.exec(select(Agreement.document_file).where(Agreement.document_file.in_(chunk))).all())
    return found


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime if path.is_file() else None
    except FileNotFoundError:
        return None


def sweep_orphan_documents(session: Session, *, older_than: float = PENDING_GRACE_SECONDS, now: float | None = None) -> int:
    """Delete stored documents no agreement references (and stray .part files) older than `older_than`.

    The age margin spares uploads still waiting in someone's open form. Returns how many files
    were deleted.
    """
    folder = documents_dir()
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than
    old: list[str] = []
    removed = 0
    for path in folder.iterdir():
        stored, part = _STORED_NAME.fullmatch(path.name), _PART_NAME.fullmatch(path.name)
        mtime = _mtime(path) if stored or part else None
        if mtime is None or mtime >= cutoff:
            continue
        if part:
            path.unlink(missing_ok=True)
            removed += 1
        else:
            old.append(path.name)
    keep = _referenced(session, old)
    for name in old:
        if name not in keep:
            try:
                (folder / name).unlink()
                removed += 1
            except FileNotFoundError:
                continue  # another worker swept it first
    return removed


def admit_upload(session: Session, staff_user_id: int, *, replacing: str = "", now: float | None = None) -> None:
    """Make room for one more pending upload by this staff member, or refuse it.

    Sweeps orphaned documents when the last sweep in this process is SWEEP_EVERY_SECONDS old, then
    counts this person's uploads younger than the grace period that no agreement references yet
    (`replacing`, the upload the new one replaces in the same form, does not count). Plain and
    blocking: call it off the event loop.

    Raises:
        ServiceError: ws.doc_pending_limit when MAX_PENDING_PER_STAFF are already waiting.
    """
    global _last_sweep
    now = time.time() if now is None else now
    with _sweep_lock:
        due = now - _last_sweep >= SWEEP_EVERY_SECONDS
        if due:
            _last_sweep = now
    if due:
        sweep_orphan_documents(session, now=now)
    folder = documents_dir()
    if not folder.is_dir():
        return
    cutoff = now - PENDING_GRACE_SECONDS
    young = [
        path.name for path in folder.glob(_owner_prefix(staff_user_id) + "*")
        if path.name != replacing and _STORED_NAME.fullmatch(path.name) and (_mtime(path) or 0) >= cutoff
    ]
    if len(young) - len(_referenced(session, young)) >= MAX_PENDING_PER_STAFF:
        raise ServiceError("ws.doc_pending_limit", max=MAX_PENDING_PER_STAFF)


def require_pending(stored_name: str) -> None:
    """Refuse to save a form whose upload is gone (swept: the form stayed open past the grace period)."""
    try:
        document_path(stored_name)
    except (FileNotFoundError, DocumentError):
        raise ServiceError("ws.doc_gone") from None


def document_path(stored_name: str) -> Path:
    """Where a stored document is; refuses any name store_document could not have made."""
    if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
        raise DocumentError("not a stored document name")
    path = documents_dir() / stored_name
    if not path.is_file():
        raise FileNotFoundError(stored_name)
    return path


def open_document(stored_name: str):
    """A binary file object of a stored document (the caller closes it)."""
    return document_path(stored_name).open("rb")


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name or "").suffix.lower(), "application/octet-stream")


def sample_pdf(title: str) -> bytes:
    """A tiny valid one-page PDF with a line of text, for demo data and tests."""
    text = re.sub(r"[^A-Za-z0-9 .,:-]", "", title)[:80]
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
