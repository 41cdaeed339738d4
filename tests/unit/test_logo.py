"""Logo upload rules (CP-1.7) against the shared corpus of real valid and invalid image files."""

import io
import os
import re
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFile, ImageOps, ImageStat, PngImagePlugin

from portal_app.services import logo
from portal_app.services.logo import (
    MAX_LOGO_BYTES,
    MAX_LOGO_PIXELS,
    MAX_LOGO_SIDE,
    LogoError,
    normalise_logo,
    remove_logo_file,
    store_logo,
)

LOGOS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "logos"
VALID = sorted(p.name for p in (LOGOS / "valid").iterdir())
INVALID = sorted(p.name for p in (LOGOS / "invalid").iterdir())

EXPECTED_EXT = {
    "cmyk.jpg": "jpg",
    "exif-gps-location.jpg": "jpg",
    "exif-orientation-6.jpg": "jpg",
    "grayscale.jpg": "jpg",
    "icc-profile.png": "png",
    "multi-picture-mpo.jpg": "jpg",
    "palette-16.png": "png",
    "palette-1bit-transparency.png": "png",
    "photo.jpg": "jpg",
    "rgb-baseline.jpg": "jpg",
    "rgb.png": "png",
    "rgba-transparent.png": "png",
}

EXPECTED_REFUSAL = {
    "bitmap.bmp": ("logo.wrong_format", {"format": "BMP"}),
    # PNG signature followed by garbage: Pillow cannot identify it, but it is a broken PNG.
    "broken.png": ("logo.damaged", {}),
    # Declares 4.3 gigapixels; Pillow refuses it while reading the header, before any format check.
    "decompression-bomb-gif-named.png": ("logo.too_many_pixels", {"limit_mp": 40}),
    "document-named.png": ("logo.not_image", {}),
    "empty.jpg": ("logo.empty", {}),
    "gif-named.png": ("logo.wrong_format", {"format": "GIF"}),
    "huge-dimensions.png": ("logo.too_many_pixels", {"limit_mp": 40}),
    "script.svg": ("logo.not_image", {}),
    "truncated.jpg": ("logo.damaged", {}),
    "webp-named.jpg": ("logo.wrong_format", {"format": "WEBP"}),
}

METADATA_KEYS = {
    "exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop", "mp",
    "adobe", "dpi", "Raw profile type exif", "gamma", "chromaticity", "transparency",
}
NAME_RE = re.compile(r"logo-[A-Za-z0-9_-]{22}\.(png|jpg)")
GPS_IFD = 0x8825


def read(kind: str, name: str) -> bytes:
    return (LOGOS / kind / name).read_bytes()


