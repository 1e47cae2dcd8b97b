"""Turn whole-letter batches (tests/letters/*.jsonl) into a corpus that `ishenim eval` scores.

usage: to_corpus.py OUT BATCH.jsonl... [--part tune|blind|all] [--render SEED] [--levels clean,mild,heavy]
       to_corpus.py split BATCH.jsonl...        (once, before tuning: writes split.txt)

Without --render, OUT/truth.jsonl has one row a letter whose `text` is the letter as written: `ishenim eval`
builds the pages from that text (the drafting alone, no OCR). With --render SEED, every letter is laid out line by
line as its writer broke it (the shared generator's fonts and scan levels) into OUT/<id>.png|jpg|tif, one truth row
a page, so `ishenim scan --json` + eval measure the whole reader.

Rows carry the truth of README.md (name, anonymous, address, address_alts, phone, date, category, corruption,
summary_stems, co_signers) in make_corpus.py's row format (`letter`, `page`, `level`, `key` = layout).
"""
import hashlib
import importlib.util
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("ISHENIM_SHARED_CORPUS", os.path.join(HERE, "..", "..", "..", "shared", "corpus"))


def load(paths):
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        sys.exit(f"{p}:{n}: {e}")
    return out


def part_of(letter_id):
    """The one split: 60 % tune, 40 % blind, by a hash of the id (stable, independent of content)."""
    h = int(hashlib.sha256(letter_id.encode()).hexdigest(), 16)
    return "tune" if h % 10 < 6 else "blind"


def read_split():
    path = os.path.join(HERE, "split.txt")
    if not os.path.exists(path):
        return {}
    parts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                lid, part = line.split()
                parts[lid] = part
    return parts


def truth_row(letter, page_id, page_no, level, text):
    t = letter["truth"]
    return {
        "id": page_id, "file": "", "letter": letter["id"], "key": letter.get("layout"), "page": page_no,
        "level": level, "blank": False, "lang": letter.get("lang"), "corruption": t.get("corruption"),
        "anonymous": t.get("anonymous"), "name": t.get("name"), "address": t.get("address"),
        "address_alts": t.get("address_alts") or [], "phone": t.get("phone"), "date": t.get("date"),
        "category": t.get("category"), "summary_stems": t.get("summary_stems") or [],
        "co_signers": t.get("co_signers") or [], "text": text,
    }


def render_all(letters, out, seed, levels):
    spec = importlib.util.spec_from_file_location("make_corpus", os.path.join(SHARED, "make_corpus.py"))
    mc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mc)
    import numpy as np
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    random.seed(seed)
    np.random.seed(seed)
    fonts = [mc.find_font(f) for f in
             "DejaVuSerif.ttf,NotoSans-Regular.ttf,PTS55F.ttf,cmunrm.ttf,FreeSans.ttf".split(",")]
    rows = []
    for n, letter in enumerate(letters):
        # A long line is a paragraph: wrapped to the page (with its first-line indent), as a
        # writer's hand or a word processor would; `line` is drawn as is and would run off it.
        lines = [(ln, "gap" if not ln.strip() else "para" if len(ln) > 55 else "line")
                 for ln in letter["text"].split("\n")]
        level = levels[n % len(levels)]
        dpi = 300 if level != "heavy" else rng.choice([200, 300])
        pages = mc.render(lines, rng.choice(fonts), rng.choice([11, 12, 13]), dpi, rng)
        for pi, (img, plines) in enumerate(pages):
            img = mc.degrade(img, level, rng, nrng)
            pid = f"{letter['id']}p{pi + 1}"
            path = mc.save(img, os.path.join(out, pid), level, rng, dpi)
            row = truth_row(letter, pid, pi + 1, level, "\n".join(plines))
            row["file"] = os.path.basename(path)
            rows.append(row)
    return rows


def main():
    args = sys.argv[1:]
    if args and args[0] == "split":
        letters = load(args[1:])
        path = os.path.join(HERE, "split.txt")
        if os.path.exists(path):
            sys.exit("split.txt exists: the split is made once")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# letter id, part (tune|blind): made once, before tuning\n")
            for letter in letters:
                f.write(f"{letter['id']} {part_of(letter['id'])}\n")
        return
    if len(args) < 2:
        sys.exit(__doc__)
    out, rest = args[0], args[1:]
    opts = {}
    files = []
    i = 0
    while i < len(rest):
        if rest[i].startswith("--"):
            opts[rest[i]] = rest[i + 1]
            i += 2
        else:
            files.append(rest[i])
            i += 1
    letters = load(files)
    part = opts.get("--part", "all")
    if part != "all":
        split = read_split()
        letters = [x for x in letters if split.get(x["id"], "unsplit") == part]
    os.makedirs(out, exist_ok=True)
    if "--render" in opts:
        levels = opts.get("--levels", "clean,mild,heavy").split(",")
        rows = render_all(letters, out, int(opts["--render"]), levels)
    else:
        rows = [truth_row(x, f"{x['id']}p1", 1, "text", x["text"]) for x in letters]
    with open(os.path.join(out, "truth.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(letters)} letters, {len(rows)} pages -> {out}")


if __name__ == "__main__":
    main()
