#!/usr/bin/env python3
"""Generates the hostile-input corpus (tests/hostile/) and the small format
fixtures of the intake crate (crates/ishenim-intake/tests/data/).

Run from the repository root with the project venv (Pillow); it also uses
`qpdf` (encrypted PDFs) and `tiffcp` (BigTIFF) when present:

    .venv/bin/python tests/hostile/make.py

The generated files are committed; tests never need Python. Output is
deterministic (fixed seeds), so re-running gives the same bytes except where
Pillow/libtiff/qpdf versions change their encoders.

Every file's expected outcome is written to tests/hostile/expected.tsv as
`file<TAB>outcome<TAB>note`, outcome being `ok:N` (N pages decoded) or
`err:<code>` (an IntakeError code, from `open` or from a page).
"""

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTILE = os.path.join(ROOT, "tests", "hostile")
DATA = os.path.join(ROOT, "crates", "ishenim-intake", "tests", "data")

manifest = []


def put(name, data, outcome, note=""):
    with open(os.path.join(HOSTILE, name), "wb") as f:
        f.write(data)
    manifest.append((name, outcome, note))


def put_data(name, data):
    with open(os.path.join(DATA, name), "wb") as f:
        f.write(data)


def save(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


# ---------------------------------------------------------------- patterns
W, H = 600, 400


def pattern(mode="L"):
    """White page, black rect [50,250)x[100,300), second rect [350,500)x[50,200):
    red in RGB, gray 128 in L, absent in 1-bit."""
    base = "RGB" if mode in ("RGB", "CMYK", "P") else "L"
    im = Image.new(base, (W, H), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([50, 100, 249, 299], fill="black")
    if base == "RGB":
        d.rectangle([350, 50, 499, 199], fill=(220, 20, 20))
    elif mode == "L":
        d.rectangle([350, 50, 499, 199], fill=128)
    if mode == "1":
        return im.convert("1")
    if mode in ("CMYK", "P"):
        return im.convert(mode)
    return im


def letter_like(w, h, seed=1):
    """Gray page with text-like strokes (compresses like a scan)."""
    rnd = random.Random(seed)
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    y = 20
    while y < h - 20:
        x = 20
        while x < w - 40:
            ww = rnd.randint(8, 40)
            d.rectangle([x, y, x + ww, y + 8], fill=rnd.randint(0, 60))
            x += ww + rnd.randint(6, 14)
        y += 24
    return im


# ---------------------------------------------------------------- PDF writer
def pdf_doc(objs, trailer_extra=b"", header=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"):
    out = bytearray(header)
    offs = []
    for i, body in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        trailer_extra,
        x,
    )
    return bytes(out)


def stream(d, data):
    return b"<< " + d + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def image_pdf(images, media, rotate=0, content_extra=b"", extra_res=b"", extra_catalog=b"", extra_objs=()):
    """images: list of (dict_bytes, data, (a,b,c,d,e,f)). One page."""
    n_img = len(images)
    first_img = 5
    xobjs = b" ".join(b"/Im%d %d 0 R" % (i, first_img + i) for i in range(n_img))
    content = b""
    for i, (_, _, m) in enumerate(images):
        content += b"q %s cm /Im%d Do Q\n" % (b" ".join(b"%g" % v for v in m), i)
    content += content_extra
    rot = b" /Rotate %d" % rotate if rotate else b""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g]%s /Resources << /XObject << %s >> %s >> /Contents 4 0 R >>"
        % (media[0], media[1], rot, xobjs, extra_res),
        stream(b"", content),
    ]
    for d, data, _ in images:
        objs.append(stream(b"/Type /XObject /Subtype /Image " + d, data))
    objs.extend(extra_objs)
    return pdf_doc(objs)


def gray_flate_image(im, predictor=False):
    raw = im.tobytes()
    if predictor:  # PNG "Up" predictor on every row
        rows = [raw[i * im.width:(i + 1) * im.width] for i in range(im.height)]
        prev = bytes(im.width)
        buf = bytearray()
        for r in rows:
            buf.append(2)
            buf += bytes((a - b) & 0xFF for a, b in zip(r, prev))
            prev = r
        raw = bytes(buf)
        parms = b" /DecodeParms << /Predictor 12 /Colors 1 /BitsPerComponent 8 /Columns %d >>" % im.width
    else:
        parms = b""
    d = b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode%s" % (
        im.width,
        im.height,
        parms,
    )
    return d, zlib.compress(raw, 9)


