#!/usr/bin/env bash
# deploy_kustomize_renders_overlays: `kubectl kustomize` renders every kustomization of
# deploy/k8s (base, overlays/dev, overlays/prod, kafka, redis) and each overlay holds what a
# deployment needs: per service a Deployment, Service, PodDisruptionBudget and
# HorizontalPodAutoscaler; the topics of deploy/local/stack/topics.txt as KafkaTopics.
# shellcheck source=deploy/checks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_kubectl
log "$(kubectl version --client 2>/dev/null | head -1)"
TMP="$(scratch_dir render)"
trap 'rm -rf "$TMP"' EXIT
render_all "$TMP"

SERVICES=(invoice dunning contact-channel payment legal-escalation)
errors=0
problem() { printf '[deploy-check] %s\n' "$*" >&2; errors=$((errors + 1)); }

# count FILE KIND [NAME]: objects of a kind (and name) in a render; kustomize writes top-level
# keys at column 0 in sorted order, so "kind:" follows "data"/"apiVersion" and precedes
# "metadata", whose "  name:" is the first indented name line after it.
count() {
  awk -v kind="$2" -v name="${3:-}" '
    /^---/ { k = ""; inmeta = 0; next }
    /^kind: / { k = $2 }
    /^metadata:/ { inmeta = 1; next }
    /^[a-z]/ { inmeta = 0 }
    inmeta && /^  name: / { if (k == kind && (name == "" || $2 == name)) n++; inmeta = 0 }
    END { print n + 0 }' "$1"
}

for k in "${KUSTOMIZATIONS[@]}"; do
  f="$TMP/${k//\//-}.yaml"
  n="$(grep -c '^kind: ' "$f" || true)"
  ((n > 0)) || problem "deploy/k8s/$k rendered no objects"
  log "deploy/k8s/$k: $n objects"
done

for o in overlays-dev overlays-prod; do
  for s in "${SERVICES[@]}"; do
    for kind in Deployment Service PodDisruptionBudget HorizontalPodAutoscaler; do
      c="$(count "$TMP/$o.yaml" "$kind" "$s")"
      [[ "$c" == 1 ]] || problem "$o: expected 1 $kind/$s, found $c"
    done
  done
  for kind in ConfigMap NetworkPolicy Namespace; do
    c="$(count "$TMP/$o.yaml" "$kind")"
    ((c >= 1)) || problem "$o: no $kind"
  done
done
c="$(count "$TMP/overlays-dev.yaml" StatefulSet redis)"
[[ "$c" == 1 ]] || problem "overlays-dev: expected the redis StatefulSet, found $c"

want_topics="$(grep -cvE '^[[:space:]]*(#|$)' "$REPO/deploy/local/stack/topics.txt")"
c="$(count "$TMP/kafka.yaml" KafkaTopic)"
[[ "$c" == "$want_topics" ]] || problem "kafka: $c KafkaTopics, topics.txt lists $want_topics"

((errors == 0)) || fail "$errors problem(s) in the rendered manifests"
log "OK: ${#KUSTOMIZATIONS[@]} kustomizations render; overlays complete; $c topics"
