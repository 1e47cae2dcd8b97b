"""Render letters into HARD scanned pages with ground truth (issue 3, "harder pages you make yourself").

usage: make_hard.py LETTERS OUT SEED [--kinds skew15,turned_skew,dpi150,photo,stamp,fax] [--copies N]
                    [--shared DIR] [--fonts a,b] [--hand-fonts a,b] [--no-blanks] [--only H073,mix]
       make_hard.py oracle CORPUS OUT     (realism check: undo each page with its truth, write OUT/<id>.png)
       make_hard.py lost CORPUS PRED      (per kind: truth lines with no counterpart in PRED/<id>.txt)

Letters are composed and laid out by the shared generator (`DIR/make_corpus.py`, loaded with importlib, default
`<repo>/../shared/corpus`), then degraded into one of these kinds:

  skew15       office scan (grey, noise, blur), paper skewed by +-(5..15) deg on the scanner bed, PNG or JPEG
  turned_skew  the same with skew +-(3..12) deg and the sheet turned by 90/180/270 deg
  dpi150       scanned at 150 dpi (300 dpi render area-averaged to half), light noise, JPEG q80
  photo        phone photo: RGB JPEG q85, sheet on a dark textured desk, perspective (corners moved 3..8 %),
               uneven light, a soft hand/phone shadow over the text, slight blur, up to 3000x4000 px
  stamp        colour scan with a violet round stamp (rings, text ring, centre text) and 1..3 blue ballpoint marks
               (underline, signature scribble, margin note with arrow, circled word) over the text
  fax          grey low-contrast noisy page at 200 dpi, Floyd-Steinberg dithered to bilevel, Group-4 TIFF,
               about half of them skewed 1..2 deg

Issue 14 kinds (real paper and poor images; not in the default set, pass them with --kinds; see README.md):

  ruled        printed letter on a school-notebook page (or A4 ruled pad): blue/grey/violet rules 7..9 mm apart,
               red margin line, white/cream/grey paper, torn binding edge; text baselines ON the rules, centred
               BETWEEN them, or at the printer's own spacing ("free"), in turn; flatbed scan at 300 dpi, colour
               or grey, PNG or JPEG q85..92, +-1.2 deg
  grid         the same on 5 mm squared ("kletka") paper, blue/grey, with or without a margin line
  ruled_photo  a flat ruled or grid page photographed with a phone: pinhole camera at 30..45 cm tilted up to
               15 deg, rolled +-4 deg, desk, drop shadow, uneven light, vignetting, hand/phone shadow, JPEG q80..90
  curl         a phone photo of a sheet that does not lie flat, plain A4 or ruled/grid: lifted at the binding
               (30..60 deg at the edge), arched or troughed across (10..22 deg), or a half-fold opened again;
               rendered as a bent developable surface strip by strip, so text lines curve; shading along the bend
  jpeg_poor    heavy JPEG blocking (q8..25; q14..25 after a 0.55..0.8 messenger downscale), a third of them
               compressed twice; of a flatbed scan or (40 %) of a phone photo
  lowlight     a dim phone photo: exposure 0.08..0.2, shot and read noise, colour blotches, then the phone's gain
               and a light denoise blur; plain (65 %) or ruled/grid paper
  showthrough  another letter printed on the back shows through, mirrored, diffused and faint (10..20 %); plain
               or (40 %) ruled/grid paper, scanned
  faint        toner running out (vertical streaks, speckled dropout, thin strokes; ink 130..180) or light grey
               print (ink 145..190) on white paper, scanned
  coloured     pale yellow/pink/green/blue paper with navy/sepia/green/violet print, scanned (a fifth in grey)
  mix          two or three of ruled, curl, jpeg_poor, lowlight, showthrough, faint, coloured at once (never all
               three of lowlight, faint, jpeg_poor; when two of those meet, each is milder)
  hand         HANDWRITING-LIKE: the letter written in blue ballpoint on ruled (or squared) paper, ON the rules:
               a cursive-form italic font (--hand-fonts) drawn glyph by glyph with jitter in size, slant, baseline
               and spacing, neighbouring letters joined, thinned to a skeleton and re-inked as a 0.25..0.35 mm pen
               line with uneven pressure; scanned or (30 %) photographed; truth handwritten=true
  hand_line    a printed letter whose date line (60 %) or signature line is written by hand in ballpoint;
               handwritten=false, hand_lines = index of that truth line

Also writes three blank backsides (two phone photos, one colour scan; one with faint show-through).
OUT/truth.jsonl has one line a page in the row format of make_corpus.py with `level` = kind name, plus
kind-specific extras (skew, sheet_quad, stamp_box, pen, ...). Stamps and pen marks are NOT part of the truth text.
Deterministic per (SEED, letter number): the same seed gives byte-identical pages. The issue-14 kinds lay the
composed letter out themselves (same roles as make_corpus.render, lines placed on the ruling) and keep one truth
line per rendered line, so a benchmark can count lost lines; a run that includes one of them adds `handwritten`
to every row. Seeds 1 and 2 are for tuning; seed 9 is the blind set and is not rendered while tuning.
"""
import argparse
import importlib.util
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True  # letter modules are loaded with importlib; keep the tree clean

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

KINDS = ["skew15", "turned_skew", "dpi150", "photo", "stamp", "fax"]  # the default set; its pages never change
# issue 14: real paper and poor images (pass them with --kinds)
PAPER_KINDS = ["ruled", "grid", "ruled_photo", "curl", "jpeg_poor", "lowlight", "showthrough", "faint", "coloured",
               "mix", "hand", "hand_line"]
# make_corpus.py's list, with LiberationSans (no ө ү ң glyphs on Debian 12) replaced by PT Serif
DEFAULT_FONTS = "DejaVuSerif.ttf,PTF55F.ttf,PTS55F.ttf,cmunrm.ttf,FreeSans.ttf,DejaVuSansMono.ttf"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus"))

STAMP_RINGS = [
    "КЫРГЫЗ РЕСПУБЛИКАСЫ • ӨМҮРАЛИЕВ АЙЫЛ ӨКМӨТҮ •",
    "ӨМҮРАЛИЕВ АЙЫЛ АЙМАГЫ • ЖАЛПЫ БӨЛҮМ •",
    "КЫРГЫЗСКАЯ РЕСПУБЛИКА • ОМУРАЛИЕВСКИЙ АЙЫЛ ОКМОТУ •",
]
STAMP_CENTRES = [["КАБЫЛ АЛЫНДЫ"], ["КИРИШ"], ["ВХОДЯЩИЙ"], ["ПОЛУЧЕНО"], ["ТЕКШЕРИЛДИ"]]


def load_shared(shared_dir):
    path = os.path.join(shared_dir, "make_corpus.py")
    if not os.path.exists(path):
        raise SystemExit(f"shared generator not found: {path} (pass --shared DIR)")
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_letters(path):
    spec = importlib.util.spec_from_file_location("letters", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.LETTERS


def missing_glyphs(font_path, chars="өүңӨҮҢабвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ№"):
    """Characters the font draws as the .notdef box (Pillow has no cmap query, so compare masks)."""
    f = ImageFont.truetype(font_path, 40)
    nd = f.getmask("\uffff")
    ndb = (nd.size, bytes(nd))
    out = []
    for ch in chars:
        m = f.getmask(ch)
        if (m.size, bytes(m)) == ndb:
            out.append(ch)
    return "".join(out)


# ----------------------------------------------------------------------------------------------------------------
# small helpers


def smooth_noise(nrng, h, w, cell):
    """Low-frequency noise of shape (h, w), roughly in [-1, 1], features about `cell` px wide."""
    sh, sw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    small = nrng.standard_normal((sh, sw)).astype(np.float32)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(big / 1.5, -1.5, 1.5)


def to_u8(a):
    return np.clip(a + 0.5, 0, 255).astype(np.uint8)


def ink_alpha(gray_img):
    """Rendered L page (text black on white) -> ink coverage in [0, 1] as float32."""
    return 1.0 - np.asarray(gray_img, dtype=np.float32) / 255.0


def colourise(alpha, paper, ink):
    """Ink coverage -> RGB float page: paper colour where no ink, ink colour where full ink."""
    p = np.asarray(paper, np.float32)[None, None, :]
    k = np.asarray(ink, np.float32)[None, None, :]
    a = alpha[..., None]
    return p * (1.0 - a) + k * a


def multiply(base, alpha, colour):
    """Multiply-blend a coloured ink layer (coverage `alpha`) onto an RGB float page."""
    c = np.asarray(colour, np.float32)[None, None, :] / 255.0
    return base * (1.0 - alpha[..., None] * (1.0 - c))


def text_bands(gray):
    """Text line bands of an unrotated rendered page: list of (y0, y1, x0, x1)."""
    dark = np.asarray(gray) < 128
    rows = dark.any(axis=1).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.r_[0, rows, 0]))
    bands = []
    for y0, y1 in zip(edges[::2], edges[1::2]):
        cols = np.flatnonzero(dark[y0:y1].any(axis=0))
        if len(cols) and y1 - y0 >= 4:
            bands.append((int(y0), int(y1), int(cols[0]), int(cols[-1]) + 1))
    return bands


def rotate_rgb(arr, angle, fill):
    """Rotate an RGB or grey float array counter-clockwise by `angle` degrees, canvas expanded."""
    img = Image.fromarray(to_u8(arr))
    fill = tuple(int(v) for v in fill) if arr.ndim == 3 else int(fill)
    return np.asarray(img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=fill), dtype=np.float32)


def rotated_mask(size, angle):
    m = Image.new("L", size, 255)
    return np.asarray(m.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=0), dtype=np.float32) / 255.0


def sheet_edge(mask):
    """Thin soft line along the paper edge (scanner light casts a small shadow there)."""
    b = cv2.GaussianBlur(mask, (0, 0), 2.0)
    return np.clip(1.0 - np.abs(2.0 * b - 1.0), 0, 1)


def sensor(arr, nrng, sigma, blur):
    if blur > 0:
        arr = cv2.GaussianBlur(arr, (0, 0), blur)
    return arr + nrng.normal(0, sigma, arr.shape).astype(np.float32)


def save_jpeg(arr, path, quality, dpi):
    Image.fromarray(to_u8(arr)).save(path, quality=quality, dpi=(dpi, dpi))


def save_png(arr, path, dpi):
    Image.fromarray(to_u8(arr)).save(path, dpi=(dpi, dpi), optimize=False, compress_level=6)


# ----------------------------------------------------------------------------------------------------------------
# blue ballpoint pen


