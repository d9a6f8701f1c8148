#!/bin/sh
# Set everything up, then run the coach or the tests:
#   ./setup.sh run  [matcoach arguments]    default: a live session (a simulated one, written to a WAV, without audio devices)
#   ./setup.sh test [pytest arguments]
#   ./setup.sh --dry-run run|test           say what would be installed and run; change nothing
# Installs what is missing: Debian packages (apt-get, with sudo when not root), a virtual
# environment in .venv, and matcoach itself (editable). `run` installs only what running needs;
# `test` adds the test extra (pytest, the Korean model the tests listen with, matplotlib) and the
# audio server the end-to-end tests use.
set -eu
cd "$(dirname "$0")"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage="usage: ./setup.sh [--dry-run] run [matcoach arguments] | ./setup.sh [--dry-run] test [pytest arguments]"

dry=no
case "${1:-}" in
    -n|--dry-run) dry=yes; shift ;;
    -h|--help) printf '%s\n' "$usage"; exit 0 ;;
esac
mode=${1:-}
case "$mode" in
    run|test) shift ;;
    *) die "$usage" ;;
esac

# A step that changes the machine: done, or with --dry-run only said.
step() {
    if [ "$dry" = yes ]; then say "would run: $*"; else "$@"; fi
}

# Debian packages each mode needs at run time (python3-venv only matters for Debian's own python3).
DEBS_RUN="espeak-ng libespeak-ng1 libportaudio2 libspeexdsp1 libatomic1"  # libatomic1: vosk on arm64
DEBS_TEST="pulseaudio pulseaudio-utils libasound2-plugins sox zsh"  # an audio server for end-to-end tests; zsh checks completion

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install sudo, or run this as root)"
    fi
}

apt_updated=no
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*; this script installs with apt-get (Debian, Ubuntu, Raspberry Pi OS): install them with your package manager"
    say "installing Debian packages: $*"
    if [ "$dry" = yes ]; then
        say "would run: apt-get update; apt-get install -y --no-install-recommends $*"
        return
    fi
    if [ "$apt_updated" = no ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=yes
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing_debs() {
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
    done
}

# A Python 3.11 or newer that can make virtual environments.
python_ok() {
    command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}
if ! python_ok; then
    apt_install python3 python3-venv
    [ "$dry" = yes ] || python_ok || die "matcoach needs Python 3.11 or newer with venv; this system's python3 is $(python3 --version 2>&1)"
fi

debs=$DEBS_RUN
[ "$mode" = test ] && debs="$debs $DEBS_TEST"
# shellcheck disable=SC2086
todo=$(missing_debs $debs)
if [ -n "$todo" ]; then
    # shellcheck disable=SC2086
    apt_install $todo
else
    say "Debian packages: all there ($debs)"
fi

# The virtual environment, reinstalled when pyproject.toml changes or the tests need their extra.
# The stamp holds pyproject.toml's hash and what was installed: "run" (matcoach alone) or "test".
stamp=.venv/.matcoach-installed
hash="$(python3 -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())' 2>/dev/null || echo unknown)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$mode" = test ]; then
    target='.[test]'; ok="$hash test"
else
    target='.'; ok="$hash run"
fi
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    step python3 -m venv .venv
fi
if [ "$have" = "$ok" ] || { [ "$mode" = run ] && [ "$have" = "$hash test" ]; }; then
    say ".venv: matcoach is installed and up to date"
else
    say "installing matcoach into .venv ($([ "$mode" = test ] && echo 'with the test extra' || echo 'what running needs'))"
    step .venv/bin/python -m pip install -q --upgrade pip
    step .venv/bin/python -m pip install -q -e "$target"
    if [ "$dry" = no ]; then echo "$ok" > "$stamp"; fi
fi

if [ "$mode" = run ]; then
    [ $# -gt 0 ] || set -- start
    if [ "$dry" = yes ]; then say "would run: .venv/bin/matcoach $*"; exit 0; fi
    exec .venv/bin/matcoach "$@"
fi
if [ "$dry" = yes ]; then say "would run: .venv/bin/python -m pytest $*"; exit 0; fi
exec .venv/bin/python -m pytest "$@"
