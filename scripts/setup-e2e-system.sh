#!/usr/bin/env bash
# System packages the real-editor tests need: Chromium (Playwright drives it), ripgrep and the
# Kerberos headers (code-server's install builds against them and takes Debian's rg), unzip.
# Installs only what is missing (Debian/Ubuntu, as root or with sudo); elsewhere it says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null || [[ -n "${QUIPU_CHROMIUM:-}" ]] || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
command -v unzip >/dev/null || missing+=(unzip)
[[ -f /usr/include/krb5.h ]] || missing+=(libkrb5-dev)
((${#missing[@]} == 0)) && exit 0
if ! command -v apt-get >/dev/null; then
  echo "The real-editor tests need: ${missing[*]} (install them with your package manager)." >&2
  exit 1
fi
echo "== apt-get install ${missing[*]}"
sudo=$([[ $(id -u) -eq 0 ]] || echo sudo)
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