def draw_stroke(mask, pts, rng, width):
    """Draw a ballpoint polyline of (x, y) points onto an L mask with slight pressure variation."""
    d = ImageDraw.Draw(mask)
    pts = [(float(x), float(y)) for x, y in pts]
    step = max(4, len(pts) // 12)
    for i in range(0, len(pts) - 1, step):
        seg = pts[i:i + step + 1]
        w = max(2, int(round(width * rng.uniform(0.8, 1.2))))
        d.line(seg, fill=255, width=w, joint="curve")


def wobble(nrng, n, amp):
    """Smooth 1-D jitter of n samples."""
    k = max(3, n // 40)
    small = nrng.standard_normal(k).astype(np.float32)
    return np.interp(np.linspace(0, k - 1, n), np.arange(k), small) * amp


def scribble(rng, nrng, x0, y0, length, height, slant=0.35):
    """Cursive-looking trochoid: loops of a hurried handwritten word or signature."""
    n = max(60, int(length * 1.5))
    t = np.linspace(0.0, 1.0, n)
    loops = max(3, int(length / (height * rng.uniform(0.45, 0.8))))
    w = 2 * math.pi * loops
    r = height * 0.5
    amp = r * (1.0 + 0.35 * wobble(nrng, n, 1.0))
    y = y0 - amp * np.sin(w * t) + wobble(nrng, n, height * 0.15)
    x = x0 + length * t + r * 0.55 * np.cos(w * t) - slant * (y - y0)
    return list(zip(x, y))


def pen_marks(page_gray, rng, nrng, dpi, is_last):
    """1..3 blue pen marks over the text of an unrotated page. Returns (coverage mask float, list of kinds)."""
    W, H = page_gray.size
    bands = text_bands(page_gray)
    mask = Image.new("L", (W, H), 0)
    pw = max(2, int(round(dpi / 75)))  # ~0.35 mm ballpoint line
    if not bands:
        return np.zeros((H, W), np.float32), []
    body = [b for b in bands if b[2] < W * 0.4] or bands
    kinds = ["underline", "signature", "margin_note", "circle"]
    rng.shuffle(kinds)
    chosen = kinds[:rng.randint(1, 3)]
    for kind in chosen:
        if kind == "underline":
            y0, y1, x0, x1 = rng.choice(body)
            a = x0 + rng.uniform(0, 0.4) * (x1 - x0)
            b = min(x1 + 15, a + rng.uniform(0.3, 0.8) * (x1 - x0))
            n = int(b - a)
            xs = np.linspace(a, b, max(n, 2))
            base = y1 - (y1 - y0) * rng.uniform(0.05, 0.2)  # crosses the descenders
            ys = base + np.linspace(0, rng.uniform(-8, 8), len(xs)) + wobble(nrng, len(xs), 2.0)
            draw_stroke(mask, zip(xs, ys), rng, pw)
            if rng.random() < 0.3:
                draw_stroke(mask, zip(xs[::-1] + rng.uniform(-10, 10), ys[::-1] + pw * 3), rng, pw)
        elif kind == "signature":
            if is_last:
                y0, y1, x0, x1 = bands[-1]
            else:
                y0, y1, x0, x1 = rng.choice(bands[len(bands) // 2:])
            hgt = (y1 - y0) * rng.uniform(1.3, 2.0)
            length = rng.uniform(1.2, 2.0) * dpi
            sx = min(W - length - 0.3 * dpi, max(0.3 * dpi, x0 + rng.uniform(-0.3, 0.5) * (x1 - x0)))
            sy = (y0 + y1) / 2 + rng.uniform(-0.3, 0.3) * (y1 - y0)
            pts = scribble(rng, nrng, sx, sy, length, hgt)
            draw_stroke(mask, pts, rng, pw)
            fx = np.linspace(sx - 0.1 * dpi, sx + length * 1.05, 60)
            fy = sy + hgt * 0.55 + np.linspace(0, -hgt * 0.3, 60) + wobble(nrng, 60, 2)
            draw_stroke(mask, zip(fx, fy), rng, pw)
        elif kind == "margin_note":
            y0, y1, x0, x1 = rng.choice(body)
            hgt = (y1 - y0) * rng.uniform(0.8, 1.2)
            left = max(0.12 * dpi, x0 - 1.0 * dpi)
            length = max(0.3 * dpi, min(0.75 * dpi, x0 - left - 0.05 * dpi))
            ny = y0 - rng.uniform(0.5, 2.5) * (y1 - y0)
            draw_stroke(mask, scribble(rng, nrng, left, ny, length, hgt), rng, pw)
            # arrow from the note into the text, crossing a line or two
            ax0, ay0 = left + length * 0.8, ny + hgt * 0.8
            ax1, ay1 = x0 + rng.uniform(0.2, 1.2) * dpi, (y0 + y1) / 2 + rng.uniform(0.5, 1.5) * (y1 - y0)
            n = 50
            xs = np.linspace(ax0, ax1, n)
            ys = np.linspace(ay0, ay1, n) + np.sin(np.linspace(0, math.pi, n)) * rng.uniform(-20, 20)
            draw_stroke(mask, zip(xs, ys), rng, pw)
            ang = math.atan2(ay1 - ys[-5], ax1 - xs[-5])
            for da in (2.6, -2.6):
                hx, hy = ax1 + 0.08 * dpi * math.cos(ang + da), ay1 + 0.08 * dpi * math.sin(ang + da)
                draw_stroke(mask, [(ax1, ay1), (hx, hy)], rng, pw)
        else:  # circle round a word, crossing the neighbouring lines
            y0, y1, x0, x1 = rng.choice(body)
            cx = rng.uniform(x0 + 0.1 * (x1 - x0), x1 - 0.1 * (x1 - x0))
            cy = (y0 + y1) / 2
            rx, ry = rng.uniform(0.35, 0.8) * dpi, (y1 - y0) * rng.uniform(0.8, 1.3)
            n = 160
            th = np.linspace(0, 2 * math.pi + rng.uniform(0.2, 0.6), n) + rng.uniform(0, 2 * math.pi)
            rr = 1 + wobble(nrng, n, 0.06)
            draw_stroke(mask, zip(cx + rx * rr * np.cos(th), cy + ry * rr * np.sin(th)), rng, pw)
    a = np.asarray(mask, np.float32) / 255.0
    a = cv2.GaussianBlur(a, (0, 0), 0.7)
    skip = 0.8 + 0.2 * smooth_noise(nrng, H, W, 12)  # ballpoint paste skips a little
    return np.clip(a * skip * rng.uniform(0.8, 0.95), 0, 1), chosen


# ----------------------------------------------------------------------------------------------------------------
# violet stamp


def make_stamp(rng, nrng, R, bold_font):
    """Coverage mask (float, square 2R+pad) of a round office stamp."""
    pad = 8
    S = 2 * R + 2 * pad
    m = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(m)
    c = S / 2
    t1 = max(3, R // 30)
    d.ellipse([c - R, c - R, c + R, c + R], outline=255, width=t1)
    r2 = R * 0.70
    d.ellipse([c - r2, c - r2, c + r2, c + r2], outline=255, width=max(2, t1 // 2))
    # ring text between the rings, clockwise from the top
    ring = rng.choice(STAMP_RINGS) + " "
    fs = int((R - t1 - r2) * 0.62)
    rmid = (R - t1 + r2) / 2
    while True:
        font = ImageFont.truetype(bold_font, fs)
        widths = [font.getlength(ch) for ch in ring]
        total = sum(widths)
        if total <= 2 * math.pi * rmid * 0.97 or fs < 8:
            break
        fs -= 1
    gap = (2 * math.pi * rmid - total) / len(ring)
    theta = rng.uniform(0, 2 * math.pi)
    for ch, wch in zip(ring, widths):
        step = (wch + gap) / rmid
        a = theta + step / 2
        theta += step
        if ch == " ":
            continue
        g = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(g).text((fs, fs), ch, font=font, fill=255, anchor="mm")
        g = g.rotate(-math.degrees(a), resample=Image.BICUBIC)
        px, py = c + rmid * math.sin(a), c - rmid * math.cos(a)
        m.paste(255, (int(px - fs), int(py - fs)), mask=g)
    # centre text: a word, an incoming number and a date
    centre = list(rng.choice(STAMP_CENTRES))
    centre.append(f"№ {rng.randint(1, 480)}")
    centre.append(f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice([2023, 2024, 2025])}")
    fs2 = int(r2 * 0.24)
    while fs2 > 8:
        f2 = ImageFont.truetype(bold_font, fs2)
        if max(f2.getlength(s) for s in centre) <= 2 * r2 * 0.8:
            break
        fs2 -= 1
    f2 = ImageFont.truetype(bold_font, fs2)
    lh = fs2 * 1.15
    y = c - lh * (len(centre) - 1) / 2
    for s in centre:
        d.text((c, y), s, font=f2, fill=255, anchor="mm")
        y += lh
    m = m.rotate(rng.uniform(-40, 40), resample=Image.BICUBIC)
    a = np.asarray(m, np.float32) / 255.0
    a = cv2.GaussianBlur(a, (0, 0), 0.9)
    # uneven ink: a pressed side and a light side, plus grain
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    side = ((xx - c) * math.cos(ang) + (yy - c) * math.sin(ang)) / R
    press = np.clip(0.9 + 0.2 * side + 0.15 * smooth_noise(nrng, S, S, 30), 0.5, 1.0)
    grain = np.clip(1.0 - 0.35 * nrng.random((S, S)).astype(np.float32) ** 3, 0, 1)
    return np.clip(a * press * grain, 0, 1)


def place(canvas_alpha, patch, x, y):
    """Max-combine a coverage patch into a page-size coverage array at top-left (x, y), clipped."""
    H, W = canvas_alpha.shape
    h, w = patch.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    sub = patch[y0 - y:y1 - y, x0 - x:x1 - x]
    np.maximum(canvas_alpha[y0:y1, x0:x1], sub, out=canvas_alpha[y0:y1, x0:x1])


# ----------------------------------------------------------------------------------------------------------------
# phone photo


def desk_texture(rng, nrng, h, w):
    palettes = [(74, 50, 34), (58, 40, 30), (44, 44, 48), (32, 36, 52), (60, 56, 50), (28, 28, 28)]
    base = np.asarray(rng.choice(palettes), np.float32)
    if rng.random() < 0.5:  # wood grain along x
        small = nrng.standard_normal((max(2, h // 6), max(2, w // 300))).astype(np.float32)
        grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    else:  # along y
        small = nrng.standard_normal((max(2, h // 300), max(2, w // 6))).astype(np.float32)
        grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    blot = smooth_noise(nrng, h, w, 400)
    tex = 1.0 + 0.10 * grain + 0.12 * blot
    fine = nrng.normal(0, 3, (h, w)).astype(np.float32)
    return base[None, None, :] * tex[..., None] + fine[..., None]


def hand_shadow(rng, nrng, h, w, quad, target_box):
    """Soft shadow of the photographer's hand, or of the phone and the hand holding it, over part of the sheet."""
    s = 8  # draw small, blur, upscale
    sh, sw = h // s, w // s
    m = Image.new("L", (sw, sh), 0)
    d = ImageDraw.Draw(m)
    # the point the shadow reaches to (inside the text block), and the frame edge it comes from
    bx0, by0, bx1, by1 = [v / s for v in target_box]
    tx = rng.uniform(bx0 + 0.15 * (bx1 - bx0), bx1 - 0.15 * (bx1 - bx0))
    ty = rng.uniform(by0 + 0.2 * (by1 - by0), by1 - 0.1 * (by1 - by0))
    edge = rng.choice(["bottom", "bottom", "right", "left"])
    if edge == "bottom":
        ex, ey = tx + rng.uniform(-0.25, 0.25) * sw, sh + 40
    elif edge == "right":
        ex, ey = sw + 40, ty + rng.uniform(-0.1, 0.4) * sh
    else:
        ex, ey = -40, ty + rng.uniform(-0.1, 0.4) * sh
    ang = math.atan2(ty - ey, tx - ex)
    ca, sa = math.cos(ang), math.sin(ang)
    u = min(sw, sh)
    arm = rng.uniform(0.13, 0.20) * u
    d.line([(ex, ey), (tx, ty)], fill=255, width=int(arm))
    if rng.random() < 0.5:  # a hand: palm and fingers
        palm = arm * rng.uniform(0.7, 0.9)
        d.ellipse([tx - palm, ty - palm * 1.1, tx + palm, ty + palm * 1.1], fill=255)
        for k in range(4):
            fa = ang + (k - 1.5) * rng.uniform(0.18, 0.3)
            fl = palm * rng.uniform(1.5, 2.1)
            d.line([(tx, ty), (tx + fl * math.cos(fa), ty + fl * math.sin(fa))], fill=255,
                   width=max(2, int(palm * 0.38)))
        thumb = ang + rng.choice([-1, 1]) * rng.uniform(0.9, 1.3)
        d.line([(tx, ty), (tx + palm * 1.4 * math.cos(thumb), ty + palm * 1.4 * math.sin(thumb))], fill=255,
               width=max(2, int(palm * 0.45)))
        kind = "hand"
    else:  # a phone held by a hand: a long rounded rectangle across the end of the arm
        pl, pw_ = rng.uniform(0.30, 0.42) * u, rng.uniform(0.15, 0.2) * u
        pts = []
        for px, py in ((-pw_, -pl), (pw_, -pl), (pw_, pl), (-pw_, pl)):
            pts.append((tx + (px * ca - py * sa) / 2 * 1.0 + ca * pl * 0.3, ty + (px * sa + py * ca) / 2 + sa * pl * 0.3))
        d.polygon(pts, fill=255)
        kind = "phone"
    a = np.asarray(m, np.float32) / 255.0
    a = cv2.GaussianBlur(a, (0, 0), rng.uniform(9, 16))
    a = cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(a * 1.25, 0, 1), kind


def photo(page_alpha, rng, nrng, show_through=None):
    """Compose a phone photo of a sheet whose ink coverage is `page_alpha` (rendered at 300 dpi)."""
    ph, pw = page_alpha.shape
    fw, fh = rng.choice([(3000, 4000), (2448, 3264), (2250, 3000), (2736, 3648)])
    # sheet corners in sheet-relative units, each moved 3..8 % of the sheet size
    src = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
    dst = []
    for sx, sy in src:
        r = rng.uniform(0.03, 0.08)
        a = rng.uniform(0, 2 * math.pi)
        dst.append([sx + r * math.cos(a), (sy + r * math.sin(a)) * (ph / pw)])
    dst = np.float32(dst)
    rot = math.radians(rng.uniform(-4, 4))
    cr, sr = math.cos(rot), math.sin(rot)
    dst = dst @ np.float32([[cr, sr], [-sr, cr]])
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    span = hi - lo
    margin = rng.uniform(0.03, 0.09)
    scale = min(fw * (1 - 2 * margin) / span[0], fh * (1 - 2 * margin) / span[1])
    off = np.float32([(fw - span[0] * scale) / 2 + rng.uniform(-0.6, 0.6) * margin * fw,
                      (fh - span[1] * scale) / 2 + rng.uniform(-0.6, 0.6) * margin * fh])
    quad = (dst - lo) * scale + off
    eff_dpi = 300 * float(np.linalg.norm(quad[1] - quad[0]) / pw)
    # pre-scale the page near its final size, so the warp does not alias
    k = min(1.0, eff_dpi / 300 * 1.15)
    if k < 0.98:
        page_alpha = cv2.resize(page_alpha, (int(pw * k), int(ph * k)), interpolation=cv2.INTER_AREA)
    h2, w2 = page_alpha.shape
    M = cv2.getPerspectiveTransform(np.float32([[0, 0], [w2, 0], [w2, h2], [0, h2]]), quad)
    ink = cv2.warpPerspective(page_alpha, M, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
    sheet = cv2.warpPerspective(np.ones((h2, w2), np.float32), M, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
    # paper: warm white with fibre texture; optional show-through of the other side
    pr = rng.uniform(236, 250)
    paper_col = np.float32([pr, pr - rng.uniform(1, 6), pr - rng.uniform(6, 16)])
    tex = 1.0 + 0.012 * smooth_noise(nrng, fh, fw, 60) + 0.006 * nrng.standard_normal((fh, fw)).astype(np.float32)
    img = paper_col[None, None, :] * tex[..., None]
    if show_through is not None:
        st = cv2.warpPerspective(show_through, M, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
        img = img * (1.0 - 0.035 * st[..., None])
    ink_col = np.float32([rng.uniform(15, 40)] * 3) + np.float32([0, 0, rng.uniform(0, 15)])
    img = img * (1 - ink[..., None]) + ink_col[None, None, :] * ink[..., None]
    # desk around the sheet, with the sheet's own soft drop shadow
    desk = desk_texture(rng, nrng, fh, fw)
    drop = cv2.GaussianBlur(sheet, (0, 0), 18)
    dx, dy = int(rng.uniform(-25, 25)), int(rng.uniform(5, 30))
    drop = np.roll(np.roll(drop, dy, axis=0), dx, axis=1)
    desk = desk * (1 - 0.45 * drop[..., None])
    sm = sheet[..., None]
    img = img * sm + desk * (1 - sm)
    # light: a gradient from one side, vignetting, a colour cast
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    la = rng.uniform(0, 2 * math.pi)
    g = ((xx / fw - 0.5) * math.cos(la) + (yy / fh - 0.5) * math.sin(la))
    light = 0.88 + g * rng.uniform(0.25, 0.4)
    r2 = ((xx / fw - 0.5) ** 2 + (yy / fh - 0.5) ** 2)
    light = light * (1.0 - rng.uniform(0.15, 0.3) * r2 * 2)
    del xx, yy, g, r2
    warm = rng.uniform(0, 1)
    cast = np.float32([1.0, 1.0 - 0.04 * warm, 1.0 - 0.12 * warm])
    img = img * light[..., None] * cast[None, None, :]
    # the hand / phone shadow: soft, slightly blue (lit by the window)
    # aim the shadow at the text block (the sheet itself when blank)
    ys, xs = np.nonzero(page_alpha > 0.5)
    if len(xs):
        box = np.float32([[xs.min(), ys.min()], [xs.max(), ys.min()], [xs.max(), ys.max()], [xs.min(), ys.max()]])
    else:
        box = np.float32([[0, 0], [w2, 0], [w2, h2], [0, h2]])
    tb = cv2.perspectiveTransform(box[None], M)[0]
    target = (tb[:, 0].min(), tb[:, 1].min(), tb[:, 0].max(), tb[:, 1].max())
    sh, shadow = hand_shadow(rng, nrng, fh, fw, quad, target)
    strength = rng.uniform(0.38, 0.55)
    img = img * (1 - strength * sh[..., None] * np.float32([1.0, 0.97, 0.9])[None, None, :])
    del sh, light
    # camera: slight defocus, noise, JPEG
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.8, 1.4))
    img = img + nrng.normal(0, rng.uniform(2.5, 4.5), img.shape).astype(np.float32)
    corners = [[round(float(x), 1), round(float(y), 1)] for x, y in quad]
    return img, dict(sheet_quad=corners, dpi=int(round(eff_dpi)), shadow=shadow)


# ----------------------------------------------------------------------------------------------------------------
# kinds


def scan_grey(page, rng, nrng, angle, dpi):
    """Office scan of a skewed sheet on a slightly darker lid: grey float array."""
    paper = rng.uniform(246, 254)
    lid = rng.uniform(228, 242)
    arr = paper - (paper - rng.uniform(10, 30)) * ink_alpha(page)
    img = Image.fromarray(to_u8(arr)).rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=int(lid))
    arr = np.asarray(img, np.float32)
    m = rotated_mask(page.size, angle)
    arr = arr * (1 - 0.18 * sheet_edge(m))
    h, w = arr.shape
    arr = arr * (1 + 0.02 * smooth_noise(nrng, h, w, 300))
    return sensor(arr, nrng, rng.uniform(5, 9), rng.uniform(0.5, 0.8))


def signed_angle(rng, lo, hi):
    return rng.uniform(lo, hi) * rng.choice([-1, 1])


def make_kind(kind, page, rng, nrng, base, is_last, bold_font):
    """Degrade one rendered L page (300 dpi, or 200 for fax) and save it. Returns (path, extra truth fields)."""
    extra = {}
    if kind in ("skew15", "turned_skew"):
        angle = signed_angle(rng, 5, 15) if kind == "skew15" else signed_angle(rng, 3, 12)
        arr = scan_grey(page, rng, nrng, angle, 300)
        turn = 0
        if kind == "turned_skew":
            turn = rng.choice([90, 180, 270])
            arr = np.asarray(Image.fromarray(to_u8(arr)).rotate(turn, expand=True), np.float32)
        extra.update(skew=round(angle, 2), turned=turn, dpi=300)
        if rng.random() < 0.5:
            p = base + ".png"
            save_png(arr, p, 300)
        else:
            p = base + ".jpg"
            save_jpeg(arr, p, rng.choice([75, 85]), 300)
        return p, extra
    if kind == "dpi150":
        small = page.reduce(2)  # a 150 dpi sensor averages 2x2 of the 300 dpi render
        angle = rng.uniform(-1.0, 1.0)
        arr = scan_grey(small, rng, nrng, angle, 150)
        p = base + ".jpg"
        save_jpeg(arr, p, 80, 150)
        extra.update(skew=round(angle, 2), dpi=150)
        return p, extra
    if kind == "photo":
        img, info = photo(ink_alpha(page), rng, nrng)
        p = base + ".jpg"
        save_jpeg(img, p, 85, 72)  # phones tag 72 dpi; `dpi` in truth is the sheet's effective resolution
        extra.update(info, file_dpi=72)
        return p, extra
    if kind == "stamp":
        W, H = page.size
        alpha = ink_alpha(page)
        paper = (rng.uniform(246, 254), rng.uniform(245, 253), rng.uniform(240, 250))
        ink = (rng.uniform(10, 35),) * 3
        img = colourise(alpha, paper, ink)
        pen, marks = pen_marks(page, rng, nrng, 300, is_last)
        img = multiply(img, pen, (rng.uniform(15, 40), rng.uniform(35, 70), rng.uniform(150, 200)))
        # the stamp sits over text: on a body line in the lower part, or on the date / signature
        bands = text_bands(page)
        R = int(rng.uniform(0.72, 0.85) * 300)
        st = make_stamp(rng, nrng, R, bold_font)
        if bands:
            y0, y1, x0, x1 = rng.choice(bands[len(bands) // 3:])
            cx = int(rng.uniform(max(x0, R * 0.6), min(W - R * 0.6, max(x1, x0 + 1))))
            cy = int((y0 + y1) / 2 + rng.uniform(-0.5, 0.5) * R)
        else:
            cx, cy = W // 2, H // 2
        layer = np.zeros((H, W), np.float32)
        sx, sy = cx - st.shape[1] // 2, cy - st.shape[0] // 2
        place(layer, st, sx, sy)
        strength = rng.uniform(0.75, 0.95)
        violet = (rng.uniform(95, 130), rng.uniform(50, 80), rng.uniform(160, 200))
        img = multiply(img, layer * strength, violet)
        angle = rng.uniform(-1.2, 1.2)
        img = rotate_rgb(img, angle, (255, 255, 255))
        img = sensor(img, nrng, rng.uniform(3, 5), 0.55)
        if rng.random() < 0.5:
            p = base + ".png"
            save_png(img, p, 300)
        else:
            p = base + ".jpg"
            save_jpeg(img, p, 88, 300)
        extra.update(dpi=300, skew=round(angle, 2), pen=marks,
                     stamp_box=[sx, sy, sx + st.shape[1], sy + st.shape[0]])
        return p, extra
    if kind == "fax":
        alpha = ink_alpha(page)
        h, w = alpha.shape
        bg = rng.uniform(212, 228)
        ink = rng.uniform(45, 80)
        arr = bg + (ink - bg) * alpha
        arr = arr * (1 + 0.03 * smooth_noise(nrng, h, w, 250))
        arr = cv2.GaussianBlur(arr, (0, 0), 0.6)
        angle = 0.0
        if rng.random() < 0.5:
            angle = signed_angle(rng, 1, 2)
            arr = np.asarray(Image.fromarray(to_u8(arr)).rotate(angle, resample=Image.BICUBIC, expand=True,
                                                                 fillcolor=int(bg)), np.float32)
        arr = arr + nrng.normal(0, rng.uniform(10, 16), arr.shape).astype(np.float32)
        bw = Image.fromarray(to_u8(arr)).convert("1", dither=Image.Dither.FLOYDSTEINBERG)
        p = base + ".tif"
        bw.save(p, compression="group4", dpi=(200, 200))
        extra.update(dpi=200, skew=round(angle, 2))
        return p, extra
    raise SystemExit(f"unknown kind {kind}")


# ----------------------------------------------------------------------------------------------------------------
# real paper (issue 14): notebook rulings and squared grids, scanned

MM = 300 / 25.4  # pixels per millimetre of a 300 dpi render
RULE_INKS = {  # printed ruling at full coverage (ranges per channel)
    "blue": ((100, 135), (135, 165), (200, 230)),
    "grey": ((135, 170),),
    "violet": ((140, 170), (110, 140), (185, 215)),
}
MARGIN_INK = ((215, 235), (70, 110), (85, 125))  # the red (pinkish) margin line
PAPERS = {  # paper tone ranges per channel
    "white": ((246, 253), (246, 253), (244, 251)),
    "cream": ((245, 251), (236, 244), (210, 226)),
    "grey": ((214, 228),),
}


def pick_rgb(rng, spec):
    """An RGB triple from per-channel ranges; a single range means a neutral grey."""
    if len(spec) == 1:
        v = rng.uniform(*spec[0])
        return np.float32([v, v, v + rng.uniform(-2, 2)])
    return np.float32([rng.uniform(*r) for r in spec])


def sheet_spec(rng, ruling, a4=None):
    """Geometry of one sheet at 300 dpi: size, rule positions, margin line, text column, binding side.

    `ruling` is "ruled" (lines 7..9 mm apart, red margin), "grid" (5 mm squares, margin line or not) or "plain".
    A torn-out school-notebook page (about 165..170 x 203..206 mm) unless `a4`.
    """
    if a4 is None:
        a4 = rng.random() < 0.3
    wmm, hmm = (210.0, 297.0) if a4 else (rng.uniform(165, 170), rng.uniform(203, 206))
    W, H = int(wmm * MM), int(hmm * MM)
    s = dict(W=W, H=H, ruling=ruling, size="a4" if a4 else "notebook", rules=[], cols=[], margin=None,
             margin_x=None, pitch=0.0)
    if ruling == "ruled":
        pitch = rng.uniform(7.0, 9.0) * MM
        top, bottom = rng.uniform(14, 24) * MM, H - rng.uniform(6, 12) * MM
        s["margin"] = rng.choice(["left", "right"])
    elif ruling == "grid":
        pitch = rng.uniform(4.96, 5.04) * MM  # the print is exact; the scanner scale is not
        top, bottom = rng.uniform(3, 8) * MM, H - rng.uniform(3, 8) * MM
        s["margin"] = rng.choice(["left", "right", None])
        left = rng.uniform(2, 7) * MM
        s["cols"] = list(np.arange(left, W - 2 * MM, pitch))
    else:
        pitch, top, bottom = 0.0, 0.0, 0.0
    if pitch:
        s["pitch"] = float(pitch)
        s["rules"] = list(np.arange(top, bottom, pitch))
    if s["margin"] == "left":
        s["margin_x"] = rng.uniform(20, 27) * MM * (1.2 if a4 else 1.0)
        x0, x1 = s["margin_x"] + rng.uniform(3, 6) * MM, W - rng.uniform(8, 14) * MM
    elif s["margin"] == "right":
        s["margin_x"] = W - rng.uniform(20, 27) * MM * (1.2 if a4 else 1.0)
        x0, x1 = rng.uniform(10, 16) * MM, s["margin_x"] - rng.uniform(3, 6) * MM
    else:
        x0, x1 = rng.uniform(15, 25) * MM, W - rng.uniform(10, 15) * MM
    s["x0"], s["x1"] = int(x0), int(x1)
    # the margin is on the outer edge of a notebook page, so the torn binding edge is the other side
    s["binding"] = None if a4 else {"left": "right", "right": "left"}.get(s["margin"], rng.choice(["left", "right"]))
    s["top"] = int((rng.uniform(18, 26) if not pitch else 0) * MM)
    s["bottom"] = int(H - rng.uniform(14, 20) * MM)
    return s


def line_field(n_along, n_across, centres, rng, nrng, fwhm, strength, tilt, bow):
    """Coverage (n_across x n_along) of thin printed lines across the sheet at `centres`.

    Lines are slightly uneven: their spacing jitters by ~0.1 mm, the whole ruling is tilted and bowed a little,
    each line wobbles by a fraction of a pixel and its ink varies along its length.
    """
    a = np.zeros((n_across, n_along), np.float32)
    t = np.arange(n_along, dtype=np.float32)
    sig = fwhm / 2.355
    half = int(math.ceil(3 * sig)) + 2
    bend = np.sin(np.linspace(0, math.pi, n_along)).astype(np.float32) * bow
    for c in centres:
        path = c + rng.gauss(0, 0.1 * MM) + tilt * (t - n_along / 2) + bend + wobble(nrng, n_along, 0.35)
        lo, hi = max(0, int(path.min()) - half), min(n_across, int(path.max()) + half + 1)
        if hi <= lo:
            continue
        rows = np.arange(lo, hi, dtype=np.float32)[:, None]
        prof = np.exp(-0.5 * ((rows - path[None, :]) / sig) ** 2)
        ink = strength * rng.uniform(0.85, 1.0) * (0.86 + 0.14 * np.clip(wobble(nrng, n_along, 1.0), -1, 1))
        np.maximum(a[lo:hi], prof * ink[None, :], out=a[lo:hi])
    return a


def paper_sheet(s, rng, nrng, tone=None, rule_ink=None):
    """RGB float sheet with its tone, fibre texture and printed ruling. Returns (img, info for the truth)."""
    W, H = s["W"], s["H"]
    tone = tone or rng.choice(["white", "white", "cream", "grey"])
    base = pick_rgb(rng, PAPERS[tone] if tone in PAPERS else COLOURED_PAPERS[tone])
    tex = 1.0 + 0.010 * smooth_noise(nrng, H, W, 70) + 0.005 * nrng.standard_normal((H, W)).astype(np.float32)
    img = base[None, None, :] * tex[..., None]
    if tone == "grey":  # recycled paper: dark fibres and flecks
        fl = (nrng.random((H, W)) < 0.0004).astype(np.float32)
        fl = cv2.GaussianBlur(cv2.dilate(fl, np.ones((2, 2), np.uint8)), (0, 0), 0.8)
        img = img * (1 - 0.35 * np.clip(fl * 3, 0, 1))[..., None]
    info = dict(paper=tone, ruling=s["ruling"], sheet=s["size"])
    tilt = math.tan(math.radians(rng.uniform(-0.25, 0.25)))
    if s["rules"]:
        rule_ink = rule_ink or rng.choice(["blue", "blue", "grey", "violet"] if s["ruling"] == "ruled"
                                          else ["blue", "blue", "grey"])
        col = pick_rgb(rng, RULE_INKS[rule_ink])
        grid = s["ruling"] == "grid"
        fwhm = rng.uniform(1.0, 1.8) if grid else rng.uniform(1.2, 2.2)
        strength = rng.uniform(0.45, 0.75) if grid else rng.uniform(0.55, 0.9)
        lines = line_field(W, H, s["rules"], rng, nrng, fwhm, strength, tilt, rng.uniform(-1.5, 1.5))
        if grid:
            vl = line_field(H, W, s["cols"], rng, nrng, fwhm, strength, -tilt, rng.uniform(-1.5, 1.5)).T
            top, bottom = int(s["rules"][0] - 2), int(s["rules"][-1] + 3)
            vl[:top] = 0
            vl[bottom:] = 0
            lines = np.maximum(lines, vl)
            left, right = int(s["cols"][0] - 2), int(s["cols"][-1] + 3)
            lines[:, :left] = 0
            lines[:, right:] = 0
        img = multiply(img, lines, col)
        info.update(rule_colour=rule_ink, pitch_mm=round(s["pitch"] / MM, 2))
    if s["margin_x"] is not None:
        m = line_field(H, W, [s["margin_x"]], rng, nrng, rng.uniform(2.0, 3.5), rng.uniform(0.7, 0.9), 0.0,
                       rng.uniform(-1, 1)).T
        img = multiply(img, m, pick_rgb(rng, MARGIN_INK))
    info["margin"] = s["margin"]
    return img, info


def sheet_mask(s, rng, nrng):
    """1 on the paper, 0 beyond it: a straight-cut sheet, or a torn-out page with a ragged binding edge."""
    W, H = s["W"], s["H"]
    m = np.ones((H, W), np.float32)
    if s["binding"]:
        depth = np.abs(wobble(nrng, H, 1.0)) * rng.uniform(0.8, 2.0) * MM + nrng.random(H) * 0.6 * MM
        xs = np.arange(W, dtype=np.float32)[None, :]
        d = depth[:, None].astype(np.float32)
        if s["binding"] == "left":
            m = np.clip(xs - d, 0, 1)
        else:
            m = np.clip((W - 1 - xs) - d, 0, 1)
    return m


def wrap_by(measure, text, width):
    words, out, cur = text.split(), [], ""
    for w in words:
        t = (cur + " " + w).strip()
        if measure(t) <= width or not cur:
            cur = t
        else:
            out.append(cur)
            cur = w
    if cur:
        out.append(cur)
    return out


def layout(lines, s, mode, px, rng, measure, draw_line, xheight):
    """Lay the composed letter out on sheets like `s`; one rendered line per truth line.

    mode "on": baselines on the rules; "between": x-height centred between two rules (grid: in a row of
    squares); "free": the printer's own line spacing, unrelated to the ruling. Roles as in make_corpus.render
    (head in the right half, centred title, indented paragraphs, right-aligned signature, gap = half a line).
    `draw_line(img, x, baseline, text)` draws one line onto an L image.
    Returns [(L image, [lines], [(x, baseline, width)])] per page.
    """
    W, H = s["W"], s["H"]
    if mode in ("on", "between") and s["rules"]:
        pitch = s["pitch"]
        per_line = 2 if s["ruling"] == "grid" else 1  # a printed line takes two 5 mm squares
        off = 0.0 if mode == "on" else pitch / 2 + xheight / 2
        slots = [r + off for r in s["rules"] if r + off + 0.3 * px < H - 6 * MM]
        # the first line a little below the top of the ruling (a grid runs to the edge of the sheet)
        first = next((i for i, y in enumerate(slots) if y - px > 12 * MM), 0)
        slots = slots[first:]
        adv_line, adv_gap = per_line, max(1, per_line // 2)
    else:
        lh = px * rng.uniform(1.25, 1.5)
        top = s["top"] or rng.uniform(18, 26) * MM
        slots = list(np.arange(top + px, s["bottom"], lh / 2))
        adv_line, adv_gap = 2, 1
    x0, x1 = s["x0"], s["x1"]
    indent = int(0.45 * 300 * (x1 - x0) / (W - 1.8 * 300)) if W < 2400 else int(0.45 * 300)
    pages, cur, boxes = [], [], []
    img = Image.new("L", (W, H), 255)
    k = 0

    def put(x, text):
        nonlocal k, img, cur, boxes
        if k >= len(slots):
            pages.append((img, cur, boxes))
            img, cur, boxes, k = Image.new("L", (W, H), 255), [], [], 0
        y = slots[k]
        draw_line(img, x, y, text)
        cur.append(text)
        boxes.append((int(x), int(round(y)), int(measure(text))))
        k += adv_line

    for text, role in lines:
        if role == "gap":
            if cur:
                k += adv_gap
            continue
        if role == "head":
            hx = x0 + int((x1 - x0) * 0.42)
            for ln in wrap_by(measure, text, x1 - hx):
                put(hx, ln)
            continue
        if role == "title":
            put((x0 + x1 - measure(text)) / 2, text)
            continue
        ind = indent if role == "para" else 0
        wrapped = wrap_by(measure, text, x1 - x0 - ind) if role == "para" else [text]
        for i, ln in enumerate(wrapped):
            x = x0 + ind if i == 0 else x0
            if role == "sign":
                x = x1 - measure(ln)
            put(x, ln)
    pages.append((img, cur, boxes))
    return pages


def printed_font(font_path, px):
    font = ImageFont.truetype(font_path, px)
    probe = ImageDraw.Draw(Image.new("L", (8, 8)))

    def measure(t):
        return probe.textlength(t, font=font)

    def draw_line(img, x, y, text):
        ImageDraw.Draw(img).text((x, y), text, font=font, fill=0, anchor="ls")

    x0, y0, x1, y1 = font.getbbox("x", anchor="ls")
    return measure, draw_line, float(-y0)


def ink_on(img, alpha, rng, ink=None):
    """Multiply the text's ink (coverage `alpha`) onto a coloured sheet: toner sits on top of the ruling."""
    ink = ink if ink is not None else np.float32([rng.uniform(12, 40)] * 3) + np.float32([0, 0, rng.uniform(0, 12)])
    return multiply(img, alpha, ink)


def rotate_exact(arr, angle, fill):
    """Rotate counter-clockwise by `angle` degrees with an expanded canvas; returns (array, 2x3 matrix)."""
    h, w = arr.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c = np.abs(M[:, :2])
    nw, nh = int(math.ceil(h * c[0, 1] + w * c[0, 0])), int(math.ceil(h * c[1, 1] + w * c[1, 0]))
    M[0, 2] += nw / 2 - w / 2
    M[1, 2] += nh / 2 - h / 2
    bv = tuple(float(v) for v in fill) if np.ndim(fill) else float(fill)
    out = cv2.warpAffine(arr, M, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=bv)
    return out, M


def scan_sheet(sheet, mask, rng, nrng):
    """Lay a sheet on a flatbed (A4 at 300 dpi) a little askew, under a white or grey lid; add scanner noise.

    Returns (RGB float image, dict(skew, sheet_quad)).
    """
    bw, bh = 2480, 3508
    h, w = mask.shape
    angle = rng.uniform(-1.2, 1.2)
    lid = rng.uniform(232, 250) if rng.random() < 0.7 else rng.uniform(150, 200)
    rs, M = rotate_exact(sheet, angle, (0, 0, 0))
    rm, _ = rotate_exact(mask, angle, 0)
    rm = np.clip(rm, 0, 1)
    rh, rw = rm.shape
    if w < bw * 0.9:  # a notebook page lies against a corner of the glass
        ox, oy = int(rng.uniform(0.01, 0.06) * bw), int(rng.uniform(0.005, 0.04) * bh)
    else:
        ox, oy = int((bw - rw) / 2 + rng.uniform(-15, 15)), int((bh - rh) / 2 + rng.uniform(-15, 15))
    out = np.empty((bh, bw, 3), np.float32)
    out[:] = lid
    cov = np.zeros((bh, bw), np.float32)
    sx0, sy0 = max(0, -ox), max(0, -oy)
    dx0, dy0 = max(0, ox), max(0, oy)
    cw, ch = min(rw - sx0, bw - dx0), min(rh - sy0, bh - dy0)
    cov[dy0:dy0 + ch, dx0:dx0 + cw] = rm[sy0:sy0 + ch, sx0:sx0 + cw]
    out[dy0:dy0 + ch, dx0:dx0 + cw] = rs[sy0:sy0 + ch, sx0:sx0 + cw]
    a = cov[..., None]
    out = out * a + lid * (1 - a)
    out = out * (1 - 0.15 * sheet_edge(cov))[..., None]
    out = out * (1 + 0.015 * smooth_noise(nrng, bh, bw, 300))[..., None]
    out = sensor(out, nrng, rng.uniform(2.5, 5.0), rng.uniform(0.45, 0.7))
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    q = corners @ M[:, :2].T + M[:, 2] + np.float32([ox, oy])
    return out, dict(skew=round(angle, 2), sheet_quad=[[round(float(x), 1), round(float(y), 1)] for x, y in q])


def save_scan(img, base, rng, grey):
    """Colour or grey scan, PNG or JPEG q85..92, tagged 300 dpi."""
    if grey:
        img = img @ np.float32([0.299, 0.587, 0.114])
    if rng.random() < 0.5:
        p = base + ".png"
        save_png(img, p, 300)
    else:
        p = base + ".jpg"
        save_jpeg(img, p, rng.choice([85, 88, 92]), 300)
    return p


# ----------------------------------------------------------------------------------------------------------------
# phone photos of a sheet that may not lie flat (issue 14: ruled_photo, curl)


def bend_profile(rng, kind, L):
    """Slope angle theta(t) (radians) of a bent sheet along t in [0, L] mm, N samples; and a description."""
    n = 600
    t = np.linspace(0, L, n)
    if kind == "lift":  # lifted at the binding (one end): flat, then curling up more and more
        frac = rng.uniform(0.25, 0.5)
        tmax = math.radians(rng.uniform(30, 60))
        p = rng.uniform(1.5, 2.5)
        th = tmax * np.clip((t - L * (1 - frac)) / (L * frac), 0, 1) ** p
        end = rng.choice(["start", "end"])
        if end == "start":
            th = -th[::-1]
        desc = dict(bend="lift", lifted_end=end, lift_deg=round(math.degrees(tmax), 1), lift_frac=round(frac, 2))
    elif kind == "arch":  # bent across: the middle raised, or both edges curling up
        a = math.radians(rng.uniform(10, 22)) * rng.choice([1, -1])
        th = a * np.cos(math.pi * t / L)
        desc = dict(bend="arch" if a > 0 else "trough", bend_deg=round(abs(math.degrees(a)), 1))
    else:  # "fold": a letter folded in half for the box, opened again (a ridge with a soft crease)
        a = math.radians(rng.uniform(4, 10))
        tf = L * rng.uniform(0.42, 0.58)
        th = a * np.tanh((tf - t) / rng.uniform(2, 5))
        desc = dict(bend="fold", bend_deg=round(math.degrees(a), 1), fold_at=round(tf / L, 3))
    return t, th.astype(np.float64), desc


def camera_shot(sheet, mask, rng, nrng, bend=None, axis="x", tilt_max=12.0):
    """Photograph an RGB float sheet (300 dpi) with a phone held above it; the sheet may be bent.

    The sheet is a developable surface bent along `axis` ("x": theta varies across the width, so text lines
    curve; "y": along the height). It is rendered strip by strip (each strip is planar, so one homography each)
    through a pinhole camera at 30..45 cm, tilted up to `tilt_max` degrees, rolled +-4 deg.
    Returns (RGB float frame, sheet coverage, info for the truth: sheet_quad, sheet_mesh 9x9, dpi, bend...).
    """
    H0, W0 = mask.shape
    Wmm, Hmm = W0 / MM, H0 / MM
    L = Wmm if axis == "x" else Hmm
    info = {}
    if bend:
        t, th, desc = bend_profile(rng, bend, L)
        info.update(desc, bend_axis=axis)
    else:
        t, th = np.linspace(0, L, 2), np.zeros(2)
    dt = np.diff(t, prepend=t[0])
    bx = np.cumsum(np.cos(th) * dt)
    bz = np.cumsum(np.sin(th) * dt)
    bz -= bz.min()  # resting on the desk

    def surf(u, v):
        """sheet mm (u, v) -> world (X, Y, Z); Z negative = towards the camera."""
        u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
        if axis == "x":
            return np.stack([np.interp(u, t, bx), v, -np.interp(u, t, bz)], -1)
        return np.stack([u, np.interp(v, t, bx), -np.interp(v, t, bz)], -1)

    # camera looking at the sheet's middle from distance D, tilted by alpha towards azimuth phi, rolled
    D = rng.uniform(300, 450)
    alpha, phi = math.radians(rng.uniform(0, tilt_max)), rng.uniform(0, 2 * math.pi)
    centre = surf([Wmm / 2], [Hmm / 2])[0]
    fwd = np.array([math.sin(alpha) * math.cos(phi), math.sin(alpha) * math.sin(phi), math.cos(alpha)])
    C = centre - D * fwd
    xc = np.array([1.0, 0, 0]) - fwd[0] * fwd
    xc /= np.linalg.norm(xc)
    yc = np.cross(fwd, xc)
    roll = math.radians(rng.uniform(-4, 4))
    xc, yc = math.cos(roll) * xc + math.sin(roll) * yc, -math.sin(roll) * xc + math.cos(roll) * yc
    R = np.stack([xc, yc, fwd])

    def proj(P):
        q = (P - C) @ R.T
        return q[..., :2] / q[..., 2:3]

    # fit the sheet into the frame with a margin (this is the focal length and principal point)
    fw, fh = rng.choice([(3000, 4000), (2448, 3264), (2250, 3000), (2736, 3648)])
    bu = np.r_[np.linspace(0, Wmm, 50), np.full(50, Wmm), np.linspace(Wmm, 0, 50), np.zeros(50)]
    bv = np.r_[np.zeros(50), np.linspace(0, Hmm, 50), np.full(50, Hmm), np.linspace(Hmm, 0, 50)]
    edge = proj(surf(bu, bv))
    lo, hi = edge.min(0), edge.max(0)
    margin = rng.uniform(0.03, 0.08)
    scale = min(fw * (1 - 2 * margin) / (hi[0] - lo[0]), fh * (1 - 2 * margin) / (hi[1] - lo[1]))
    off = np.array([(fw - (hi[0] - lo[0]) * scale) / 2 + rng.uniform(-0.6, 0.6) * margin * fw,
                    (fh - (hi[1] - lo[1]) * scale) / 2 + rng.uniform(-0.6, 0.6) * margin * fh])

    def to_px(u, v):
        return (proj(surf(u, v)) - lo) * scale + off

    c = to_px([0, Wmm, Wmm, 0], [0, 0, Hmm, Hmm])
    eff_dpi = float(np.linalg.norm(c[1] - c[0]) / Wmm * 25.4)
    # shading of the bent sheet (light from a window, above and to one side), baked into the sheet
    if bend:
        light = np.array([rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), -1.0])
        light /= np.linalg.norm(light)
        amb = rng.uniform(0.35, 0.55)
        nrm = np.stack([-np.sin(th), np.zeros_like(th), -np.cos(th)], -1) if axis == "x" else \
            np.stack([np.zeros_like(th), -np.sin(th), -np.cos(th)], -1)
        lam = amb + (1 - amb) * np.clip(nrm @ light, 0, 1)
        lam /= amb + (1 - amb) * max(0.05, -light[2])
        n_px = W0 if axis == "x" else H0
        shade = np.interp(np.arange(n_px) / MM, t, lam).astype(np.float32)
        sheet = sheet * (shade[None, :, None] if axis == "x" else shade[:, None, None])
    # pre-scale the sheet near its final size so the warp does not alias
    k = min(1.0, eff_dpi / 300 * 1.2)
    src = np.dstack([sheet * mask[..., None], mask]).astype(np.float32)
    if k < 0.98:
        src = cv2.resize(src, (int(W0 * k), int(H0 * k)), interpolation=cv2.INTER_AREA)
    sh_, sw_ = src.shape[:2]
    acc = np.zeros((fh, fw, 4), np.float32)
    n_strips = 72 if bend else 1
    along = sw_ if axis == "x" else sh_
    cuts = np.linspace(0, along, n_strips + 1)
    for i in range(n_strips):
        a0, a1 = max(0, int(cuts[i]) - 2), min(along, int(math.ceil(cuts[i + 1])) + 2)
        if axis == "x":
            piece = src[:, a0:a1]
            srcq = np.float32([[0, 0], [a1 - a0, 0], [a1 - a0, sh_], [0, sh_]])
            u = np.array([a0, a1, a1, a0]) / sw_ * Wmm
            v = np.array([0, 0, Hmm, Hmm])
        else:
            piece = src[a0:a1]
            srcq = np.float32([[0, 0], [sw_, 0], [sw_, a1 - a0], [0, a1 - a0]])
            u = np.array([0, Wmm, Wmm, 0])
            v = np.array([a0, a0, a1, a1]) / sh_ * Hmm
        dstq = to_px(u, v).astype(np.float32)
        x0, y0 = np.floor(dstq.min(0)).astype(int) - 2
        x1, y1 = np.ceil(dstq.max(0)).astype(int) + 2
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(fw, x1), min(fh, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        Mh = cv2.getPerspectiveTransform(srcq, dstq - np.float32([x0, y0]))
        out = cv2.warpPerspective(piece, Mh, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        acc[y0:y1, x0:x1] += out
    cov = acc[..., 3]
    img = acc[..., :3] / np.maximum(cov, 1e-3)[..., None]
    cov = np.clip(cov, 0, 1)
    del acc
    gu, gv = np.meshgrid(np.linspace(0, Wmm, 9), np.linspace(0, Hmm, 9))
    mesh = to_px(gu.ravel(), gv.ravel())
    info.update(sheet_quad=[[round(float(x), 1), round(float(y), 1)] for x, y in c],
                sheet_mesh=[[round(float(x), 1), round(float(y), 1)] for x, y in mesh],
                dpi=int(round(eff_dpi)), tilt=round(math.degrees(alpha), 1), distance_mm=int(D),
                lift_mm=round(float(bz.max()), 1))
    return img, cov, info


def photo_finish(img, cov, rng, nrng, lift_mm=0.0, shadow=True, dim=False, soft=False):
    """Desk around the sheet, its drop shadow, uneven light, vignetting, colour cast, a hand/phone shadow,
    defocus and sensor noise (strong, with colour noise, when `dim`; less dim when `soft`). Returns (RGB, info)."""
    fh, fw = cov.shape
    desk = desk_texture(rng, nrng, fh, fw)
    drop = cv2.GaussianBlur(cov, (0, 0), 18 + lift_mm * 1.5)
    dx, dy = int(rng.uniform(-25, 25) * (1 + lift_mm / 10)), int(rng.uniform(5, 30) * (1 + lift_mm / 10))
    drop = np.roll(np.roll(drop, dy, axis=0), dx, axis=1)
    desk = desk * (1 - 0.45 * drop[..., None])
    img = img * cov[..., None] + desk * (1 - cov[..., None])
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    la = rng.uniform(0, 2 * math.pi)
    g = (xx / fw - 0.5) * math.cos(la) + (yy / fh - 0.5) * math.sin(la)
    light = 0.9 + g * rng.uniform(0.2, 0.4)
    light = light * (1.0 - rng.uniform(0.15, 0.3) * ((xx / fw - 0.5) ** 2 + (yy / fh - 0.5) ** 2) * 2)
    del xx, yy, g
    warm = rng.uniform(0, 1)
    img = img * light[..., None] * np.float32([1.0, 1.0 - 0.04 * warm, 1.0 - 0.12 * warm])[None, None, :]
    info = {}
    if shadow and rng.random() < 0.5:
        ys, xs = np.nonzero(cov > 0.5)
        box = (xs.min(), ys.min(), xs.max(), ys.max()) if len(xs) else (0, 0, fw, fh)
        sh, kind = hand_shadow(rng, nrng, fh, fw, None, box)
        img = img * (1 - rng.uniform(0.3, 0.5) * sh[..., None] * np.float32([1.0, 0.97, 0.9])[None, None, :])
        info["shadow"] = kind
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.7, 1.2))
    if dim:  # low light: little signal, then the phone's gain lifts it with its noise (grain and colour blotches)
        exposure = rng.uniform(0.14, 0.2) if soft else rng.uniform(0.08, 0.2)
        sig = img * exposure
        shot = nrng.standard_normal(sig.shape).astype(np.float32) * np.sqrt(np.maximum(sig, 0) * 1.2)
        read = nrng.normal(0, rng.uniform(2.0, 3.5), sig.shape).astype(np.float32)
        chroma = np.dstack([smooth_noise(nrng, fh, fw, 6) for _ in range(3)]) * rng.uniform(1.5, 3.0)
        sig = sig + shot + read + chroma
        gain = rng.uniform(0.55, 0.85) / exposure
        img = sig * gain
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 0.7))  # the phone's denoiser smears it a little
        info.update(exposure=round(exposure, 3), gain=round(gain, 2))
    else:
        img = img + nrng.normal(0, rng.uniform(2.5, 4.5), img.shape).astype(np.float32)
    return img, info


def sheet_for(kind_paper, rng, nrng, fonts, seq, lines, mode=None):
    """A letter printed on one kind of paper ("ruled", "grid", "plain"). Returns (spec, pages, font, pt, mode,
    paper tone, rule ink, ink colour)."""
    pt = rng.choice([11, 12, 13, 14])
    font = rng.choice(fonts)
    px = int(pt * 300 / 72)
    measure, draw_line, xh = printed_font(font, px)
    s = sheet_spec(rng, kind_paper, a4=True if kind_paper == "plain" else None)
    if mode is None:
        mode = RULE_MODES[seq % len(RULE_MODES)] if kind_paper != "plain" else "free"
    pages = layout(lines, s, mode, px, rng, measure, draw_line, xh)
    return s, pages, font, pt, mode


def photo_paper_pages(kind, lines, rng, nrng, fonts, seq, base):
    """`ruled_photo` (flat ruled/grid page, perspective) and `curl` (bent sheet, plain or ruled)."""
    if kind == "ruled_photo":
        paper_kind = rng.choice(["ruled", "ruled", "grid"])
    else:
        paper_kind = rng.choice(["plain", "ruled", "grid"]) if rng.random() < 0.6 else "plain"
    s, pages, font, pt, mode = sheet_for(paper_kind, rng, nrng, fonts, seq // 2 if kind == "curl" else seq, lines)
    tone = rng.choice(["white", "white", "cream", "grey"]) if paper_kind != "plain" else "white"
    rule_ink = rng.choice(["blue", "blue", "grey", "violet"] if paper_kind == "ruled" else ["blue", "blue", "grey"])
    ink = np.float32([rng.uniform(12, 40)] * 3) + np.float32([0, 0, rng.uniform(0, 12)])
    out = []
    for pi, (pimg, plines, _) in enumerate(pages):
        paper, pinfo = paper_sheet(s, rng, nrng, tone, rule_ink)
        sheet = ink_on(paper, ink_alpha(pimg), rng, ink)
        mask = sheet_mask(s, rng, nrng)
        if kind == "curl":
            bend = rng.choice(["lift", "lift", "arch", "fold"])
            axis = "x" if bend == "lift" or rng.random() < 0.75 else "y"
            img, cov, info = camera_shot(sheet, mask, rng, nrng, bend=bend, axis=axis, tilt_max=10)
        else:
            img, cov, info = camera_shot(sheet, mask, rng, nrng, tilt_max=15)
        del sheet, paper
        img, finfo = photo_finish(img, cov, rng, nrng, lift_mm=info.get("lift_mm", 0.0))
        info.update(finfo)
        p = f"{base}p{pi + 1}.jpg"
        save_jpeg(img, p, rng.choice([80, 85, 90]), 72)
        extra = dict(dpi=info.pop("dpi"), pt=pt, font=os.path.basename(font), rule_mode=mode, file_dpi=72)
        extra.update(pinfo, **info)
        out.append((p, plines, extra))
    return out


# ----------------------------------------------------------------------------------------------------------------
# poor images (issue 14): jpeg_poor, lowlight, showthrough, faint, coloured, mix

COLOURED_PAPERS = {  # pale office paper
    "yellow": ((246, 253), (236, 246), (165, 200)),
    "pink": ((244, 252), (210, 226), (218, 234)),
    "green": ((206, 224), (230, 243), (196, 214)),
    "blue": ((200, 218), (220, 234), (238, 250)),
}
COLOURED_INKS = {  # "coloured-ish" print: an inkjet out of black, a copy shop's colour toner
    "navy": ((20, 45), (30, 55), (90, 130)),
    "sepia": ((70, 95), (45, 65), (30, 50)),
    "green": ((20, 40), (65, 90), (40, 60)),
    "violet": ((60, 85), (35, 55), (95, 125)),
}
HARSH = {"lowlight", "faint", "jpeg_poor"}


def toner_fade(alpha, rng, nrng, soft=False):
    """Faint print: toner running out (vertical streaks along the paper path, speckled dropout, thin strokes)
    or light grey draft print. Returns (coverage, ink RGB, info)."""
    h, w = alpha.shape
    if rng.random() < 0.5:
        v = rng.uniform(115, 155) if soft else rng.uniform(130, 180)
        # streaks: density varies across the width and a little down the page
        dens = 0.72 + 0.28 * np.clip(smooth_noise(nrng, 1, w, rng.uniform(25, 80))[0], -1, 1)
        dens = np.clip(dens[None, :] * (1 + 0.08 * smooth_noise(nrng, h, w, 400)), 0.42, 1.0)
        grain = 1.0 - 0.45 * (nrng.random((h, w)).astype(np.float32) ** 2)
        a = np.clip(alpha ** rng.uniform(1.2, 1.6) * dens * grain, 0, 1)
        info = dict(faint="toner", ink_level=int(v))
    else:
        v = rng.uniform(125, 160) if soft else rng.uniform(145, 190)
        a = alpha
        info = dict(faint="grey", ink_level=int(v))
    return a.astype(np.float32), np.float32([v, v, v + rng.uniform(-3, 3)]), info


def back_side(ctx, s, rng, nrng, letter_key):
    """Coverage of the other side of the sheet seen through it: another letter, mirrored, diffused by the paper."""
    others = [le for le in ctx["letters"] if le["key"] != letter_key] or ctx["letters"]
    other = rng.choice(others)
    blines, _ = ctx["mc"].compose(other, rng)
    pt = rng.choice([11, 12, 13, 14])
    measure, draw_line, xh = printed_font(rng.choice(ctx["fonts"]), int(pt * 300 / 72))
    mode = "free" if not s["rules"] else rng.choice(["on", "between", "free"])
    pimg = layout(blines, s, mode, int(pt * 300 / 72), rng, measure, draw_line, xh)[0][0]
    a = ink_alpha(pimg)[:, ::-1]
    a = cv2.GaussianBlur(np.ascontiguousarray(a), (0, 0), rng.uniform(1.5, 3.0))
    return a, other["key"]


def poor_jpeg(img, rng, soft=False):
    """Heavy JPEG blocking, sometimes after a messenger-style downscale, sometimes compressed twice.
    Returns (JPEG bytes, scale, info)."""
    import io
    scale = 1.0
    if rng.random() < 0.5:
        scale = rng.uniform(0.55, 0.8)
        h, w = img.shape[:2]
        img = cv2.resize(img, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    q = rng.randint(14, 25) if (scale < 0.7 or soft) else rng.randint(8, 25)
    info = dict(jpeg_quality=q, downscale=round(scale, 3))
    pim = Image.fromarray(to_u8(img))
    if rng.random() < 0.3:
        q1 = rng.randint(40, 70)
        buf = io.BytesIO()
        pim.save(buf, format="JPEG", quality=q1)
        pim = Image.open(io.BytesIO(buf.getvalue()))
        pim.load()
        info["jpeg_first"] = q1
    return pim, q, scale, info


def condition(kind, rng):
    """The features one page shows: a preset per kind; `mix` draws two or three of the others."""
    c = dict(paper="plain", tone="white", ink="toner", back=False, capture="scan", bend=False, dim=False,
             jpeg=False, soft=False, features=[kind])
    feats = [kind]
    if kind == "mix":
        pool = ["ruled", "curl", "jpeg_poor", "lowlight", "showthrough", "faint", "coloured"]
        while True:
            feats = rng.sample(pool, rng.choice([2, 2, 3]))
            if len(HARSH & set(feats)) < 3:
                break
        c["soft"] = len(HARSH & set(feats)) >= 2  # two harsh ones at once: each a little milder
        c["features"] = sorted(feats)
    for f in feats:
        if f == "ruled":
            c["paper"] = rng.choice(["ruled", "ruled", "grid"])
        elif f == "curl":
            c["capture"], c["bend"] = "photo", True
        elif f == "lowlight":
            c["capture"], c["dim"] = "photo", True
        elif f == "jpeg_poor":
            c["jpeg"] = True
        elif f == "showthrough":
            c["back"] = True
        elif f == "faint":
            c["ink"] = "faint"
        elif f == "coloured":
            c["tone"] = rng.choice(list(COLOURED_PAPERS))
            if c["ink"] != "faint":
                c["ink"] = "coloured"
    if kind == "jpeg_poor" and rng.random() < 0.4:
        c["capture"] = "photo"  # a phone photo sent on through a messenger
    if kind == "lowlight" and rng.random() < 0.35:
        c["paper"] = rng.choice(["ruled", "grid"])
    if kind == "showthrough" and rng.random() < 0.4:
        c["paper"] = rng.choice(["ruled", "ruled", "grid"])
    if c["paper"] != "plain" and c["tone"] == "white":
        c["tone"] = rng.choice(["white", "white", "cream", "grey"])
    return c


def condition_pages(kind, lines, rng, nrng, ctx, seq, base, letter_key):
    """Kinds jpeg_poor, lowlight, showthrough, faint, coloured and mix, from one set of features a letter."""
    c = condition(kind, rng)
    s, pages, font, pt, mode = sheet_for(c["paper"], rng, nrng, ctx["fonts"], seq, lines)
    rule_ink = rng.choice(["blue", "blue", "grey", "violet"] if c["paper"] == "ruled" else ["blue", "blue", "grey"])
    if c["ink"] == "coloured":
        name = rng.choice(list(COLOURED_INKS))
        ink = pick_rgb(rng, COLOURED_INKS[name])
    else:
        name, ink = "black", np.float32([rng.uniform(12, 40)] * 3) + np.float32([0, 0, rng.uniform(0, 12)])
    grey_scan = rng.random() < (0.2 if c["tone"] in COLOURED_PAPERS else 0.3)
    out = []
    for pi, (pimg, plines, _) in enumerate(pages):
        extra = dict(pt=pt, font=os.path.basename(font), rule_mode=mode, features=c["features"])
        paper, pinfo = paper_sheet(s, rng, nrng, c["tone"], rule_ink)
        extra.update(pinfo)
        alpha = ink_alpha(pimg)
        page_ink = ink
        if c["ink"] == "faint":
            alpha, page_ink, finfo = toner_fade(alpha, rng, nrng, c["soft"])
            if c["tone"] in COLOURED_PAPERS:
                page_ink = page_ink * 0.85 + ink * 0.15
            extra.update(finfo)
        extra["ink"] = name if c["ink"] != "faint" else "faint"
        if c["back"]:
            back, bkey = back_side(ctx, s, rng, nrng, letter_key)
            strength = rng.uniform(0.1, 0.2)
            paper = multiply(paper, back * strength, (40, 40, 50))
            extra.update(back_key=bkey, show_through=round(strength, 3))
        sheet = multiply(paper, alpha, page_ink)
        mask = sheet_mask(s, rng, nrng)
        if c["capture"] == "photo":
            if c["bend"]:
                bend = rng.choice(["lift", "lift", "arch", "fold"])
                axis = "x" if bend == "lift" or rng.random() < 0.75 else "y"
                img, cov, info = camera_shot(sheet, mask, rng, nrng, bend=bend, axis=axis, tilt_max=10)
            else:
                img, cov, info = camera_shot(sheet, mask, rng, nrng, tilt_max=12)
            del sheet, paper
            img, finfo = photo_finish(img, cov, rng, nrng, lift_mm=info.get("lift_mm", 0.0), dim=c["dim"],
                                      soft=c["soft"])
            info.update(finfo)
            extra.update(info, file_dpi=72, capture="photo")
            grey = False
        else:
            img, info = scan_sheet(sheet, mask, rng, nrng)
            del sheet, paper
            extra.update(info, dpi=300, capture="scan")
            grey = grey_scan
            extra["scan"] = "grey" if grey else "colour"
        if c["jpeg"]:
            if grey:
                img = img @ np.float32([0.299, 0.587, 0.114])
            pim, q, scale, jinfo = poor_jpeg(img, rng, c["soft"])
            p = f"{base}p{pi + 1}.jpg"
            tag = 72 if c["capture"] == "photo" else int(round(300 * scale))
            pim.save(p, quality=q, dpi=(tag, tag))
            extra.update(jinfo)
            extra["dpi"] = int(round(extra["dpi"] * scale))
            if c["capture"] != "photo":
                extra.pop("file_dpi", None)
            else:
                for key in ("sheet_quad", "sheet_mesh"):
                    extra[key] = [[round(x * scale, 1), round(y * scale, 1)] for x, y in extra[key]]
        elif c["capture"] == "photo":
            p = f"{base}p{pi + 1}.jpg"
            save_jpeg(img, p, rng.choice([75, 80, 85]) if c["dim"] else rng.choice([80, 85, 90]), 72)
        else:
            p = save_scan(img, f"{base}p{pi + 1}", rng, grey)
        out.append((p, plines, extra))
    return out


# ----------------------------------------------------------------------------------------------------------------
# handwriting-like pages (issue 14: hand, hand_line)

HAND_FONTS = "cmunti.ttf,cmunci.ttf,PTF56F.ttf,FreeSerifItalic.ttf,NotoSerif-Italic.ttf"  # cursive Cyrillic forms
PEN_INKS = ((15, 45), (35, 75), (130, 200))  # blue ballpoint


def thin(mask):
    """Zhang-Suen thinning of a boolean mask to one-pixel lines (numpy, run on the ink's bounding box)."""
    ys, xs = np.nonzero(mask)
    out = np.zeros(mask.shape, bool)
    if not len(ys):
        return out
    y0, y1, x0, x1 = max(0, ys.min() - 1), ys.max() + 2, max(0, xs.min() - 1), xs.max() + 2
    im = np.pad(mask[y0:y1, x0:x1], 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = im
            P2, P3, P4 = p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:]
            P5, P6, P7 = p[2:, 2:], p[2:, 1:-1], p[2:, :-2]
            P8, P9 = p[1:-1, :-2], p[:-2, :-2]
            nb = [P2, P3, P4, P5, P6, P7, P8, P9, P2]
            B = P2 + P3 + P4 + P5 + P6 + P7 + P8 + P9
            A = sum(((nb[i] == 0) & (nb[i + 1] == 1)).astype(np.uint8) for i in range(8))
            if step == 0:
                m = (P2 * P4 * P6 == 0) & (P4 * P6 * P8 == 0)
            else:
                m = (P2 * P4 * P8 == 0) & (P2 * P6 * P8 == 0)
            dele = (p[1:-1, 1:-1] == 1) & (B >= 2) & (B <= 6) & (A == 1) & m
            if dele.any():
                im[1:-1, 1:-1][dele] = 0
                changed = True
        if not changed:
            break
    out[y0:y1, x0:x1] = im[1:-1, 1:-1].astype(bool)
    return out


class Hand:
    """One writer: a cursive-form italic font drawn glyph by glyph with jitter in size, slant, baseline and
    spacing, letters joined by connecting strokes; `ink(page)` turns the drawn skeleton into a ballpoint line
    with uneven pressure."""

    def __init__(self, font_path, xheight_px, rng, nrng):
        self.rng, self.nrng, self.path = rng, nrng, font_path
        probe = ImageFont.truetype(font_path, 100)
        xh = -probe.getbbox("x", anchor="ls")[1] / 100.0
        self.em = int(round(xheight_px / xh))
        self.fonts = {}
        self.slant = rng.uniform(0.05, 0.35)  # shear added to the italic's own slant
        self.size_j = rng.uniform(0.03, 0.08)
        self.base_j = rng.uniform(0.02, 0.05) * self.em
        self.track = rng.uniform(0.97, 1.12)
        self.word = rng.uniform(1.0, 1.7)
        self.join = rng.uniform(0.7, 1.0)  # how often neighbouring letters are joined
        self.pen = rng.uniform(3.0, 4.2)  # ballpoint line width in px at 300 dpi (~0.3 mm)

    def font(self, scale):
        key = int(round(scale * 50))
        if key not in self.fonts:
            self.fonts[key] = ImageFont.truetype(self.path, max(8, int(self.em * key / 50)))
        return self.fonts[key]

    def measure(self, text):
        f = self.font(1.0)
        return sum(f.getlength(ch) * (self.word if ch == " " else self.track) for ch in text) + 0.1 * self.em

    def glyph(self, ch, scale, shear):
        f = self.font(scale)
        asc = int(self.em * scale * 1.1)
        desc = int(self.em * scale * 0.45)
        adv = f.getlength(ch)
        pad = int(abs(shear) * asc) + 4
        w, h = int(adv + 2 * pad + self.em * 0.3), asc + desc
        g = Image.new("L", (w, h), 0)
        ImageDraw.Draw(g).text((pad, asc), ch, font=f, fill=255, anchor="ls")
        g = g.transform((w, h), Image.AFFINE, (1, shear, -shear * asc, 0, 1, 0), resample=Image.BILINEAR)
        return np.asarray(g), pad, asc, adv

    def draw(self, img, x, y, text, canvas=None):
        """Draw one line with its left end at x and its baseline near y onto the L image `img` (ink = 0)."""
        rng = self.rng
        arr = canvas if canvas is not None else np.zeros((img.height, img.width), np.uint8)
        slope = math.tan(math.radians(rng.uniform(-1.2, 1.2)))
        n = max(8, len(text))
        drift = wobble(self.nrng, n * 4, self.em * rng.uniform(0.02, 0.06))
        y = y + rng.gauss(-0.03, 0.03) * self.em
        cx = x
        prev = None
        H, W = arr.shape
        for i, ch in enumerate(text):
            if ch == " ":
                cx += self.font(1.0).getlength(" ") * self.word * rng.uniform(0.8, 1.2)
                prev = None
                continue
            sc = 1.0 + rng.gauss(0, self.size_j)
            sh = self.slant + rng.gauss(0, 0.04)
            g, pad, asc, adv = self.glyph(ch, sc, sh)
            by = y + slope * (cx - x) + drift[min(len(drift) - 1, i * 4)] + rng.gauss(0, self.base_j)
            gx, gy = int(round(cx - pad)), int(round(by - asc))
            gh, gw = g.shape
            x0, y0, x1, y1 = max(0, gx), max(0, gy), min(W, gx + gw), min(H, gy + gh)
            if x1 > x0 and y1 > y0:
                np.maximum(arr[y0:y1, x0:x1], g[y0 - gy:y1 - gy, x0 - gx:x1 - gx], out=arr[y0:y1, x0:x1])
            # where the pen enters and leaves this letter: the lower half of the x-height band
            band = g[max(0, asc - int(0.5 * self.em * 0.45)):asc + 2] > 128
            cols = np.flatnonzero(band.any(axis=0))
            if len(cols) and ch.isalpha():
                ent_c, ext_c = cols[0], cols[-1]
                ent_r = np.flatnonzero(band[:, ent_c])[-1] + max(0, asc - int(0.5 * self.em * 0.45))
                ext_r = np.flatnonzero(band[:, ext_c])[-1] + max(0, asc - int(0.5 * self.em * 0.45))
                entry = (gx + ent_c, gy + ent_r)
                gap = entry[0] - prev[0] if prev is not None else None
                if gap is not None and rng.random() < self.join and -0.05 * self.em < gap < 0.8 * self.em:
                    self.connector(arr, prev, entry)
                prev = (gx + ext_c, gy + ext_r)
            else:
                prev = None
            cx += adv * sc * self.track + rng.gauss(0, 0.02 * self.em)
        if canvas is None:
            ink = Image.fromarray(255 - arr)
            img.paste(Image.fromarray(np.minimum(np.asarray(img), np.asarray(ink))))

    def connector(self, arr, a, b):
        """A joining stroke from the end of one letter, dipping to the baseline, up into the next."""
        (ax, ay), (bx, by) = a, b
        t = np.linspace(0, 1, 16)[:, None]
        ctl = np.array([(ax + bx) / 2, max(ay, by) + 0.08 * self.em])
        pts = (1 - t) ** 2 * np.array([ax, ay]) + 2 * (1 - t) * t * ctl + t ** 2 * np.array([bx, by])
        m = Image.fromarray(arr)
        ImageDraw.Draw(m).line([tuple(p) for p in pts], fill=255, width=max(2, int(self.em * 0.04)))
        arr[:] = np.asarray(m)

    def ink(self, drawn):
        """Filled glyph coverage (uint8, 255 = ink) -> ballpoint coverage in [0, 1] with pressure and skips."""
        skel = thin(drawn > 110)
        h, w = skel.shape
        dist = cv2.distanceTransform((~skel).astype(np.uint8), cv2.DIST_L2, 3)
        press = 1.0 + 0.22 * smooth_noise(self.nrng, h, w, 45)
        half = self.pen * press / 2
        cov = np.clip(half + 0.5 - dist, 0, 1)
        paste = np.clip(0.9 + 0.12 * smooth_noise(self.nrng, h, w, 9), 0.55, 1.0)  # the ball skips a little
        return cv2.GaussianBlur(cov * paste, (0, 0), 0.6).astype(np.float32)


def hand_pages(kind, lines, rng, nrng, ctx, seq, base):
    """`hand`: a letter written by hand in blue ballpoint on ruled (or squared) paper; truth handwritten=true.
    `hand_line`: a printed letter whose date or signature line is written by hand; handwritten=false,
    `hand_lines` gives the index of that truth line."""
    hand_fonts = ctx["hand_fonts"]
    if kind == "hand":
        paper_kind = rng.choice(["ruled", "ruled", "ruled", "grid"])
        s = sheet_spec(rng, paper_kind, a4=rng.random() < 0.15)
        pitch = s["pitch"] * (2 if paper_kind == "grid" else 1)
        hand = Hand(rng.choice(hand_fonts), pitch * rng.uniform(0.3, 0.4), rng, nrng)
        layers = {}

        def draw_line(img, x, y, text):
            key = id(img)
            if key not in layers:
                layers[key] = np.zeros((img.height, img.width), np.uint8)
            hand.draw(img, x, y, text, canvas=layers[key])

        pages = layout(lines, s, "on", hand.em, rng, hand.measure, draw_line, pitch * 0.35)
        font_name, pt, mode = os.path.basename(hand.path), int(round(hand.em * 72 / 300)), "on"
        texts = [(layers.get(id(pimg), np.zeros((s["H"], s["W"]), np.uint8)), plines) for pimg, plines, _ in pages]
    else:
        paper_kind = rng.choice(["plain", "plain", "ruled"])
        pt = rng.choice([11, 12, 13, 14])
        font = rng.choice(ctx["fonts"])
        px = int(pt * 300 / 72)
        pmeasure, pdraw, xh = printed_font(font, px)
        s = sheet_spec(rng, paper_kind, a4=True if paper_kind == "plain" else None)
        mode = "free" if paper_kind == "plain" else RULE_MODES[seq % len(RULE_MODES)]
        which = "date" if rng.random() < 0.6 else "sign"
        target = next(t for t, r in lines if r == which)
        hand = Hand(rng.choice(hand_fonts), xh * rng.uniform(1.1, 1.5), rng, nrng)
        layers = {}

        def measure(t):
            return hand.measure(t) if t == target else pmeasure(t)

        def draw_line(img, x, y, text):
            if text == target:
                layers[id(img)] = np.zeros((img.height, img.width), np.uint8)
                hand.draw(img, x, y, text, canvas=layers[id(img)])
            else:
                pdraw(img, x, y, text)

        pages = layout(lines, s, mode, px, rng, measure, draw_line, xh)
        font_name = os.path.basename(font)
        texts = None
    pen = pick_rgb(rng, PEN_INKS)
    tone = rng.choice(["white", "white", "cream", "grey"]) if paper_kind != "plain" else "white"
    rule_ink = rng.choice(["blue", "blue", "grey", "violet"] if paper_kind == "ruled" else ["blue", "blue", "grey"])
    capture = "photo" if rng.random() < 0.3 else "scan"
    toner = np.float32([rng.uniform(12, 40)] * 3)
    out = []
    for pi, (pimg, plines, _) in enumerate(pages):
        paper, pinfo = paper_sheet(s, rng, nrng, tone, rule_ink)
        extra = dict(pt=pt, font=font_name, rule_mode=mode, capture=capture, pen_width=round(hand.pen, 2))
        if kind == "hand":
            cov = hand.ink(texts[pi][0])
            sheet = multiply(paper, cov * rng.uniform(0.85, 0.97), pen)
            extra.update(handwritten=True, hand_font=font_name, xheight_px=int(hand.em * 0.45))
        else:
            sheet = multiply(paper, ink_alpha(pimg), toner)
            idx = [i for i, t in enumerate(plines) if t == target]
            if id(pimg) in layers:
                cov = hand.ink(layers[id(pimg)])
                sheet = multiply(sheet, cov * rng.uniform(0.85, 0.97), pen)
            extra.update(handwritten=False, hand_lines=idx, hand_role=which, hand_font=os.path.basename(hand.path))
        extra.update(pinfo)
        mask = sheet_mask(s, rng, nrng)
        if capture == "photo":
            img, covr, info = camera_shot(sheet, mask, rng, nrng, tilt_max=12)
            del sheet, paper
            img, finfo = photo_finish(img, covr, rng, nrng)
            info.update(finfo)
            extra.update(info, file_dpi=72)
            p = f"{base}p{pi + 1}.jpg"
            save_jpeg(img, p, rng.choice([80, 85, 90]), 72)
        else:
            img, info = scan_sheet(sheet, mask, rng, nrng)
            del sheet, paper
            extra.update(info, dpi=300)
            grey = rng.random() < 0.2
            extra["scan"] = "grey" if grey else "colour"
            p = save_scan(img, f"{base}p{pi + 1}", rng, grey)
        out.append((p, plines, extra))
    return out


RULE_MODES = ["on", "between", "free"]


def scanned_paper_pages(kind, lines, rng, nrng, fonts, seq, base):
    """`ruled` / `grid`: a printed letter on notebook paper, scanned. Returns [(path, lines, extra)] per page."""
    pt = rng.choice([11, 12, 13, 14])
    font = rng.choice(fonts)
    px = int(pt * 300 / 72)
    measure, draw_line, xh = printed_font(font, px)
    s = sheet_spec(rng, kind)
    mode = RULE_MODES[seq % len(RULE_MODES)]  # in turn, so every mode appears in every corpus
    tone = rng.choice(["white", "white", "cream", "grey"])
    rule_ink = rng.choice(["blue", "blue", "grey", "violet"] if kind == "ruled" else ["blue", "blue", "grey"])
    ink = np.float32([rng.uniform(12, 40)] * 3) + np.float32([0, 0, rng.uniform(0, 12)])
    grey = rng.random() < 0.3
    out = []
    for pi, (pimg, plines, _) in enumerate(layout(lines, s, mode, px, rng, measure, draw_line, xh)):
        paper, info = paper_sheet(s, rng, nrng, tone, rule_ink)
        img = ink_on(paper, ink_alpha(pimg), rng, ink)
        img, geo = scan_sheet(img, sheet_mask(s, rng, nrng), rng, nrng)
        p = save_scan(img, f"{base}p{pi + 1}", rng, grey)
        extra = dict(dpi=300, pt=pt, font=os.path.basename(font), rule_mode=mode, scan="grey" if grey else "colour")
        extra.update(info, **geo)
        out.append((p, plines, extra))
    return out


def make_paper_kind(kind, lines, rng, nrng, ctx, seq, base, letter_key):
    """Render one composed letter as an issue-14 kind; returns [(path, truth lines, extra truth fields)]."""
    fonts = ctx["fonts"]
    if kind in ("ruled", "grid"):
        return scanned_paper_pages(kind, lines, rng, nrng, fonts, seq, base)
    if kind in ("ruled_photo", "curl"):
        return photo_paper_pages(kind, lines, rng, nrng, fonts, seq, base)
    if kind in ("jpeg_poor", "lowlight", "showthrough", "faint", "coloured", "mix"):
        return condition_pages(kind, lines, rng, nrng, ctx, seq, base, letter_key)
    if kind in ("hand", "hand_line"):
        return hand_pages(kind, lines, rng, nrng, ctx, seq, base)
    raise SystemExit(f"unknown kind {kind}")


# ----------------------------------------------------------------------------------------------------------------


def unrule(a):
    """Lighten long thin horizontal and vertical lines (a notebook's ruling) in a grey float page; oracle only."""
    dark = np.clip(255 - a, 0, 255).astype(np.uint8)
    h = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, 81), np.uint8))
    v = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((81, 1), np.uint8))
    return np.clip(a + np.maximum(h, v).astype(np.float32), 0, 255)


def oracle(corpus, out):
    """Undo each kind with the truth (turn, skew, sheet quad or mesh), drop colour, blur the fax dither; write <id>.png.
    Handwritten pages are skipped (the oracle only checks that printed pages stay readable).

    Not a pipeline: a realism check that the pages stay readable (plain Tesseract on the result should be near 0 %).
    """
    os.makedirs(out, exist_ok=True)
    for line in open(os.path.join(corpus, "truth.jsonl"), encoding="utf-8"):
        t = json.loads(line)
        if t.get("blank") or t.get("handwritten"):
            continue
        im = Image.open(os.path.join(corpus, t["file"]))
        if "sheet_mesh" in t:  # issue-14 photos (flat or bent): un-warp through the 9 x 9 mesh
            rgb = np.asarray(im.convert("RGB")).astype(np.float32)
            if "exposure" in t:  # low light: average the channels' noise away instead of taking the max
                a = cv2.GaussianBlur(cv2.medianBlur(to_u8(rgb.mean(axis=2)), 5).astype(np.float32), (0, 0), 1.0)
            else:
                a = rgb.max(axis=2)
            W, H = (2480, 3508) if t.get("sheet") == "a4" else (1984, 2421)
            mesh = np.float32(t["sheet_mesh"]).reshape(9, 9, 2)
            # bilinear between the mesh nodes (numpy: cv2.remap would quantise the positions to 1/32 of a cell)
            gx, gy = np.linspace(0, 8, W, dtype=np.float32), np.linspace(0, 8, H, dtype=np.float32)
            ix, iy = np.minimum(gx.astype(int), 7), np.minimum(gy.astype(int), 7)
            fx, fy = (gx - ix)[None, :, None], (gy - iy)[:, None, None]
            rows = mesh[:, ix] * (1 - fx) + mesh[:, ix + 1] * fx  # 9 x W x 2
            dense = (rows[iy] * (1 - fy) + rows[iy + 1] * fy).astype(np.float32)  # H x W x 2
            a = cv2.remap(a, dense[..., 0], dense[..., 1], cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
            bg = cv2.GaussianBlur(cv2.dilate(a, np.ones((25, 25), np.uint8)), (0, 0), 20)
            a = a / np.maximum(bg, 1) * 255
            if t.get("ruling") in ("ruled", "grid"):
                a = unrule(a)
            im = Image.fromarray(to_u8(a))
        elif t["level"] == "photo":
            a = np.asarray(im.convert("RGB")).max(axis=2).astype(np.float32)
            W, H = 2480, 3508
            M = cv2.getPerspectiveTransform(np.float32(t["sheet_quad"]), np.float32([[0, 0], [W, 0], [W, H], [0, H]]))
            a = cv2.warpPerspective(a, M, (W, H), flags=cv2.INTER_CUBIC)
            bg = cv2.GaussianBlur(cv2.dilate(a, np.ones((25, 25), np.uint8)), (0, 0), 20)
            im = Image.fromarray(to_u8(a / np.maximum(bg, 1) * 255))
        else:
            if im.mode == "RGB":
                im = Image.fromarray(np.asarray(im).max(axis=2))
            im = im.convert("L")
            if t.get("turned"):
                im = im.rotate(-t["turned"], expand=True)
            if t.get("downscale", 1.0) < 1.0:  # jpeg_poor: back to the scan's 300 dpi
                im = im.resize((int(im.width / t["downscale"]), int(im.height / t["downscale"])), Image.LANCZOS)
            if t.get("skew"):
                im = im.rotate(-t["skew"], resample=Image.BICUBIC, expand=True, fillcolor=255)
            if t.get("ruling") in ("ruled", "grid"):
                im = Image.fromarray(to_u8(unrule(np.asarray(im, np.float32))))
            if t["level"] == "dpi150":
                im = im.resize((im.width * 2, im.height * 2), Image.LANCZOS)
            if t["level"] == "fax":
                im = Image.fromarray(to_u8(cv2.GaussianBlur(np.asarray(im, np.float32), (0, 0), 1.2)))
        im.save(os.path.join(out, t["id"] + ".png"))


def lost_lines(corpus, preds, threshold=60.0):
    """Per kind: truth lines that have no counterpart among the predicted lines (PRED/<id>.txt).

    A truth line counts as found when some output line matches it with rapidfuzz ratio >= threshold, or, for an
    output line longer than it (two lines read as one), partial_ratio >= threshold. Handwritten lines (`hand`
    pages, `hand_lines` of `hand_line` pages) are counted apart. Rough, but it finds silently dropped lines.
    """
    import re
    from collections import defaultdict

    from rapidfuzz import fuzz

    def norm(x):
        return re.sub(r"\s+", " ", x).strip()

    agg = defaultdict(lambda: [0, 0, 0, 0, 0])  # pages, lines, lost, hand lines, hand lost
    for line in open(os.path.join(corpus, "truth.jsonl"), encoding="utf-8"):
        t = json.loads(line)
        if t.get("blank"):
            continue
        p = os.path.join(preds, t["id"] + ".txt")
        hyp = [norm(h) for h in open(p, encoding="utf-8").read().splitlines()] if os.path.exists(p) else []
        hyp = [h for h in hyp if h]
        hand = set(range(len(t["text"].split("\n")))) if t.get("handwritten") else set(t.get("hand_lines", []))
        for key in (t["level"], "all"):
            agg[key][0] += 1
        for i, ref in enumerate(norm(x) for x in t["text"].split("\n")):
            if not ref:
                continue
            best = 0.0
            for h in hyp:
                best = max(best, fuzz.ratio(ref, h), fuzz.partial_ratio(ref, h) if len(h) > len(ref) else 0.0)
                if best >= threshold:
                    break
            for key in (t["level"], "all"):
                a = agg[key]
                if i in hand:
                    a[3] += 1
                    a[4] += best < threshold
                else:
                    a[1] += 1
                    a[2] += best < threshold
    for k in sorted(agg, key=lambda k: (k == "all", k)):
        a = agg[k]
        extra = f" handwritten-lines={a[3]:4d} unmatched={a[4]:4d}" if a[3] else ""
        print(f"{k:12s} pages={a[0]:3d} lines={a[1]:5d} lost={a[2]:4d} ({100 * a[2] / max(a[1], 1):5.2f}%){extra}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "oracle":
        oracle(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) == 4 and sys.argv[1] == "lost":
        lost_lines(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("letters")
    ap.add_argument("out")
    ap.add_argument("seed", type=int)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--copies", type=int, default=3,
                    help="each letter is rendered N times, kinds taken in turn (N=len(kinds) gives every pair)")
    ap.add_argument("--shared", default=os.environ.get("ISHENIM_SHARED_CORPUS", DEFAULT_SHARED))
    ap.add_argument("--fonts", default=DEFAULT_FONTS)
    ap.add_argument("--hand-fonts", default=HAND_FONTS, help="italic fonts with cursive forms for hand, hand_line")
    ap.add_argument("--no-blanks", action="store_true")
    ap.add_argument("--only", default="",
                    help="render only these letters (H073,H080) or kinds (mix); pages are as in a full run")
    a = ap.parse_args()
    only = {s.strip() for s in a.only.split(",") if s.strip()}
    kinds = [k.strip() for k in a.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS + PAPER_KINDS]
    if bad or not kinds:
        ap.error(f"unknown kinds {bad}; choose from {','.join(KINDS + PAPER_KINDS)}")
    mc = load_shared(a.shared)
    letters = load_letters(a.letters)
    fonts = []
    for name in a.fonts.split(","):
        path = mc.find_font(name)
        miss = missing_glyphs(path)
        if miss:
            print(f"skipping font {name}: no glyphs for {miss}", file=sys.stderr)
        else:
            fonts.append(path)
    if not fonts:
        raise SystemExit("no usable font (every font lacks Kyrgyz letters)")
    bold_font = mc.find_font("DejaVuSans-Bold.ttf")
    os.makedirs(a.out, exist_ok=True)
    truth = []
    seen = {}  # letters per paper kind so far (rule modes are taken in turn)
    hand_fonts = []
    for name in a.hand_fonts.split(","):
        path = mc.find_font(name)
        miss = missing_glyphs(path)
        if miss:
            print(f"skipping hand font {name}: no glyphs for {miss}", file=sys.stderr)
        else:
            hand_fonts.append(path)
    if not hand_fonts and any(k in ("hand", "hand_line") for k in kinds):
        raise SystemExit("no usable hand font (every one lacks Kyrgyz letters)")
    ctx = dict(mc=mc, letters=letters, fonts=fonts, hand_fonts=hand_fonts)
    n = 0
    for copy in range(a.copies):
        for i, letter in enumerate(letters):
            n += 1
            kind = kinds[(i + copy) % len(kinds)]
            rng = random.Random(f"hard/{a.seed}/{n}")
            nrng = np.random.default_rng([a.seed, n])
            lines, t = mc.compose(letter, rng)
            lid = f"H{n:03d}"
            if only and lid not in only and kind not in only:
                if kind in PAPER_KINDS:  # rule modes go in turn: count the skipped letter
                    seen[kind] = seen.get(kind, 0) + 1
                continue
            if kind in PAPER_KINDS:
                seq = seen.get(kind, 0)
                seen[kind] = seq + 1
                made = make_paper_kind(kind, lines, rng, nrng, ctx, seq, os.path.join(a.out, lid), letter["key"])
                for pi, (p, plines, extra) in enumerate(made):
                    pid = f"{lid}p{pi + 1}"
                    row = dict(id=pid, file=os.path.basename(p), letter=lid, key=letter["key"], page=pi + 1,
                               pages=len(made), level=kind, dpi=extra.pop("dpi"), pt=extra.pop("pt"),
                               font=extra.pop("font"), turned=0, blank=False, text="\n".join(plines), **t)
                    row["handwritten"] = extra.pop("handwritten", False)
                    row.update(extra)
                    truth.append(row)
                    print(f"{pid} {kind} {row['file']}", file=sys.stderr)
                continue
            dpi = 200 if kind == "fax" else 300
            pt = rng.choice([10, 11, 12] if kind == "dpi150" else [11, 12, 13, 14])  # small x-height at 150 dpi
            font = rng.choice(fonts)
            pages = mc.render(lines, font, pt, dpi, rng)
            for pi, (img, plines) in enumerate(pages):
                pid = f"{lid}p{pi + 1}"
                p, extra = make_kind(kind, img, rng, nrng, os.path.join(a.out, pid), pi == len(pages) - 1,
                                     bold_font)
                row = dict(id=pid, file=os.path.basename(p), letter=lid, key=letter["key"], page=pi + 1,
                           pages=len(pages), level=kind, dpi=extra.pop("dpi", dpi), pt=pt,
                           font=os.path.basename(font), turned=extra.pop("turned", 0), blank=False,
                           text="\n".join(plines), **t)
                row.update(extra)
                truth.append(row)
                print(f"{pid} {kind} {row['file']}", file=sys.stderr)
    if not a.no_blanks:
        for i in range(3):
            rng = random.Random(f"hard/{a.seed}/blank{i}")
            nrng = np.random.default_rng([a.seed, 100000 + i])
            pid = f"HB{i + 1:02d}"
            W, H = 2480, 3508
            empty = np.zeros((H, W), np.float32)
            extra = {}
            if i < 2:  # phone photos of a backside; the second shows the front through thin paper
                st = None
                if i == 1:
                    lines, _ = mc.compose(letters[i % len(letters)], rng)
                    front = mc.render(lines, fonts[0], 12, 300, rng)[0][0]
                    st = cv2.GaussianBlur(ink_alpha(front)[:, ::-1].copy(), (0, 0), 2.5)
                    extra["show_through"] = True
                img, info = photo(empty, rng, nrng, show_through=st)
                p = os.path.join(a.out, pid + ".jpg")
                save_jpeg(img, p, 85, 72)
                level = "photo"
                extra.update(info, file_dpi=72)
            else:  # colour scan of a backside with a little paper texture
                paper = np.float32([rng.uniform(244, 252), rng.uniform(242, 250), rng.uniform(236, 246)])
                tex = 1 + 0.01 * smooth_noise(nrng, H, W, 80)
                img = paper[None, None, :] * tex[..., None]
                img = rotate_rgb(img, rng.uniform(-1, 1), (255, 255, 255))
                img = sensor(img, nrng, 4, 0.5)
                p = os.path.join(a.out, pid + ".jpg")
                save_jpeg(img, p, 88, 300)
                level = "stamp"
                extra.update(dpi=300)
            row = dict(id=pid, file=os.path.basename(p), letter=None, page=1, pages=1, level=level, turned=0,
                       blank=True, text="")
            row.update(extra)
            truth.append(row)
            print(f"{pid} blank {level}", file=sys.stderr)
    if any(k in PAPER_KINDS for k in kinds):
        for t in truth:
            t.setdefault("handwritten", False)
    with open(os.path.join(a.out, "truth.jsonl"), "w", encoding="utf-8") as f:
        for t in truth:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(f"{len(truth)} pages in {a.out}")


if __name__ == "__main__":
    main()
