#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100 workbench and extension host that runs on Node 20) into
# .vscode-test/code-server for the e2e tests and `npm run dev:web`. Not a devDependency: it is ~300 MB
# and `npm ci` should stay light. Idempotent: does nothing when the right version is already there.
#
# Works with no network but the npm registry: @vscode/ripgrep's postinstall downloads rg from GitHub,
# so its download cache is filled beforehand with Debian's rg (apt-get install ripgrep). The kerberos
# module builds from source (apt-get install libkrb5-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.100.3
# The @vscode/ripgrep version VS Code 1.100 pins, and the rg build its postinstall asks for.
RIPGREP_PKG=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
DIR=${QUIPU_CODE_SERVER_DIR:-$PWD/.vscode-test/code-server}
ENTRY=$DIR/node_modules/code-server/out/node/entry.js

installed_version() {
  node -p "require('$DIR/node_modules/code-server/package.json').version" 2>/dev/null || true
}

if [[ -f $ENTRY && $(installed_version) == "$VERSION" ]]; then
  echo "code-server $VERSION already in $DIR"
  exit 0
fi

for tool in rg node npm; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install -y ripgrep nodejs npm)" >&2; exit 1; }
done
if ! [[ -f /usr/include/krb5.h || -f /usr/include/gssapi/gssapi.h ]]; then
  echo "install-code-server: Kerberos headers are missing (apt-get install -y libkrb5-dev)" >&2
  exit 1
fi

started=$(date +%s)
tmp=${TMPDIR:-/tmp}
cache=$tmp/vscode-ripgrep-cache-$RIPGREP_PKG
if [[ ! -s $cache/$RIPGREP_ASSET ]]; then
  mkdir -p "$cache"
  staging=$(mktemp -d)
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$cache/$RIPGREP_ASSET" -C "$staging" rg
  rm -rf "$staging"
fi

mkdir -p "$DIR"
# A package.json of its own, so npm installs here and never touches the project's.
[[ -f $DIR/package.json ]] || echo '{ "name": "quipu-code-server", "private": true }' >"$DIR/package.json"
echo "installing code-server $VERSION into $DIR (one or two minutes, 300 MB)"
(
  cd "$DIR"
  # unsafe_perm: code-server's postinstall installs VS Code's own modules and must run as root too.
  # Nothing in code-server needs onnxruntime-node, so its CUDA download (ONNXRUNTIME_NODE_INSTALL) is no concern here.
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-save --no-audit --no-fund --no-package-lock --omit=dev "code-server@$VERSION"
)

# Belt and braces: if the postinstall left VS Code without rg, search in the workbench breaks.
for rg_bin in "$DIR"/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg; do
  if [[ ! -x $rg_bin ]]; then
    mkdir -p "$(dirname "$rg_bin")"
    cp "$(command -v rg)" "$rg_bin"
  fi
done

if [[ ! -f $ENTRY || $(installed_version) != "$VERSION" ]]; then
  echo "install-code-server: code-server $VERSION did not install into $DIR" >&2
  exit 1
fi
echo "code-server $VERSION installed in $DIR in $(($(date +%s) - started)) s"
