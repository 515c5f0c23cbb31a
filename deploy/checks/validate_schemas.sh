#!/usr/bin/env bash
# deploy_manifests_validate_against_schemas: render every kustomization, then validate every
# object offline (validate.js: Kubernetes 1.33 schemas from the pinned kubernetes-models,
# Strimzi KafkaTopic from schemas/). The pinned npm packages are installed into the build tree.
# shellcheck source=deploy/checks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_kubectl
ensure_npm_deps
TMP="$(scratch_dir validate)"
trap 'rm -rf "$TMP"' EXIT
render_all "$TMP"
log "node $(node --version), validator kubernetes-models@$(node -p "require('$DEPS/node_modules/kubernetes-models/package.json').version")"
node "$CHECKS_DIR/validate.js" "$TMP"/*.yaml