PT = 72 / 100  # points per pixel at 100 dpi


def full_page(im):
    return (im.width * PT, im.height * PT)


def full_page_image(im, predictor=False):
    d, data = gray_flate_image(im, predictor)
    return (d, data, (im.width * PT, 0, 0, im.height * PT, 0, 0))


# ---------------------------------------------------------------- TIFF writer
def tiff_file(pages, le=True, loop=False):
    """pages: list of dicts with w, h, bps, spp, photometric, compression, data,
    extra (list of (tag, type, count, value_bytes_or_int))."""
    e = "<" if le else ">"
    out = bytearray(b"II*\0" if le else b"MM\0*")
    out += struct.pack(e + "I", 0)  # patched
    ifd_offsets = []
    for p in pages:
        strip_off = len(out)
        out += p["data"]
        if len(out) % 2:
            out += b"\0"
        bps_off = None
        if p["spp"] > 1:
            bps_off = len(out)
            out += struct.pack(e + "H" * p["spp"], *([p["bps"]] * p["spp"]))
        res_off = len(out)
        out += struct.pack(e + "II", 200, 1)
        entries = [
            (256, 4, 1, p["w"]),
            (257, 4, 1, p["h"]),
            (258, 3, p["spp"], bps_off if bps_off is not None else p["bps"]),
            (259, 3, 1, p["compression"]),
            (262, 3, 1, p["photometric"]),
            (273, 4, 1, strip_off),
            (277, 3, 1, p["spp"]),
            (278, 4, 1, p["h"]),
            (279, 4, 1, len(p["data"])),
            (282, 5, 1, res_off),
            (283, 5, 1, res_off),
            (296, 3, 1, 2),
        ] + p.get("extra", [])
        entries.sort()
        ifd_offsets.append(len(out))
        out += struct.pack(e + "H", len(entries))
        for tag, typ, count, val in entries:
            if typ == 3 and count == 1:
                out += struct.pack(e + "HHIHH", tag, typ, count, val, 0)
            else:
                out += struct.pack(e + "HHII", tag, typ, count, val)
        out += struct.pack(e + "I", 0)  # next, patched
    struct.pack_into(e + "I", out, 4, ifd_offsets[0])
    for i, off in enumerate(ifd_offsets):
        n = struct.unpack_from(e + "H", out, off)[0]
        nxt = ifd_offsets[i + 1] if i + 1 < len(ifd_offsets) else (off if loop else 0)
        struct.pack_into(e + "I", out, off + 2 + 12 * n, nxt)
    return bytes(out)


def tiff_via_pillow(img, **kw):
    return save(img, "TIFF", **kw)


def multipage_tiff(imgs, **kw):
    b = io.BytesIO()
    imgs[0].save(b, "TIFF", save_all=True, append_images=imgs[1:], **kw)
    return b.getvalue()


def run(cmd, inp):
    with tempfile.TemporaryDirectory() as t:
        src = os.path.join(t, "in")
        dst = os.path.join(t, "out")
        with open(src, "wb") as f:
            f.write(inp)
        subprocess.run([c.replace("{in}", src).replace("{out}", dst) for c in cmd], check=True)
        with open(dst, "rb") as f:
            return f.read()


