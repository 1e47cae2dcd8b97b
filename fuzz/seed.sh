#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>, not committed) from the repository's own
# files: the hostile-input corpus, the intake format fixtures and the samples for `intake`;
# the previous release's backup (as it is, and in the structured form the harness packs)
# for `backup_import`; fuzz/seeds/<target> for the rest. A corpus that already has files is
# left alone (libFuzzer keeps growing it). Run from anywhere; no Python needed.
set -euo pipefail
cd "$(dirname "$0")"
root=..
corpus=corpus

fill() { # fill <target>: true when the corpus is empty (and creates it)
    mkdir -p "$corpus/$1"
    [ -z "$(ls -A "$corpus/$1")" ]
}

if fill intake; then
    for f in "$root"/tests/hostile/* "$root"/crates/ishenim-intake/tests/data/* "$root"/samples/*; do
        [ -f "$f" ] || continue
        case "$f" in *.md | *.tsv | *.py | *.jsonl) continue ;; esac
        # Big photos only slow every mutation down; the small files cover the same decoders.
        [ "$(stat -c %s "$f")" -le 262144 ] || continue
        cp "$f" "$corpus/intake/$(sha1sum "$f" | cut -c1-16)"
    done
fi

if fill backup_import; then
    tarball="$root/crates/ishenim-store/tests/fixtures/store-v1.tar"
    { printf '\x00'; cat "$tarball"; } >"$corpus/backup_import/raw-store-v1"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tar -xf "$tarball" -C "$tmp"
    entry() { # entry <selector> <file>: one entry of the structured form
        local n
        n=$(stat -c %s "$2")
        # shellcheck disable=SC2059
        printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' "$1" $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)))"
        cat "$2"
    }
    {
        printf '\x01'
        entry 0 "$tmp/manifest.json"
        entry 1 "$tmp/ishenim.sqlite3"
        for f in "$tmp"/files/*/*; do entry 2 "$f"; done
    } >"$corpus/backup_import/structured-store-v1"
    {
        printf '\x01'
        entry 0 "$tmp/manifest.json"
        entry 1 "$tmp/ishenim.sqlite3"
    } >"$corpus/backup_import/structured-db-only"
fi

for t in preprocess draft_text phone_date search_query; do
    if fill "$t"; then
        cp seeds/"$t"/* "$corpus/$t/"
    fi
done
