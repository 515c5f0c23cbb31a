# shellcheck shell=bash
# Shared helpers of the deploy checks (sourced, not run). Bash only; no python.
#
# Environment:
#   CONCERTO_DEPLOY_CHECKS_WORK    scratch and npm install dir (default <repo>/build/deploy-checks;
#                                  CTest passes <build>/deploy-checks). Never inside the sources.
#   CONCERTO_DEPLOY_CHECKS_STRICT  1 = a missing tool is a failure, not a skip (for CI jobs that
#                                  must prove the checks ran).
set -euo pipefail

CHECKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$CHECKS_DIR/../.." && pwd)"
K8S="$REPO/deploy/k8s"
WORK="${CONCERTO_DEPLOY_CHECKS_WORK:-$REPO/build/deploy-checks}"
SKIP_CODE=77  # CTest SKIP_RETURN_CODE (tests/deploy/CMakeLists.txt)

# Every kustomization the project ships; each must render on its own.
KUSTOMIZATIONS=(base overlays/dev overlays/prod kafka redis)

log() { printf '[deploy-check] %s\n' "$*" >&2; }
fail() { printf '[deploy-check] FAIL: %s\n' "$*" >&2; exit 1; }

skip() {
  printf '[deploy-check] SKIPPED: %s\n' "$*" >&2
  if [[ "${CONCERTO_DEPLOY_CHECKS_STRICT:-0}" == 1 ]]; then
    fail "CONCERTO_DEPLOY_CHECKS_STRICT=1: a skipped check counts as a failure"
  fi
  exit "$SKIP_CODE"
}

mkdir -p "$WORK"

# Serialise installs between checks that CTest runs in parallel (-j2): one apt or npm at a time.
lock_installs() { exec 8>"$WORK/.install.lock"; flock -w 600 8 || fail "timed out waiting for $WORK/.install.lock"; }
unlock_installs() { flock -u 8; exec 8>&-; }

# apt_install PKG...: install Debian packages when running as root with apt (CI, fresh Debian 12).
apt_install() {
  [[ $(id -u) -eq 0 ]] || { log "not root: cannot apt-get install $*"; return 1; }
  command -v apt-get >/dev/null || { log "no apt-get: cannot install $*"; return 1; }
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 &&
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >&2
}

# ensure_kubectl: kubectl with its built-in kustomize. Debian 12's kubernetes-client (kubectl
# 1.20, kustomize v2.0.3) is enough: the kustomizations are written for it.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  lock_installs
  if ! command -v kubectl >/dev/null; then
    log "kubectl not found; trying Debian's kubernetes-client"
    apt_install kubernetes-client ||
      { unlock_installs; skip "kubectl is not installed and Debian's kubernetes-client could not be installed (needs root, apt and the Debian archive)"; }
  fi
  unlock_installs
  command -v kubectl >/dev/null || skip "kubernetes-client installed but kubectl is not on PATH"
}

# ensure_node: node and npm. Installs Debian's nodejs and npm only when a command is missing
# (a machine with another nodejs build that bundles npm keeps it).
ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return 0; fi
  lock_installs
  local want=()
  command -v node >/dev/null || want+=(nodejs)
  command -v npm >/dev/null || want+=(npm)
  if ((${#want[@]})); then
    apt_install "${want[@]}" ||
      { unlock_installs; skip "node/npm missing and Debian's ${want[*]} could not be installed (needs root, apt and the Debian archive)"; }
  fi
  unlock_installs
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip "node or npm still missing after installing ${want[*]}"
  fi
}

# ensure_npm_deps: the pinned validator (package.json + package-lock.json of this folder),
# installed with `npm ci` into $WORK/node, reused while the lock file is unchanged. Sets DEPS.
ensure_npm_deps() {
  ensure_node
  DEPS="$WORK/node"
  local want
  want="$(cat "$CHECKS_DIR/package.json" "$CHECKS_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
  lock_installs
  if [[ ! -f "$DEPS/.installed" || "$(cat "$DEPS/.installed")" != "$want" ]]; then
    log "npm ci of the pinned check dependencies into $DEPS"
    rm -rf "$DEPS"
    mkdir -p "$DEPS"
    cp "$CHECKS_DIR/package.json" "$CHECKS_DIR/package-lock.json" "$DEPS/"
    if ! (cd "$DEPS" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2); then
      rm -rf "$DEPS"
      unlock_installs
      skip "npm ci failed: the npm registry is needed once to install the pinned validator (deploy/checks/package-lock.json)"
    fi
    echo "$want" >"$DEPS/.installed"
  fi
  unlock_installs
  export DEPS
}

# render_all DIR: kubectl kustomize every kustomization into DIR/<name>.yaml
# (name: base, overlays-dev, overlays-prod, kafka, redis). Kustomize's deprecation warnings
# for "bases"/"patchesStrategicMerge" (kept for kubectl 1.20) are filtered; errors fail.
render_all() {
  local out="$1" k name
  mkdir -p "$out"
  for k in "${KUSTOMIZATIONS[@]}"; do
    name="${k//\//-}"
    if ! kubectl kustomize "$K8S/$k" >"$out/$name.yaml" 2>"$out/$name.err"; then
      cat "$out/$name.err" >&2
      fail "kubectl kustomize deploy/k8s/$k failed"
    fi
    grep -v '^# Warning: .* is deprecated' "$out/$name.err" >&2 || true
  done
}

# A fresh scratch directory for one check run (checks may run in parallel).
scratch_dir() { mktemp -d "$WORK/run.$1.XXXXXX"; }
