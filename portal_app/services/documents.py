"""Private document storage: agreement files kept outside the public upload folder.

Files live under config.data_dir()/documents with random, unguessable names; they reach a browser
only through portal_app.downloads, which checks who is asking. Staff-side upload calls
store_document; the download route calls open_document.
"""

import re
import secrets
from pathlib import Path

from portal_app import config

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".docx", ".doc", ".odt", ".txt", ".png", ".jpg", ".jpeg")
_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{32,64}(\.[a-z0-9]{1,5})?")

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


def store_document(data: bytes, filename: str) -> str:
    """Keep the bytes under a fresh random name and return that name (store it on the agreement).

    The original file name is not used on disk; keep it separately as the download name.
    """
    if not data:
        raise DocumentError("empty file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError("file too large")
    stored = secrets.token_urlsafe(32) + _suffix(filename)
    folder = documents_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return stored


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