def main():
    for d in (HOSTILE, DATA):
        os.makedirs(d, exist_ok=True)
    for f in os.listdir(HOSTILE):
        if f not in ("make.py", "expected.tsv", "README.md"):
            os.remove(os.path.join(HOSTILE, f))

    letter = letter_like(1240, 1754)  # A4 at 150 dpi
    letter_png = save(letter, "PNG", dpi=(150, 150))
    letter_jpg = save(letter, "JPEG", quality=60, dpi=(150, 150))
    small = letter_like(400, 560, seed=2)
    small_png = save(small, "PNG")
    small_jpg = save(small, "JPEG", quality=70)

    # --- empty, tiny, huge -----------------------------------------------
    put("empty.png", b"", "err:empty", "zero bytes")
    put("one_by_one.png", save(Image.new("L", (1, 1), 255), "PNG"), "ok:1", "1x1 image")
    wide = Image.new("1", (20000, 200), 1)
    ImageDraw.Draw(wide).rectangle([100, 50, 19900, 60], fill=0)
    put("wide_20000x200.png", save(wide, "PNG", optimize=True), "ok:1", "20000x200, small when compressed")
    # A PNG whose header claims 60000x60000 with almost no data.
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    bomb_hdr = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 60001)) + chunk(b"IEND", b"")
    put("bomb_header_60000x60000.png", bomb_hdr, "err:too_large", "header claims 3.6 Gpx")
    # A real, valid 1-bit PNG of 19000x19000 (361 Mpx) that is ~50 KB: zip-bomb-like.
    raw = zlib.compress((b"\0" + b"\xff" * (19000 // 8 + 1)) * 19000, 9)
    ihdr = struct.pack(">IIBBBBB", 19000, 19000, 1, 0, 0, 0, 0)
    put("bomb_19000x19000_1bit.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""),
        "err:too_large", "valid 361 Mpx PNG, ~50 KB compressed")
    # JPEG header claiming 65000x65000.
    sof = bytearray(save(Image.new("L", (8, 8), 255), "JPEG"))
    i = sof.find(b"\xff\xc0")
    struct.pack_into(">HH", sof, i + 5, 65000, 65000)
    put("bomb_header_65000.jpg", bytes(sof), "err:too_large", "JPEG SOF claims 65000x65000")

    # --- truncated --------------------------------------------------------
    put("truncated.png", letter_png[: len(letter_png) * 2 // 3], "err:truncated", "PNG cut at 2/3")
    put("truncated.jpg", letter_jpg[: len(letter_jpg) // 2], "err:truncated", "JPEG cut at 1/2 (no EOI)")
    put("truncated_header.png", letter_png[:20], "err:truncated", "PNG cut inside IHDR")
    mt = multipage_tiff([letter.convert("1")] * 2, compression="group4")
    put("truncated.tif", mt[: len(mt) // 3], "err:truncated", "2-page G4 TIFF cut at 1/3")
    bad_crc = bytearray(small_png)
    bad_crc[40] ^= 0xFF
    put("bad_crc.png", bytes(bad_crc), "err:corrupt", "PNG with a damaged chunk")

    # --- odd pixel formats that must work --------------------------------
    put("cmyk.jpg", save(small.convert("CMYK"), "JPEG", quality=80), "ok:1", "CMYK JPEG")
    g16 = Image.frombytes("I;16", small.size, bytes(b for v in small.tobytes() for b in (v, v)))
    put("gray16.png", save(g16, "PNG"), "ok:1", "16-bit gray PNG")
    rgba = small.convert("RGBA")
    rgba.putalpha(128)
    put("rgba_half_transparent.png", save(rgba, "PNG"), "ok:1", "RGBA, alpha flattened on white")
    put("palette.png", save(small.convert("P"), "PNG"), "ok:1", "palette PNG")
    interlaced = save(small, "PNG")  # Pillow cannot write Adam7; keep a plain one with pHYs
    put("with_dpi.png", save(small, "PNG", dpi=(75, 75)), "ok:1", "pHYs 75 dpi")
    del interlaced
    put("cmyk_lzw.tif", tiff_via_pillow(small.convert("CMYK"), compression="tiff_lzw"), "ok:1", "CMYK TIFF, LZW")
    put("gray16.tif", tiff_via_pillow(g16, compression="tiff_adobe_deflate"), "ok:1", "16-bit gray TIFF, Deflate")
    put("g3.tif", tiff_via_pillow(small.convert("1"), compression="group3"), "ok:1", "CCITT Group 3 TIFF")
    put("palette.tif", tiff_via_pillow(small.convert("P"), compression="tiff_lzw"), "err:unsupported_feature", "palette TIFF (not decoded by the tiff crate)")
    put("jpeg_in.tif", tiff_via_pillow(small.convert("RGB"), compression="jpeg"), "ok:1", "JPEG-in-TIFF")

    # --- refused types ----------------------------------------------------
    frames = [Image.new("P", (64, 64), i * 40) for i in range(4)]
    b = io.BytesIO()
    frames[0].save(b, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    put("animated.gif", b.getvalue(), "err:unsupported_format", "animated GIF")
    put("still.gif", save(small.convert("P"), "GIF"), "err:unsupported_format", "still GIF (refused too)")
    put("photo.webp", save(small, "WEBP", quality=50), "err:unsupported_format", "WebP")
    put("scan.bmp", save(small.resize((100, 140)), "BMP"), "err:unsupported_format", "BMP")
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + os.urandom(0)
    put("photo.heic", heic + bytes(random.Random(3).randbytes(200)), "err:unsupported_format", "HEIC header")
    put("drawing.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script><rect width="100" height="100"/></svg>\n',
        "err:unsupported_format", "SVG with a script")
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    put("letter.docx", zb.getvalue(), "err:unsupported_format", "Word document")
    put("notes.txt", "Урматтуу айыл өкмөтү! Көчөбүздө жарык жок.\nСпасибо.\n".encode(), "err:not_an_image", "plain text")
    put("random.bin", random.Random(7).randbytes(4096), "err:not_an_image", "random bytes")
    put("page.html", b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "err:not_an_image", "HTML")

    # --- wrong extensions (type comes from content) ----------------------
    one_pdf = image_pdf([full_page_image(small)], full_page(small))
    put("pdf_named.png", one_pdf, "ok:1", "a PDF with a .png name")
    put("png_named.jpg", small_png, "ok:1", "a PNG with a .jpg name")
    put("jpeg_named.pdf", small_jpg, "ok:1", "a JPEG with a .pdf name")
    put("tiff_named.txt", tiff_via_pillow(small.convert("1"), compression="group4"), "ok:1", "a G4 TIFF with a .txt name")

    # --- PDFs -------------------------------------------------------------
    js = b"/OpenAction << /S /JavaScript /JS (app.alert\\('pwned'\\); this.exportDataObject\\({cName: 'x', nLaunch: 2}\\);) >> /AA << /WC << /S /Launch /F (cmd.exe) >> >> "
    put("with_javascript.pdf", image_pdf([full_page_image(small)], full_page(small), extra_catalog=js), "ok:1",
        "JavaScript and Launch actions are ignored")
    if shutil.which("qpdf"):
        put("encrypted_user_password.pdf", run(["qpdf", "--encrypt", "secret", "owner", "256", "--", "{in}", "{out}"], one_pdf),
            "err:encrypted_pdf", "AES-256, needs a password")
        put("encrypted_rc4_password.pdf", run(["qpdf", "--allow-weak-crypto", "--encrypt", "secret", "owner", "128", "--use-aes=n", "--", "{in}", "{out}"], one_pdf),
            "err:encrypted_pdf", "RC4-128, needs a password")
        put("encrypted_owner_only.pdf", run(["qpdf", "--encrypt", "", "owner", "128", "--use-aes=y", "--", "{in}", "{out}"], one_pdf),
            "ok:1", "restrictions only, empty user password: readable")
    broken = bytearray(one_pdf)
    x = broken.rfind(b"startxref\n") + len(b"startxref\n")
    broken[x:] = b"99999999\n%%EOF\n"
    i = broken.find(b"xref\n0 ")
    broken[i:i + 4] = b"xxxx"
    put("broken_xref.pdf", bytes(broken), "err:corrupt", "xref table and startxref destroyed")
    put("truncated.pdf", one_pdf[: len(one_pdf) // 2], "err:truncated", "PDF cut in half")
    put("header_only.pdf", b"%PDF-1.4\n", "err:truncated", "just a header")
    deep = b"%PDF-1.4\n1 0 obj\n" + b"[" * 100000 + b"\nendobj\n"
    put("deep_nesting.pdf", deep, "err:too_large", "100000 nested arrays (stack-overflow bait)")
    bomb = zlib.compress(b" " * (100 * 1024 * 1024), 9)
    put("content_bomb.pdf", pdf_doc([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        stream(b"/Filter /FlateDecode", bomb),
    ]), "err:too_large", "content stream inflating to 100 MiB")
    put("image_flate_bomb.pdf", image_pdf([(b"/Width 1000 /Height 1000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", bomb, (612, 0, 0, 792, 0, 0))], (612, 792)),
        "err:too_large", "1 Mpx image whose data inflates to 100 MiB")
    fake = random.Random(5).randbytes(300)
    put("jbig2.pdf", image_pdf([(b"/Width 400 /Height 560 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode", fake, (288, 0, 0, 403.2, 0, 0))], (288, 403.2)),
        "err:corrupt", "JBIG2 image with random data")
    put("jpx.pdf", image_pdf([(b"/Width 400 /Height 560 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /JPXDecode", fake, (288, 0, 0, 403.2, 0, 0))], (288, 403.2)),
        "err:unsupported_compression", "JPEG 2000 image")
    put("vector_only.pdf", pdf_doc([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream(b"", b"BT /F1 24 Tf 72 700 Td (Born digital letter) Tj ET 72 600 m 500 600 l S"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]), "err:no_image", "no raster image (text is still available via page_text)")
    huge_img = (b"/Width 100000 /Height 100000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", zlib.compress(b"\0" * 1000), (612, 0, 0, 792, 0, 0))
    put("image_dict_bomb.pdf", image_pdf([huge_img], (612, 792)), "err:too_large", "image dict claims 100000x100000")
    many = [gray_flate_image(Image.new("L", (2, 2), 0))[0:2] + ((1, 0, 0, 1, i % 600, i // 600),) for i in range(300)]
    put("300_images.pdf", image_pdf(many, (612, 792)), "err:too_large", "300 image placements on one page")
    # Page tree with a cycle: the Pages node lists itself as a kid.
    put("page_tree_loop.pdf", pdf_doc([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]), "err:corrupt", "page tree loops back on itself")
    many_pages = [b"<< /Type /Catalog /Pages 2 0 R >>",
                  b"<< /Type /Pages /Kids [%s] /Count 1200 >>" % b" ".join(b"%d 0 R" % (i + 3) for i in range(1200))]
    many_pages += [b"<< /Type /Page /Parent 2 0 R >>"] * 1200
    put("1200_pages.pdf", pdf_doc(many_pages), "err:too_many_pages", "1200 empty pages")

    # --- TIFF oddities ----------------------------------------------------
    one = {"w": 1, "h": 1, "bps": 8, "spp": 1, "photometric": 1, "compression": 1, "data": b"\xff"}
    put("2000_pages_1x1.tif", tiff_file([one] * 2000), "err:too_many_pages", "2000 pages of 1x1")
    put("ifd_loop.tif", tiff_file([one, one], loop=True), "err:corrupt", "page chain loops back")
    odd = dict(one, w=16, h=16, compression=34712, data=random.Random(9).randbytes(64))
    put("jpeg2000_compression.tif", tiff_file([odd]), "err:unsupported_compression", "TIFF compression 34712 (JPEG 2000)")
    odd2 = dict(one, w=16, h=16, compression=6, data=random.Random(9).randbytes(64))
    put("ojpeg_compression.tif", tiff_file([odd2]), "err:unsupported_compression", "old-style JPEG TIFF")
    odd3 = dict(one, w=16, h=16, compression=12345, data=random.Random(9).randbytes(64))
    put("unknown_compression.tif", tiff_file([odd3]), "err:unsupported_compression", "TIFF compression 12345")
    huge_tiff = dict(one, w=60000, h=60000, data=b"\0" * 16)
    put("bomb_60000x60000.tif", tiff_file([huge_tiff]), "err:too_large", "TIFF tags claim 60000x60000")
    float_tiff = dict(one, w=4, h=4, bps=32, data=b"\0" * 64, extra=[(339, 3, 1, 3)])
    put("float32.tif", tiff_file([float_tiff]), "err:unsupported_feature", "32-bit float samples")
    put("big_endian_gray.tif", tiff_file([dict(one, w=4, h=4, data=bytes(range(0, 256, 16)))], le=False), "ok:1", "MM byte order")
    put("three_pages_g4.tif", multipage_tiff([letter.convert("1"), Image.new("1", letter.size, 1), small.convert("1")], compression="group4", dpi=(150, 150)),
        "ok:3", "multi-page G4 with a blank page")
    if shutil.which("tiffcp"):
        put("bigtiff.tif", run(["tiffcp", "-8", "{in}", "{out}"], tiff_via_pillow(small, compression="tiff_lzw")), "ok:1", "BigTIFF")

    # --- dangerous names (content is a valid small PNG) -------------------
    for name in ["a;rm -rf.png", "$(reboot).png", "-rf.png", "..png", "name with spaces.png",
                 "Арыз №5 — өтүнүч.png", "a\\b.png", "x" * 180 + ".png", "'quote\".png", "<script>.png"]:
        put(name, small_png, "ok:1", "dangerous file name")

    with open(os.path.join(HOSTILE, "expected.tsv"), "w", encoding="utf-8") as f:
        f.write("# file\texpected\tnote   (generated by make.py; expected = ok:<pages> or err:<code>)\n")
        for name, outcome, note in sorted(manifest):
            f.write(f"{name}\t{outcome}\t{note}\n")

    make_data()
    total = sum(os.path.getsize(os.path.join(HOSTILE, n)) for n, _, _ in manifest)
    print(f"{len(manifest)} hostile files, {total / 1024:.0f} KiB", file=sys.stderr)


def g4_strip(bw, fax_black_is_black=True):
    """CCITT G4 data of a 1-bit image (one strip), via Pillow/libtiff."""
    img = bw.point(lambda v: 255 - v).convert("1") if fax_black_is_black else bw
    t = Image.open(io.BytesIO(save(img, "TIFF", compression="group4", tiffinfo={278: img.height})))
    offs, counts = t.tag_v2[273], t.tag_v2[279]
    assert len(offs) == 1, "expected one strip"
    raw = save(img, "TIFF", compression="group4", tiffinfo={278: img.height})
    return raw[offs[0]:offs[0] + counts[0]]


def jbig2_embedded_mmr(bw):
    """A minimal JBIG2 stream (embedded organisation, as in PDF): page
    information + one immediate lossless generic region coded with MMR (G4)."""
    w, h = bw.size
    def seg(number, typ, data):
        return struct.pack(">IBBBI", number, typ, 0, 1, len(data)) + data
    page_info = struct.pack(">IIIIBH", w, h, 0, 0, 0, 0)
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + bytes([1]) + g4_strip(bw)
    return seg(0, 48, page_info) + seg(1, 39, region) + seg(2, 49, b"")


def make_data():
    """Fixtures with a known pattern for the intake crate's format tests."""
    for f in os.listdir(DATA):
        os.remove(os.path.join(DATA, f))
    g, c, bw = pattern("L"), pattern("RGB"), pattern("1")
    put_data("pat_g4.tif", tiff_via_pillow(bw, compression="group4", dpi=(100, 100)))
    put_data("pat_g3.tif", tiff_via_pillow(bw, compression="group3", dpi=(100, 100)))
    put_data("pat_lzw.tif", tiff_via_pillow(g, compression="tiff_lzw", dpi=(100, 100)))
    put_data("pat_packbits.tif", tiff_via_pillow(g, compression="packbits", dpi=(100, 100)))
    put_data("pat_deflate_rgb.tif", tiff_via_pillow(c, compression="tiff_adobe_deflate", dpi=(100, 100)))
    put_data("pat_jpeg_rgb.tif", tiff_via_pillow(c, compression="jpeg", dpi=(100, 100)))
    put_data("pat_cmyk.tif", tiff_via_pillow(pattern("CMYK"), compression="tiff_lzw", dpi=(100, 100)))
    put_data("pat_palette.tif", tiff_via_pillow(c.convert("P", palette=Image.ADAPTIVE, colors=4), compression="tiff_lzw", dpi=(100, 100)))
    g16 = Image.frombytes("I;16", g.size, bytes(b for v in g.tobytes() for b in (v, v)))
    put_data("pat_gray16.tif", tiff_via_pillow(g16, compression="tiff_adobe_deflate", dpi=(100, 100)))
    put_data("pat_multi3.tif", multipage_tiff([bw, Image.new("1", (W, H), 1), bw.transpose(Image.Transpose.FLIP_LEFT_RIGHT)], compression="group4", dpi=(100, 100)))
    if shutil.which("tiffcp"):
        put_data("pat_g4_strips_lsb.tif", run(["tiffcp", "-c", "g4", "-r", "64", "-f", "lsb2msb", "{in}", "{out}"],
                                              tiff_via_pillow(bw, compression="group4", dpi=(100, 100))))
        put_data("pat_bigtiff.tif", run(["tiffcp", "-8", "{in}", "{out}"], tiff_via_pillow(g, compression="tiff_lzw", dpi=(100, 100))))
    put_data("pat.png", save(c, "PNG", dpi=(100, 100)))
    put_data("pat_gray.jpg", save(g, "JPEG", quality=95, dpi=(100, 100)))
    # EXIF orientation 6: stored turned counter-clockwise, viewed upright.
    ex = Image.Exif()
    ex[274] = 6
    put_data("pat_exif6.jpg", save(c.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=95, exif=ex.tobytes()))
    # PDFs
    put_data("pat_g4.pdf", save(bw, "PDF", resolution=100))
    put_data("pat_jbig2.pdf", image_pdf([(b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode" % (W, H),
                                          jbig2_embedded_mmr(bw), (W * PT, 0, 0, H * PT, 0, 0))], full_page(g)))
    put_data("pat_dct.pdf", save(c, "PDF", resolution=100, quality=95))
    put_data("pat_flate_pred.pdf", image_pdf([full_page_image(g, predictor=True)], full_page(g)))
    strips = []
    for k in range(4):
        part = g.crop((0, k * 100, W, (k + 1) * 100))
        d, data = gray_flate_image(part)
        # strip k from the top: its bottom edge is at y = H - (k+1)*100 px
        strips.append((d, data, (W * PT, 0, 0, 100 * PT, 0, (H - (k + 1) * 100) * PT)))
    put_data("pat_strips.pdf", image_pdf(strips, full_page(g)))
    d, data = gray_flate_image(g)
    put_data("pat_rotate90.pdf", image_pdf([(d, data, (W * PT, 0, 0, H * PT, 0, 0))], full_page(g), rotate=90))
    # Stencil mask: 1 bits paint? No: with default /Decode [0 1], 0 bits paint.
    mask = bw.point(lambda v: 255 if v else 0).convert("1")
    put_data("pat_mask.pdf", image_pdf([(b"/Width %d /Height %d /ImageMask true /BitsPerComponent 1 /Filter /FlateDecode" % (W, H),
                                         zlib.compress(mask.tobytes()), (W * PT, 0, 0, H * PT, 0, 0))], full_page(g)))
    put_data("pat_indexed.pdf", image_pdf([(b"/Width %d /Height %d /ColorSpace [/Indexed /DeviceRGB 2 <ffffff000000dc1414>] /BitsPerComponent 8 /Filter /FlateDecode" % (W, H),
                                            zlib.compress(bytes(0 if p == (255, 255, 255) else 1 if p == (0, 0, 0) else 2 for p in c.get_flattened_data())),
                                            (W * PT, 0, 0, H * PT, 0, 0))], full_page(g)))
    # A real OCR'd PDF (image + Kyrgyz text layer in a Type0/ToUnicode font),
    # made by Tesseract's PDF renderer, as scanner software produces.
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
    if shutil.which("tesseract") and os.path.exists(font):
        from PIL import ImageFont
        im = Image.new("L", (1400, 300), 255)
        d = ImageDraw.Draw(im)
        f = ImageFont.truetype(font, 40)
        d.text((60, 60), "Урматтуу айыл өкмөтү!", font=f, fill=0)
        d.text((60, 140), "Көчөдө жарык жок, жолду оңдоп бериңиз.", font=f, fill=0)
        with tempfile.TemporaryDirectory() as t:
            im.save(os.path.join(t, "p.png"), dpi=(300, 300))
            env = dict(os.environ, OMP_THREAD_LIMIT="1")
            subprocess.run(["tesseract", os.path.join(t, "p.png"), os.path.join(t, "o"), "-l", "kir", "pdf"],
                           check=True, env=env, capture_output=True)
            with open(os.path.join(t, "o.pdf"), "rb") as fh:
                put_data("ocr_kir.pdf", fh.read())
    # Image plus an invisible text layer (Helvetica, WinAnsi) like scanner OCR.
    text = b"BT 3 Tr /F1 12 Tf 36 250 Td (Hello council, road repair request) Tj ET\n"
    d, data = gray_flate_image(g)
    put_data("pat_text.pdf", image_pdf([(d, data, (W * PT, 0, 0, H * PT, 0, 0))], full_page(g), content_extra=text,
                                       extra_res=b"/Font << /F1 6 0 R >>",
                                       extra_objs=[b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]))


if __name__ == "__main__":
    main()
