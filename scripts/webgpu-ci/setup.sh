#!/usr/bin/env bash
# Real WebGPU for the tests on a machine without a GPU (CI, containers), Debian 12 or Ubuntu:
#
#   npm ci && eval "$(bash scripts/webgpu-ci/setup.sh)"     # root (or sudo) when it installs
#
# It provides, then checks (it fails rather than leave a test to skip WebGPU):
#   - Mesa's lavapipe, a Vulkan driver that runs on the CPU. Dawn in Node (npm `webgpu`: engine
#     tests, CLI) reaches it through the system's Vulkan loader; its adapter has shader-f16.
#     Dawn rejects Debian 12's own Mesa 22 lavapipe, so there Mesa comes from bookworm-backports.
#   - CHROMIUM_PATH: a Chromium whose WebGPU runs on lavapipe. It is Debian's chromium package, or
#     on Ubuntu (which ships Chromium only as a snap) Playwright's Chromium, started through a
#     wrapper that preloads dlopen-redirect.so (the two C files here say why and how).
#   - CHROMIUM_NO_F16_PATH: the same browser without the wrapper, on its own SwiftShader adapter,
#     which has no shader-f16 (Playwright project chromium-no-shader-f16).
# Idempotent: when everything is in place it installs and builds nothing and only checks.
# stdout carries only the `export` lines; progress and errors go to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dest="${WEBGPU_CI_DIR:-/opt/tricks-playground-webgpu}"
log="${TMPDIR:-/tmp}/webgpu-ci-setup.log"
: >"$log"

say() { echo "webgpu-ci: $*" >&2; }
fail() {
  echo "webgpu-ci: FAILED: $*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "'$*' needs root; run this script as root or install sudo"
  fi
}

# Runs a command with its output in $log; on failure shows the end of the log and stops.
logged() {
  if ! "$@" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "'$*' failed (full log: $log)"
  fi
}

# --- Where are we? -------------------------------------------------------------------------------
[ -r /etc/os-release ] || fail "no /etc/os-release: this script knows Debian 12 and Ubuntu only"
# shellcheck disable=SC1091
. /etc/os-release
distro="${ID:-unknown}"
case "$distro" in
  debian | ubuntu) ;;
  *) fail "unsupported system '${PRETTY_NAME:-$distro}': this script knows Debian 12 and Ubuntu (apt)" ;;
esac
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found"
# The final check runs Dawn and Chromium through the project's own npm packages.
for package in webgpu @playwright/test tsx; do
  [ -e "$repo/node_modules/$package/package.json" ] || fail "node_modules/$package missing: run 'npm ci' in $repo first"
done

# --- Debian packages -----------------------------------------------------------------------------
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    logged as_root apt-get update
    apt_updated=1
  fi
  say "apt-get install $*"
  logged as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}
installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

missing=()
# gcc and the Vulkan headers build the two shims; libvulkan1 is the loader that Dawn opens.
for package in gcc libc6-dev libvulkan1 libvulkan-dev; do
  [ -n "$(installed_version "$package")" ] || missing+=("$package")
done
if [ "$distro" = debian ] && [ -z "$(installed_version chromium)" ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# Mesa 25 is what these tests are known to pass on (bookworm-backports); Dawn rejects Mesa 22.
mesa="$(installed_version mesa-vulkan-drivers)"
if [ -z "$mesa" ] || ! dpkg --compare-versions "$mesa" ge 25; then
  if [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding bookworm-backports to apt's sources"
      as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
      apt_updated=0
    fi
    apt_install -t bookworm-backports mesa-vulkan-drivers
  elif [ -z "$mesa" ]; then
    # Elsewhere the release's own Mesa; the adapter check below decides whether it is enough.
    apt_install mesa-vulkan-drivers
  fi
  mesa="$(installed_version mesa-vulkan-drivers)"
fi

# --- Chromium ------------------------------------------------------------------------------------
if [ "$distro" = debian ]; then
  browser=/usr/lib/chromium/chromium # the binary: /usr/bin/chromium is a shell script around it
  plain_browser=/usr/bin/chromium
else
  say "installing Playwright's Chromium and the libraries it needs"
  (cd "$repo" && logged npx playwright install --with-deps chromium)
  browser="$(cd "$repo" && node -e "import('@playwright/test').then(({ chromium }) => console.log(chromium.executablePath()))")"
  plain_browser="$browser"
fi
[ -x "$browser" ] || fail "no Chromium at $browser"

# --- The two shims -------------------------------------------------------------------------------
multiarch="$(gcc -print-multiarch)"
system_loader="/usr/lib/$multiarch/libvulkan.so.1"
[ -e "$system_loader" ] || fail "no Vulkan loader at $system_loader (package libvulkan1)"
redirect="$dest/dlopen-redirect.so"
shim="$dest/vk-lavapipe-as-swiftshader.so"
# Rebuilt when the sources, the paths compiled into them or the compiler change.
stamp="$(cat "$here/dlopen-redirect.c" "$here/vk-lavapipe-as-swiftshader.c" <(echo "$dest $system_loader") <(gcc --version) | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$dest/build-stamp" 2>/dev/null || true)" != "$stamp" ] || [ ! -e "$redirect" ] || [ ! -e "$shim" ]; then
  say "building the shims into $dest"
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden)
  logged gcc "${flags[@]}" "-DLAVAPIPE_AS_SWIFTSHADER=\"$shim\"" \
    -o "$build/dlopen-redirect.so" "$here/dlopen-redirect.c" -ldl
  logged gcc "${flags[@]}" "-DSYSTEM_VULKAN_LOADER=\"$system_loader\"" \
    -o "$build/vk-lavapipe-as-swiftshader.so" "$here/vk-lavapipe-as-swiftshader.c" -ldl -pthread
  echo "$stamp" >"$build/build-stamp"
  as_root mkdir -p "$dest"
  as_root install -m 0644 "$build/dlopen-redirect.so" "$build/vk-lavapipe-as-swiftshader.so" "$build/build-stamp" "$dest/"
fi

wrapper="$dest/chromium"
wrapper_text="#!/bin/sh
# Chromium with WebGPU on Mesa lavapipe; written by $repo/scripts/webgpu-ci/setup.sh.
export LD_PRELOAD=\"$redirect\${LD_PRELOAD:+:\$LD_PRELOAD}\"
exec \"$browser\" \"\$@\""
if [ "$(cat "$wrapper" 2>/dev/null || true)" != "$wrapper_text" ]; then
  printf '%s\n' "$wrapper_text" | as_root tee "$wrapper" >/dev/null
  as_root chmod 0755 "$wrapper"
fi

# --- Check what the tests will get ---------------------------------------------------------------
say "Mesa $mesa, $("$browser" --version 2>/dev/null || echo "Chromium at $browser")"
if ! (cd "$repo" && CHROMIUM_PATH="$wrapper" CHROMIUM_NO_F16_PATH="$plain_browser" npx tsx scripts/webgpu-ci/check-adapters.ts); then
  fail "the WebGPU adapters above are missing or wrong (Mesa $mesa; Dawn needs a newer lavapipe than Mesa 22; set WEBGPU_CI_DEBUG=1 to trace the Chromium shim)"
fi

echo "export CHROMIUM_PATH=$wrapper"
echo "export CHROMIUM_NO_F16_PATH=$plain_browser"
echo "export WEBGPU_CI=1"
