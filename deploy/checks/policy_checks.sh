#!/usr/bin/env bash
# deploy_policy_checks: render every kustomization, then apply policy.js (non-root, read-only
# root, limits, probes, no "latest", no credentials in ConfigMaps, Concerto's own invariants:
# ports, drain time, HPA <= shards, topics = topics.txt). Same pinned npm deps as the validator.
# shellcheck source=deploy/checks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_kubectl
ensure_npm_deps
TMP="$(scratch_dir policy)"
trap 'rm -rf "$TMP"' EXIT
render_all "$TMP"
node "$CHECKS_DIR/policy.js" "$TMP" "$REPO/deploy/local/stack/topics.txt"
