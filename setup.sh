#!/bin/sh
# Set everything up, then run the coach or the tests:
#   ./setup.sh run  [matcoach arguments]    default: a live session (a simulated one, written to a WAV, without audio devices)
#   ./setup.sh test [pytest arguments]
# Installs what is missing: Debian packages (apt-get, with sudo when not root),
# a virtual environment in .venv, and matcoach itself (editable, with the test extra).
set -eu
cd "$(dirname "$0")"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

mode=${1:-}
case "$mode" in
    run|test) shift ;;
    *) die "usage: ./setup.sh run [matcoach arguments] | ./setup.sh test [pytest arguments]" ;;
esac

# Debian packages each mode needs at run time (python3-venv only matters for Debian's own python3).
DEBS_RUN="espeak-ng libespeak-ng1 libportaudio2 libspeexdsp1 libatomic1"  # libatomic1: vosk on arm64
DEBS_TEST="pulseaudio pulseaudio-utils libasound2-plugins sox"  # a real audio server for end-to-end tests

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install sudo, or run this as root)"
    fi
}

apt_updated=no
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*; this script installs with apt-get (Debian, Ubuntu, Raspberry Pi OS): install them with your package manager"
    if [ "$apt_updated" = no ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=yes
    fi
    say "installing Debian packages: $*"
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
    python_ok || die "matcoach needs Python 3.11 or newer with venv; this system's python3 is $(python3 --version 2>&1)"
fi

debs=$DEBS_RUN
[ "$mode" = test ] && debs="$debs $DEBS_TEST"
# shellcheck disable=SC2086
todo=$(missing_debs $debs)
# shellcheck disable=SC2086
[ -z "$todo" ] || apt_install $todo

# The virtual environment, reinstalled only when pyproject.toml changes.
stamp=.venv/.matcoach-installed
want="$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing matcoach into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    echo "$want" > "$stamp"
fi

if [ "$mode" = run ]; then
    [ $# -gt 0 ] || set -- start
    exec .venv/bin/matcoach "$@"
fi
exec .venv/bin/python -m pytest "$@"
