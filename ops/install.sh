#!/bin/sh
# Install or upgrade Ishenim on the office PC (Debian/Ubuntu with systemd).
#
#   sudo ops/install.sh [--dry-run] [--no-start] [path/to/ishenim]
#
# Default binary: target/release/ishenim next to this script's repository (`make build`).
# What it does, each step safe to repeat:
#   1. checks the binary runs and Tesseract's kir/rus/eng models are installed;
#   2. creates the system user `ishenim` and its folders (data /var/lib/ishenim, backups
#      /var/backups/ishenim, both private to the user; settings /etc/ishenim);
#   3. on an upgrade: stops the server and takes a backup with the OLD binary first
#      (stops here if that backup fails); keeps the old binary as ishenim.previous;
#   4. installs the binary, the systemd units, the journald limits and the admin guides;
#   5. records the backup folder in the register's settings, starts the server and the
#      nightly backup timer, and prints `ishenim doctor`.
# --dry-run prints the commands instead of running them; --no-start installs without
# enabling or starting anything.
set -eu

DRY=0
START=1
BIN=""
for arg in "$@"; do
    case "$arg" in
        --dry-run) DRY=1 ;;
        --no-start) START=0 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "unknown option: $arg" >&2; exit 2 ;;
        *) BIN="$arg" ;;
    esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
[ -n "$BIN" ] || BIN="$REPO/target/release/ishenim"

USER_NAME=ishenim
DATA=/var/lib/ishenim
BACKUPS=/var/backups/ishenim
ETC=/etc/ishenim
PREFIX=/usr/local
TARGET="$PREFIX/bin/ishenim"
UNITS=/etc/systemd/system
DOCS="$PREFIX/share/doc/ishenim"

say() { printf '%s\n' "ishenim install: $*"; }
die() { printf '%s\n' "ishenim install: $*" >&2; exit 1; }
run() {
    if [ "$DRY" = 1 ]; then
        printf '+ %s\n' "$*"
    else
        "$@"
    fi
}
# Runs the installed (or given) binary as the service user, with the service environment.
as_ishenim() {
    run runuser -u "$USER_NAME" -- env ISHENIM_DATA="$DATA" OMP_THREAD_LIMIT=1 "$@"
}

if [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "run as root (sudo $0)"
fi

# 1. The binary and its libraries.
[ -x "$BIN" ] || die "no binary at $BIN (build it with: make build)"
"$BIN" --version >/dev/null 2>&1 || die "$BIN does not run"
if command -v ldd >/dev/null 2>&1 && ldd "$BIN" | grep -q "not found"; then
    ldd "$BIN" | grep "not found" >&2
    die "missing libraries: apt-get install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus"
fi
for lang in kir rus eng; do
    found=""
    for d in ${TESSDATA_PREFIX:-} /usr/share/tesseract-ocr/5/tessdata /usr/share/tesseract-ocr/4.00/tessdata /usr/share/tessdata; do
        [ -f "$d/$lang.traineddata" ] && found="$d" && break
    done
    if [ -z "$found" ]; then
        if [ "$lang" = kir ]; then
            die "Tesseract model $lang missing: apt-get install tesseract-ocr-$lang"
        fi
        say "warning: Tesseract model $lang missing (apt-get install tesseract-ocr-$lang)"
    fi
done

# 2. User and folders.
if ! getent passwd "$USER_NAME" >/dev/null 2>&1; then
    say "creating the system user $USER_NAME"
    run useradd --system --user-group --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin --comment "Ishenim appeals register" "$USER_NAME"
fi
run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$DATA" "$BACKUPS"
run install -d -o root -g root -m 0755 "$ETC"
if [ ! -e "$ETC/ishenim.env" ]; then
    if [ "$DRY" = 1 ]; then
        printf '+ write %s\n' "$ETC/ishenim.env"
    else
        cat > "$ETC/ishenim.env" <<'ENV'
# Site settings for ishenim.service and ishenim-backup.service (KEY=value lines).
# Mark session cookies Secure only when the server is reached over HTTPS:
#ISHENIM_SECURE_COOKIES=1
# Tesseract models in a non-standard folder:
#TESSDATA_PREFIX=/usr/share/tesseract-ocr/5/tessdata
# More detail in the journal (info, debug):
#ISHENIM_LOG=info
ENV
        chown root:"$USER_NAME" "$ETC/ishenim.env"
        chmod 0640 "$ETC/ishenim.env"
    fi
fi

# 3. Upgrade: back up with the old binary before anything changes.
UPGRADE=0
if [ -x "$TARGET" ] && [ -f "$DATA/ishenim.sqlite3" ]; then
    UPGRADE=1
    old=$("$TARGET" --version 2>/dev/null || echo unknown)
    new=$("$BIN" --version 2>/dev/null || echo unknown)
    say "upgrade: $old -> $new"
    if command -v systemctl >/dev/null 2>&1; then
        run systemctl stop ishenim.service || true
    fi
    # The FILE form works with every release; this name is outside the nightly rotation,
    # so the archive stays until the admin deletes it.
    pre="$BACKUPS/ishenim-preupgrade-$(date +%Y%m%d-%H%M%S).tar"
    say "backup before the upgrade (old binary): $pre"
    as_ishenim "$TARGET" --user upgrade backup "$pre" \
        || die "the pre-upgrade backup failed; nothing was changed (server stopped: systemctl start ishenim)"
fi

# 4. Files.
if [ -x "$TARGET" ]; then
    run cp -p "$TARGET" "$TARGET.previous"
fi
run install -D -m 0755 "$BIN" "$TARGET.new"
run mv -f "$TARGET.new" "$TARGET"
for unit in ishenim.service ishenim-backup.service ishenim-backup.timer; do
    run install -D -m 0644 "$HERE/$unit" "$UNITS/$unit"
done
run install -D -m 0644 "$HERE/journald-ishenim.conf" /etc/systemd/journald.conf.d/ishenim.conf
# The legacy eng model that votes on numbers (fetched by `make setup`); without it the
# server still runs, with LSTM votes only (`ishenim doctor` warns).
if [ -f "$REPO/models/tessdata/eng.traineddata" ]; then
    run install -D -m 0644 "$REPO/models/tessdata/eng.traineddata" /usr/local/share/ishenim/tessdata/eng.traineddata
fi
for doc in admin-guide.ky.md admin-guide.ru.md; do
    if [ -f "$REPO/docs/$doc" ]; then
        run install -D -m 0644 "$REPO/docs/$doc" "$DOCS/$doc"
    fi
done

# 5. Settings, services, health.
as_ishenim "$TARGET" --user install settings set backup_dir "$BACKUPS"
if [ "$START" = 1 ] && command -v systemctl >/dev/null 2>&1; then
    run systemctl daemon-reload
    run systemctl restart systemd-journald || true
    run systemctl enable --now ishenim.service ishenim-backup.timer
    if [ "$UPGRADE" = 1 ]; then
        run systemctl restart ishenim.service
    fi
fi
say "health check (ishenim doctor):"
as_ishenim "$TARGET" doctor --backup-dir "$BACKUPS" || true

say "first admin (once): open http://127.0.0.1:8080/setup on this PC, or run"
say "  sudo runuser -u $USER_NAME -- env ISHENIM_DATA=$DATA $TARGET user add LOGIN --role admin"
say "done. Admin guide: $DOCS/admin-guide.ky.md, $DOCS/admin-guide.ru.md"
