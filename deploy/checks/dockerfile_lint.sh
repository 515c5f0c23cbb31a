#!/usr/bin/env bash
# deploy_dockerfile_lint: hadolint is not in Debian 12, so this checks the rules that matter
# for Concerto's images, in bash:
#   - every FROM names a pinned image (tag or digest, never "latest" or bare), or an earlier stage;
#     ARG defaults declared before the first FROM are resolved;
#   - the builder stage is Debian 12 (bookworm), the runtime stage its -slim variant;
#   - the image the Deployments run (every stage after "runtime") has a non-root numeric USER;
#   - apt-get: update and install in the same RUN, -y, --no-install-recommends, lists removed;
#   - a RUN with a pipe sets SHELL with pipefail first; no ADD of URLs (use COPY); no sudo;
#   - the builder installs deploy/packages.txt by reading it (COPY + grep/xargs), and none of
#     its names is repeated in the Dockerfile (one list, the project's);
#   - the runtime installs only runtime libraries of -dev packages in deploy/packages.txt;
#   - every binary of services/*/CMakeLists.txt and deploy/ctl is built into the image;
#   - Dockerfile.dockerignore keeps build trees and .git out of the context.
# A built-in self-test first runs the rules on a known-bad Dockerfile and expects failures.
#
#   dockerfile_lint.sh [DOCKERFILE]   (default: deploy/docker/Dockerfile)
# shellcheck source=deploy/checks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES_TXT="$REPO/deploy/packages.txt"

# Runtime library -> the -dev package of deploy/packages.txt it belongs to (Debian 12).
declare -A RUNTIME_OF=(
  [libgrpc++1.51]=libgrpc++-dev
  [libprotobuf32]=libprotobuf-dev
  [librdkafka1]=librdkafka-dev
  [libhiredis0.14]=libhiredis-dev
  [libyaml-cpp0.7]=libyaml-cpp-dev
  [libabsl20220623]=libabsl-dev
  [libsodium23]=libsodium-dev
  [libpugixml1v5]=libpugixml-dev
  [libcurl4]=libcurl4-openssl-dev
  [libqrencode4]=libqrencode-dev
  [libcairo2]=libcairo2-dev
  # Data packages needed as they are (letters are typeset with these fonts).
  [fonts-dejavu-core]=fonts-dejavu-core
)

# "dev-package dependency" pairs from apt-cache (one call), when apt-cache knows the packages:
# confirms the runtime names against the Debian archive. Empty where apt has no lists.
APT_DEPENDS=""
if command -v apt-cache >/dev/null; then
  APT_DEPENDS="$(apt-cache depends "${RUNTIME_OF[@]}" 2>/dev/null |
    awk '/^[^ ]/ { pkg = $1; print pkg " " } $1 == "Depends:" { print pkg " " $2 }')" || APT_DEPENDS=""
fi