def normalised(data: bytes) -> tuple[Image.Image, str]:
    out, ext = normalise_logo(data)
    image = Image.open(io.BytesIO(out))
    image.load()
    return image, ext


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference of two same-size images, in 0..255."""
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size but whose pixel data is a stub: only reading the header works."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def test_corpus_is_fully_covered():
    assert set(VALID) == set(EXPECTED_EXT)
    assert set(INVALID) == set(EXPECTED_REFUSAL)


@pytest.mark.parametrize("name", VALID)
def test_valid_logo_is_accepted_as_clean_upright_copy(name):
    data = read("valid", name)
    image, ext = normalised(data)

    assert ext == EXPECTED_EXT[name]
    assert image.format == {"jpg": "JPEG", "png": "PNG"}[ext]
    assert getattr(image, "n_frames", 1) == 1
    assert not METADATA_KEYS & set(image.info)
    assert not image.getexif()
    assert b"Exif\x00\x00" not in normalise_logo(data)[0]

    with Image.open(io.BytesIO(data)) as source:
        upright = ImageOps.exif_transpose(source)
    scale = min(1.0, MAX_LOGO_SIDE / max(upright.size))
    assert max(image.size) <= MAX_LOGO_SIDE
    assert image.size == (round(upright.width * scale), round(upright.height * scale))

    if "A" in image.mode:
        reference, actual = upright.convert("RGBA"), image.convert("RGBA")
    else:
        reference, actual = upright.convert("RGB"), image.convert("RGB")
    if reference.size != actual.size:
        reference = reference.resize(actual.size, Image.LANCZOS)
    assert mean_difference(actual, reference) < 6


def test_exif_orientation_6_is_applied():
    data = read("valid", "exif-orientation-6.jpg")
    with Image.open(io.BytesIO(data)) as raw:
        assert raw.getexif()[0x0112] == 6
        raw_size = raw.size
        raw_rgb = raw.convert("RGB")
        upright = ImageOps.exif_transpose(raw).convert("RGB")
    image, _ = normalised(data)

    assert image.size == (raw_size[1], raw_size[0])
    assert mean_difference(image.convert("RGB"), upright) < 4
    assert mean_difference(image.convert("RGB"), raw_rgb) > 30


def test_exif_orientation_6_swaps_width_and_height():
    raw = Image.new("RGB", (300, 100), "white")
    raw.paste((200, 0, 0), (0, 0, 150, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    image, _ = normalised(encode(raw, "JPEG", exif=exif))

    assert image.size == (100, 300)
    top, bottom = image.getpixel((50, 60)), image.getpixel((50, 240))
    assert top[0] > 150 and top[1] < 60  # rotated 90 degrees clockwise: the red left half is on top
    assert bottom[1] > 200


@pytest.mark.parametrize("name", ["rgba-transparent.png", "palette-1bit-transparency.png"])
def test_transparency_survives_as_png_with_alpha(name):
    data = read("valid", name)
    with Image.open(io.BytesIO(data)) as source:
        source_alpha = source.convert("RGBA").getchannel("A")
    image, ext = normalised(data)

    assert ext == "png" and image.format == "PNG"
    assert image.mode == "RGBA"
    alpha = image.getchannel("A")
    assert alpha.getextrema() == (0, 255)
    assert alpha.histogram()[0] == source_alpha.histogram()[0] > 0


def test_cmyk_becomes_rgb_without_inverting_colours():
    data = read("valid", "cmyk.jpg")
    with Image.open(io.BytesIO(data)) as source:
        assert source.mode == "CMYK"
        expected = ImageStat.Stat(source.convert("RGB")).mean
    image, ext = normalised(data)

    assert ext == "jpg" and image.mode == "RGB"
    actual = ImageStat.Stat(image).mean
    assert all(abs(a - e) < 5 for a, e in zip(actual, expected))
    assert all(abs(a - (255 - e)) > 100 for a, e in zip(actual, expected))


def test_gps_position_is_removed():
    data = read("valid", "exif-gps-location.jpg")
    with Image.open(io.BytesIO(data)) as source:
        assert source.getexif().get_ifd(GPS_IFD)
    image, _ = normalised(data)

    assert "exif" not in image.info
    assert not image.getexif().get_ifd(GPS_IFD)


def test_multi_picture_jpeg_keeps_first_frame_as_plain_jpeg():
    data = read("valid", "multi-picture-mpo.jpg")
    with Image.open(io.BytesIO(data)) as source:
        assert source.format == "MPO" and source.n_frames == 2
        first = source.convert("RGB").resize((512, 384), Image.LANCZOS)
    image, ext = normalised(data)

    assert ext == "jpg" and image.format == "JPEG"
    assert "mp" not in image.info
    assert image.size == (512, 384)
    assert mean_difference(image.convert("RGB"), first) < 4


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("name", INVALID)
def test_invalid_logo_is_refused_with_reason(name):
    key, params = EXPECTED_REFUSAL[name]
    with pytest.raises(LogoError) as refused:
        normalise_logo(read("invalid", name))
    assert refused.value.key == key
    assert refused.value.params == params


def test_bomb_is_refused_when_pillow_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LogoError) as refused:
            normalise_logo(read("invalid", "huge-dimensions.png"))
    assert refused.value.key == "logo.too_many_pixels"


def test_more_bytes_than_the_limit_are_refused():
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    data = encode(noise, "PNG", compress_level=1)
    assert len(data) > MAX_LOGO_BYTES

    with pytest.raises(LogoError) as refused:
        normalise_logo(data)
    assert refused.value.key == "logo.too_large_bytes"
    assert refused.value.params == {"limit_mb": 5}


def test_exactly_the_byte_limit_is_accepted():
    data = encode(Image.new("RGB", (10, 10), "red"), "PNG")
    data += b"\0" * (MAX_LOGO_BYTES - len(data))

    _, ext = normalised(data)
    assert ext == "png"


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # 48 MP is under Pillow's own warning threshold, and the pixel data is a stub: decoding it
    # first would report "damaged" instead.
    with pytest.raises(LogoError) as refused:
        normalise_logo(png_header_only(8000, 6000))
    assert refused.value.key == "logo.too_many_pixels"
    assert refused.value.params == {"limit_mp": 40}

    with pytest.raises(LogoError) as refused:
        normalise_logo(png_header_only(MAX_LOGO_PIXELS + 1, 1))
    assert refused.value.key == "logo.too_many_pixels"


def test_exactly_the_pixel_limit_is_accepted_and_scaled_down():
    data = encode(Image.new("L", (8000, 5000), 90), "JPEG")
    assert 8000 * 5000 == MAX_LOGO_PIXELS

    image, ext = normalised(data)
    assert ext == "jpg"
    assert image.size == (512, 320)


def test_large_png_is_scaled_down_keeping_aspect():
    image, ext = normalised(encode(Image.new("RGB", (2000, 1000), (10, 120, 200)), "PNG"))

    assert ext == "png"
    assert image.size == (512, 256)
    assert image.getpixel((100, 100)) == (10, 120, 200)


def _palette_with_transparency() -> Image.Image:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    image.info["transparency"] = 0
    return image


def _grey16(transparency: int | None = None) -> bytes:
    image = Image.new("I;16", (8, 8), 40000)
    image.putpixel((0, 0), 1000)
    params = {} if transparency is None else {"transparency": transparency}
    return encode(image, "PNG", **params)


@pytest.mark.parametrize(
    ("data", "mode", "pixel", "transparent_at_origin"),
    [
        (encode(Image.new("1", (8, 8), 1), "PNG"), "L", 255, False),
        (encode(Image.new("LA", (8, 8), (90, 0)), "PNG"), "RGBA", None, True),
        (encode(Image.new("P", (8, 8), 1), "PNG"), "RGB", (0, 0, 0), False),
        (encode(_palette_with_transparency(), "PNG"), "RGBA", (200, 0, 0, 255), True),
        (encode(Image.new("RGB", (8, 8), "teal"), "PNG", transparency=(0, 128, 128)), "RGBA",
         None, True),
        (_grey16(), "L", 155, False),
        (_grey16(transparency=1000), "RGBA", (155, 155, 155, 255), True),
    ],
    ids=["bilevel", "grey-alpha", "palette", "palette-trns", "rgb-key", "grey16", "grey16-trns"],
)
def test_png_pixel_modes_are_normalised(data, mode, pixel, transparent_at_origin):
    image, ext = normalised(data)

    assert ext == "png"
    assert image.mode == mode
    if pixel is not None:
        assert image.getpixel((4, 4)) == pixel
    if transparent_at_origin:
        assert image.getpixel((0, 0))[3] == 0


def test_png_metadata_is_removed():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Client, 12 Secret Street")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    data = encode(
        Image.new("RGB", (16, 16), "navy"), "PNG", pnginfo=text, exif=exif, dpi=(300, 300)
    )

    image, _ = normalised(data)
    out = normalise_logo(data)[0]
    assert not image.info
    assert b"Secret" not in out and b"PhoneMaker" not in out


def test_jpeg_comment_xmp_and_exif_are_removed():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    data = encode(
        Image.new("RGB", (16, 16), "navy"),
        "JPEG",
        exif=exif,
        comment=b"client secret",
        xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>",
    )

    out, ext = normalise_logo(data)
    assert ext == "jpg"
    assert b"secret" not in out and b"PhoneMaker" not in out


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_and_warning_globals_are_left_alone():
    max_pixels = Image.MAX_IMAGE_PIXELS
    filters = list(warnings.filters)
    for name in ("truncated.jpg", "huge-dimensions.png"):
        with pytest.raises(LogoError):
            normalise_logo(read("invalid", name))

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS == max_pixels
    assert warnings.filters == filters


def test_store_logo_writes_under_unguessable_names(tmp_path):
    directory = tmp_path / "uploads"
    first = store_logo(directory, b"first", "png")
    second = store_logo(directory, b"second", "jpg")

    assert NAME_RE.fullmatch(first) and first.endswith(".png")
    assert NAME_RE.fullmatch(second) and second.endswith(".jpg")
    assert first.removesuffix(".png") != second.removesuffix(".jpg")
    assert (directory / first).read_bytes() == b"first"
    assert (directory / second).read_bytes() == b"second"
    assert sorted(p.name for p in directory.iterdir()) == sorted([first, second])
    assert (directory / first).stat().st_mode & 0o777 == 0o644


def test_store_logo_renames_a_complete_temp_file_into_place(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def recording_replace(src, dst):
        renames.append((Path(src), Path(dst), Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(logo.os, "replace", recording_replace)
    name = store_logo(tmp_path, b"complete logo", "png")

    [(src, dst, content)] = renames
    assert src.parent == tmp_path and src.name != name
    assert dst == tmp_path / name
    assert content == b"complete logo"


def test_store_logo_leaves_nothing_behind_when_the_rename_fails(tmp_path, monkeypatch):
    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(logo.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        store_logo(tmp_path, b"logo", "png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", ["svg", "gif", "../png", ""])
def test_store_logo_refuses_other_extensions(tmp_path, ext):
    with pytest.raises(ValueError):
        store_logo(tmp_path, b"logo", ext)
    assert list(tmp_path.iterdir()) == []


def test_remove_logo_file_deletes_a_stored_logo_and_ignores_missing(tmp_path):
    name = store_logo(tmp_path, b"logo", "png")
    remove_logo_file(tmp_path, name)
    assert not (tmp_path / name).exists()

    remove_logo_file(tmp_path, name)
    remove_logo_file(tmp_path, None)
    remove_logo_file(tmp_path, "")


TOKEN = "A" * 22


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        f"../logo-{TOKEN}.png",
        f"sub/logo-{TOKEN}.png",
        f"/tmp/logo-{TOKEN}.png",
        f"logo-{TOKEN}.png/..",
        f"logo-{TOKEN}.png\n",
        f"logo-{TOKEN}.gif",
        "logo-short.png",
        "portal.db",
        "..",
    ],
)
def test_remove_logo_file_refuses_names_we_did_not_generate(tmp_path, name):
    directory = tmp_path / "uploads"
    directory.mkdir()
    (tmp_path / "x").write_bytes(b"keep")
    (tmp_path / f"logo-{TOKEN}.png").write_bytes(b"keep")

    with pytest.raises(ValueError):
        remove_logo_file(directory, name)
    assert (tmp_path / "x").exists()
    assert (tmp_path / f"logo-{TOKEN}.png").exists()


DAY = 24 * 3600


def _aged(path: Path, seconds: float, now: float) -> Path:
    path.write_bytes(b"x")
    os.utime(path, (now - seconds, now - seconds))
    return path


def test_sweep_removes_only_old_unreferenced_logos(tmp_path):
    now = 2_000_000_000.0
    old_orphan = _aged(tmp_path / store_logo(tmp_path, b"", "png"), DAY + 60, now)
    old_saved = _aged(tmp_path / store_logo(tmp_path, b"", "jpg"), 30 * DAY, now)
    fresh_pending = _aged(tmp_path / store_logo(tmp_path, b"", "png"), DAY - 60, now)
    old_temp = _aged(tmp_path / ".logo-abc123_x.tmp", 2 * DAY, now)
    foreign = [_aged(tmp_path / name, 30 * DAY, now) for name in ("notes.txt", "logo-short.png", "portal.db")]
    (tmp_path / f"logo-{TOKEN}.png").mkdir()  # a directory with a logo's name is not a logo
    os.utime(tmp_path / f"logo-{TOKEN}.png", (now - 30 * DAY, now - 30 * DAY))

    assert logo.sweep_orphan_logos(tmp_path, {old_saved.name}, now=now) == 2

    assert not old_orphan.exists() and not old_temp.exists()
    assert old_saved.exists() and fresh_pending.exists()
    assert all(path.exists() for path in foreign)
    assert (tmp_path / f"logo-{TOKEN}.png").is_dir()


def test_sweep_of_a_missing_folder_does_nothing(tmp_path):
    assert logo.sweep_orphan_logos(tmp_path / "never-created", set()) == 0


# ---- the upload size guard in front of Reflex's /_upload (portal_app/http.py) ----------------------

def _run_guard(body_parts, *, headers=(), path="/_upload", method="POST"):
    """Drive the guard around a fake app that reads the whole body; returns (app saw, responses).

    The fake app sits behind Starlette's error middleware, as Reflex's routes do, so an exception
    thrown into it would show up here as a 500 answered before the guard's 413.
    """
    import asyncio

    from starlette.middleware.errors import ServerErrorMiddleware

    from portal_app.http import limit_upload_size

    seen = {"bytes": 0, "called": False}

    async def app(scope, receive, send):
        seen["called"] = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            seen["bytes"] += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    incoming = [{"type": "http.request", "body": part, "more_body": i < len(body_parts) - 1}
                for i, part in enumerate(body_parts)]
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": list(headers)}
    asyncio.run(limit_upload_size(ServerErrorMiddleware(app))(scope, receive, send))
    return seen, [m["status"] for m in sent if m["type"] == "http.response.start"]


def test_guard_refuses_a_declared_oversized_body_without_calling_the_app():
    from portal_app.http import MAX_UPLOAD_BODY

    seen, statuses = _run_guard([b"x"], headers=[(b"content-length", str(MAX_UPLOAD_BODY + 1).encode())])
    assert (seen["called"], statuses) == (False, [413])
    seen, statuses = _run_guard([b"x"], headers=[(b"content-length", b"12abc")])
    assert (seen["called"], statuses) == (False, [413])


def test_guard_stops_an_undeclared_body_at_the_limit_and_answers_413_only():
    from portal_app.http import MAX_UPLOAD_BODY

    chunk = b"\0" * 65536
    seen, statuses = _run_guard([chunk] * (MAX_UPLOAD_BODY // len(chunk) + 20))
    assert statuses == [413]  # the app's own answer is swallowed, never two responses
    assert seen["bytes"] <= MAX_UPLOAD_BODY


def test_guard_lets_normal_uploads_and_other_requests_through():
    seen, statuses = _run_guard([b"a" * 1000, b"b" * 1000], headers=[(b"content-length", b"2000")])
    assert (seen["bytes"], statuses) == (2000, [200])
    seen, statuses = _run_guard([b"\0" * (7 * 1024 * 1024)], path="/_event", method="POST")
    assert statuses == [200]
    seen, statuses = _run_guard([b""], path="/_upload/logos/x.png", method="GET")
    assert statuses == [200]
