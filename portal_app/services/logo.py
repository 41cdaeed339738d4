"""Firm logo uploads (CP-1.7): judge the bytes, not the name, and keep only a clean re-encoding.

A logo is public (it is served from the upload directory without login), so what we store must
be a plain JPEG or PNG that every browser shows the right way up, without the uploader's EXIF,
GPS position or other metadata, and small enough to serve. Decoding untrusted images is also a
denial-of-service risk, so sizes are checked from the header before any pixel is decoded.
Everything here is plain, CPU-bound and free of shared state, so callers can run it in
`asyncio.to_thread`.
"""

import io
import os
import re
import secrets
import struct
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageMath, ImageOps

from portal_app.services.errors import ServiceError

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without littlecms: profiles are dropped instead of converted
    ImageCms = None

MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000
MAX_LOGO_SIDE = 512

_ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png"}
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_DEEP_GREY_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_JPEG_QUALITY = 88
_NAME_RE = re.compile(r"logo-[A-Za-z0-9_-]{22}\.(?:png|jpg)")
_TMP_RE = re.compile(r"\.logo-[A-Za-z0-9_]+\.tmp")
ORPHAN_AGE_SECONDS = 24 * 3600


class LogoError(ServiceError):
    """An uploaded logo was refused; `key` says why (empty, too big, not an image, ...)."""


def normalise_logo(data: bytes) -> tuple[bytes, str]:
    """Validate an uploaded logo by content and re-encode it; returns (image bytes, "png" or "jpg").

    The result fits in MAX_LOGO_SIDE x MAX_LOGO_SIDE (never upscaled), is upright per its EXIF
    orientation, carries no metadata, and is PNG whenever the image has transparency.

    Raises:
        LogoError: with one of the keys logo.empty, logo.too_large_bytes, logo.not_image,
            logo.wrong_format, logo.too_many_pixels, logo.damaged.
    """
    if not data:
        raise LogoError("logo.empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError("logo.too_large_bytes", limit_mb=MAX_LOGO_BYTES // (1024 * 1024))
    try:
        source = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses (or, if warnings are errors, warns about) absurd sizes before we can look.
        raise LogoError("logo.too_many_pixels", limit_mp=MAX_LOGO_PIXELS // 1_000_000) from None
    except _DECODE_ERRORS:
        # A PNG or JPEG signature followed by garbage is a broken image, not a foreign file.
        key = "logo.damaged" if data.startswith(_SIGNATURES) else "logo.not_image"
        raise LogoError(key) from None
    with source:
        ext = _ACCEPTED_FORMATS.get(source.format or "")
        if ext is None:
            raise LogoError("logo.wrong_format", format=source.format or "?")
        width, height = source.size
        if width * height > MAX_LOGO_PIXELS:
            raise LogoError("logo.too_many_pixels", limit_mp=MAX_LOGO_PIXELS // 1_000_000)
        try:
            image = _to_output_mode(_decode_upright(source))
        except _DECODE_ERRORS:
            raise LogoError("logo.damaged") from None
    image.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE), Image.LANCZOS)
    if image.mode == "RGBA":
        ext = "png"  # JPEG has no alpha; saving it would put transparent areas on black
    # A fresh image has empty `info`, so no EXIF, comment, XMP or profile can leak into the save.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if ext == "jpg":
        # 4:4:4 chroma: logos are saturated colour with sharp edges, which 4:2:0 visibly smears.
        clean.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True, subsampling=0)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue(), ext


def store_logo(directory: Path, data: bytes, ext: str) -> str:
    """Write a logo into `directory` atomically under a new unguessable name; returns that name.

    The name is logo-<secrets.token_urlsafe(16)>.<ext>. The directory is served publicly, so the
    random name is what keeps old and unpublished logos from being enumerated; writing a temp file
    and `os.replace`-ing it means a reader never sees a half-written file, and syncing file and
    folder before returning means the name is on disk before a save can commit a reference to it.
    """
    if ext not in ("png", "jpg"):
        raise ValueError(f"unsupported logo extension: {ext!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"logo-{secrets.token_urlsafe(16)}.{ext}"
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".logo-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; the logo is meant to be served
        os.replace(tmp_name, directory / name)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    return name


def _sync_directory(directory: Path) -> None:
    """Make the new name itself durable before any settings row can point at it.

    fsync of the file keeps its bytes; only an fsync of the folder keeps the rename, so after a
    power cut the saved settings can never name a logo that is not on disk.
    """
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_logo_file(directory: Path, name: str | None) -> None:
    """Delete a stored logo if it is still there; `None` or "" means there is none.

    The name comes from the database, so it is only trusted if it is exactly a name store_logo
    makes: no separators, no "..", nothing that could point outside `directory`.

    Raises:
        ValueError: `name` is not a name store_logo could have produced.
    """
    if not name:
        return
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"not a stored logo name: {name!r}")
    (Path(directory) / name).unlink(missing_ok=True)


def sweep_orphan_logos(directory: Path, keep: set[str], *, older_than: float = ORPHAN_AGE_SECONDS, now: float | None = None) -> int:
    """Delete logo files nobody saved (and stray temp files) once they are older than `older_than`.

    Uploads wait in the public folder until the administrator saves; a tab closed before that
    leaves them behind. The age margin spares uploads still waiting in someone's open form.
    Returns how many files were deleted.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for path in directory.iterdir():
        ours = _NAME_RE.fullmatch(path.name) or _TMP_RE.fullmatch(path.name)
        if not ours or path.name in keep:
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another worker swept it first
    return removed


def _decode_upright(source: Image.Image) -> Image.Image:
    """Decode the first frame, turned the way its EXIF orientation says."""
    if source.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2..1/8 scale when the result is shrunk anyway (as thumbnail does).
        source.draft(None, (MAX_LOGO_SIDE * 2, MAX_LOGO_SIDE * 2))
    source.load()
    return ImageOps.exif_transpose(source)


def _to_output_mode(image: Image.Image) -> Image.Image:
    """Bring any JPEG/PNG pixel mode to L, RGB or RGBA (RGBA exactly when there is transparency)."""
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    if image.mode in _DEEP_GREY_MODES:
        return _deep_grey_to_8bit(image, transparency)
    if image.mode in ("1", "L") and transparency is None:
        return image.convert("L")
    mode = "RGBA" if image.mode in _ALPHA_MODES or transparency is not None else "RGB"
    if image.mode != "CMYK" and image.mode != mode:
        image = image.convert(mode)  # palette, grey+alpha, colour-key transparency, YCbCr
    return _to_srgb(image, icc, mode)


def _to_srgb(image: Image.Image, icc: bytes | None, mode: str) -> Image.Image:
    """Convert through the embedded ICC profile to sRGB when it fits the pixels, else plainly."""
    if icc and ImageCms is not None:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(
                image, source_profile, ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # unusable profile, or one for other pixels (e.g. grey): use the plain numbers
    return image if image.mode == mode else image.convert(mode)


def _deep_grey_to_8bit(image: Image.Image, transparency: int | None) -> Image.Image:
    """Scale 16-bit grey to 8 bits (Pillow's convert("L") clips it to white), keeping tRNS."""
    wide = image.convert("I")
    grey = wide.point(lambda v: v / 257).convert("L")
    if transparency is None:
        return grey
    alpha = ImageMath.lambda_eval(lambda a: (a["im"] != transparency) * 255, im=wide)
    return Image.merge("LA", (grey, alpha.convert("L"))).convert("RGBA")