# lint FILE: prints one line per problem, returns the number of problems (capped at 255).
lint() {
  local file="$1" n=0
  local -a instr=()
  local line buf=""
  # Logical instructions: drop comments and blank lines, join continuation lines.
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$buf" && "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ -n "$buf" && "$line" =~ ^[[:space:]]*# ]] && continue
    if [[ "$line" =~ \\[[:space:]]*$ ]]; then
      buf+="${line%\\*} "
      continue
    fi
    instr+=("$buf$line")
    buf=""
  done <"$file"
  [[ -n "$buf" ]] && instr+=("$buf")

  problem() { printf '  %s: %s\n' "$(basename "$file")" "$*"; n=$((n + 1)); }

  local -A args=() stages=()
  local i kw rest image stage="" seen_from=0 stage_idx=0
  local builder_reads_packages=0 builder_copies_packages=0 shell_pipefail=0
  local -a stage_order=()
  local -A stage_user=() stage_base=()
  for i in "${!instr[@]}"; do
    kw="$(awk '{print toupper($1)}' <<<"${instr[$i]}")"
    rest="$(sed -E 's/^[[:space:]]*[A-Za-z]+[[:space:]]*//' <<<"${instr[$i]}")"
    case "$kw" in
      ARG)
        if ((seen_from == 0)) && [[ "$rest" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
          args["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]//\"/}"
        fi
        ;;
      FROM)
        seen_from=1
        stage_idx=$((stage_idx + 1))
        shell_pipefail=0
        read -r -a parts <<<"$(sed -E 's/--platform=[^ ]+ //' <<<"$rest")"
        image="${parts[0]}"
        stage="stage$stage_idx"
        [[ "${#parts[@]}" -ge 3 && "${parts[1],,}" == as ]] && stage="${parts[2]}"
        stage_order+=("$stage")
        # Resolve ${ARG} / $ARG from the global ARG defaults.
        local a
        for a in "${!args[@]}"; do
          image="${image//\$\{$a\}/${args[$a]}}"
          image="${image//\$$a/${args[$a]}}"
        done
        stage_base["$stage"]="$image"
        if [[ -n "${stages[$image]:-}" ]]; then
          : # an earlier stage
        elif [[ "$image" == *'$'* ]]; then
          problem "FROM $image: unresolved variable (declare ARG with a default before the first FROM)"
        elif [[ "$image" == *@sha256:* ]]; then
          :
        else
          local last="${image##*/}"
          if [[ "$last" != *:* ]]; then
            problem "FROM $image: no tag (implicitly latest); pin a tag or digest"
          elif [[ "${last##*:}" == latest ]]; then
            problem "FROM $image: 'latest' is not pinned"
          fi
        fi
        stages["$stage"]=1
        ;;
      USER)
        stage_user["$stage"]="$rest"
        ;;
      SHELL)
        [[ "$rest" == *pipefail* ]] && shell_pipefail=1
        ;;
      ADD)
        if [[ "$rest" =~ (https?|ftp)://|git@ ]]; then
          problem "ADD of a URL ($rest): download in a RUN with checksum verification, or COPY"
        else
          problem "ADD used for local files: use COPY"
        fi
        ;;
      COPY)
        [[ "$stage" == builder && "$rest" == *deploy/packages.txt* ]] && builder_copies_packages=1
        ;;
      RUN)
        local run="$rest"
        if [[ "$run" == *sudo\ * ]]; then problem "RUN uses sudo"; fi
        local pipe_re='[^|]\|[^|]'
        if [[ "$run" =~ $pipe_re ]] && ((shell_pipefail == 0)); then
          problem "RUN with a pipe in stage $stage without SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"
        fi
        if [[ "$run" == *"apt-get update"* && "$run" != *"apt-get install"* ]]; then
          problem "RUN apt-get update without install in the same RUN (stale cache layer)"
        fi
        if [[ "$run" == *"apt-get install"* ]]; then
          [[ "$run" == *"apt-get update"* ]] || problem "apt-get install without apt-get update in the same RUN"
          [[ "$run" == *--no-install-recommends* ]] || problem "apt-get install without --no-install-recommends"
          local yes_re='install[^&]*[[:space:]](-y|--yes|-qy|-yq)([[:space:]]|$)'
          [[ "$run" =~ $yes_re ]] || problem "apt-get install without -y"
          [[ "$run" == *"rm -rf /var/lib/apt/lists"* ]] || problem "apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN"
          [[ "$run" =~ apt-get[[:space:]]+(dist-)?upgrade ]] && problem "apt-get upgrade in an image build (bump the base image instead)"
          if [[ "$stage" == builder ]]; then
            [[ "$run" =~ (/tmp/)?packages\.txt ]] && builder_reads_packages=1
            local p
            while read -r p; do
              [[ "$run" =~ (^|[[:space:]])"$p"([[:space:]]|$) ]] &&
                problem "builder names package $p itself: it must come from deploy/packages.txt only"
            done < <(grep -vE '^[[:space:]]*(#|$)' "$PACKAGES_TXT")
          fi
          if [[ "$stage" == runtime ]]; then
            local pkgs w
            pkgs="$(sed -E 's/.*apt-get install//; s/&&.*//' <<<"$run")"
            for w in $pkgs; do
              [[ "$w" == -* ]] && continue
              if [[ -z "${RUNTIME_OF[$w]:-}" ]]; then
                problem "runtime installs $w, which is not a runtime library of deploy/packages.txt"
              elif ! grep -qxF "${RUNTIME_OF[$w]}" "$PACKAGES_TXT"; then
                problem "runtime installs $w, but ${RUNTIME_OF[$w]} is not in deploy/packages.txt"
              elif [[ "${RUNTIME_OF[$w]}" != "$w" && -n "$APT_DEPENDS" ]] &&
                   grep -q "^${RUNTIME_OF[$w]} " <<<"$APT_DEPENDS" &&
                   ! grep -qxF "${RUNTIME_OF[$w]} $w" <<<"$APT_DEPENDS"; then
                problem "apt-cache: ${RUNTIME_OF[$w]} does not depend on $w (wrong runtime package name?)"
              fi
            done
          fi
        fi
        ;;
      WORKDIR)
        [[ "$rest" == /* ]] || problem "WORKDIR $rest is not absolute"
        ;;
    esac
  done

  # Stage layout.
  [[ -n "${stages[builder]:-}" ]] || problem "no stage named builder"
  [[ -n "${stages[runtime]:-}" ]] || problem "no stage named runtime"
  if [[ -n "${stages[builder]:-}" ]]; then
    [[ "${stage_base[builder]}" =~ ^(docker\.io/(library/)?)?debian:(12(\.[0-9]+)?|bookworm)([-@].*)?$ ]] ||
      problem "builder is ${stage_base[builder]}: must be Debian 12 (debian:12.x or bookworm)"
    ((builder_copies_packages)) || problem "builder does not COPY deploy/packages.txt"
    ((builder_reads_packages)) || problem "builder's apt-get install does not read packages.txt"
  fi
  if [[ -n "${stages[runtime]:-}" ]]; then
    [[ "${stage_base[runtime]}" =~ ^(docker\.io/(library/)?)?debian:(12(\.[0-9]+)?|bookworm)(-[0-9]+)?-slim(@.*)?$ ]] ||
      problem "runtime is ${stage_base[runtime]}: must be debian bookworm-slim / 12.x-slim"
    local builder_release="${stage_base[builder]#*:}" runtime_release="${stage_base[runtime]#*:}"
    [[ "${runtime_release%%-slim*}" == "${builder_release%%@*}" ]] ||
      problem "builder ($builder_release) and runtime (${runtime_release}) are not the same Debian release"
  fi
  # Every shipped binary (services/*, deploy/ctl) is built and stripped into the image.
  local bin
  while read -r bin; do
    grep -qE "(^|[[:space:]])$bin([[:space:];]|$)" "$file" ||
      problem "binary $bin (concerto_binary in services/ or deploy/ctl) is not built into the image"
  done < <(sed -nE 's/^[[:space:]]*concerto_binary\(([A-Za-z0-9_-]+).*/\1/p' \
             "$REPO"/services/*/CMakeLists.txt "$REPO/deploy/ctl/CMakeLists.txt" 2>/dev/null | sort -u)
  # Users: runtime and every stage built on it must end non-root (numeric, so runAsNonRoot
  # can verify it).
  local s u inherited=""
  for s in "${stage_order[@]}"; do
    u="${stage_user[$s]:-}"
    if [[ "$s" == runtime ]]; then
      inherited="$u"
      [[ -n "$u" ]] || problem "runtime stage has no USER (runs as root)"
    elif [[ -n "$inherited" && -n "${stages[${stage_base[$s]}]:-}" ]]; then
      [[ -n "$u" ]] || u="$inherited"
    else
      continue
    fi
    local uid="${u%%:*}"
    if [[ "$uid" == root || "$uid" == 0 ]]; then
      problem "stage $s runs as root (USER $u)"
    elif [[ ! "$uid" =~ ^[0-9]+$ ]]; then
      problem "stage $s: USER $u is not numeric (Kubernetes runAsNonRoot cannot verify a name)"
    fi
  done
  return $((n > 255 ? 255 : n))
}

self_test() {
  local bad out
  bad="$(mktemp "$WORK/bad.Dockerfile.XXXXXX")"
  cat >"$bad" <<'EOF'
FROM debian AS builder
RUN apt-get update
RUN apt-get install -y libgrpc++-dev cmake
FROM debian:latest AS runtime
ADD https://example.com/x.tar.gz /x
RUN apt-get update && apt-get install -y curl | tee /log
USER root
EOF
  out="$(lint "$bad")" && { rm -f "$bad"; fail "self-test: a bad Dockerfile passed the lint"; }
  rm -f "$bad"
  local want
  for want in "no tag" "'latest'" "without install" "--no-install-recommends" "lists" \
              "ADD of a URL" "pipefail" "runs as root" "names package" "packages.txt" "not a runtime library"; do
    grep -qF -- "$want" <<<"$out" || fail "self-test: the lint missed \"$want\" in a bad Dockerfile:"$'\n'"$out"
  done
}

main() {
  local files=("$@")
  ((${#files[@]})) || files=("$REPO/deploy/docker/Dockerfile")
  self_test
  local f out rc total=0
  for f in "${files[@]}"; do
    [[ -f "$f" ]] || fail "no Dockerfile at $f"
    rc=0
    out="$(lint "$f")" || rc=$?
    if ((rc)); then
      printf '%s\n' "$out" >&2
      total=$((total + rc))
    else
      log "$(realpath --relative-to="$REPO" "$f"): OK"
    fi
    local ignore="${f}.dockerignore"
    if [[ ! -f "$ignore" ]]; then
      log "no $(basename "$ignore") next to $(basename "$f")"
      total=$((total + 1))
    else
      local pat
      for pat in build .git; do
        grep -qxE "/?$pat/?" "$ignore" || { log "$(basename "$ignore") does not exclude $pat"; total=$((total + 1)); }
      done
    fi
  done
  ((total == 0)) || fail "$total Dockerfile problem(s)"
  log "OK: ${#files[@]} Dockerfile(s) pass the lint; builder installs deploy/packages.txt"
}

main "$@"
