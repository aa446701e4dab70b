#!/usr/bin/env bash
# Prepares a Docker engine for kingress's Docker tests (test/backends/docker). Idempotent:
#   1. installs docker.io and busybox-static with apt-get when missing,
#   2. starts dockerd (vfs storage, --iptables=false) when nothing answers on the socket,
#   3. waits for it (bounded),
#   4. builds the kingress-test-web:latest image from the static busybox (no registry needed).
# Needs root (or sudo) on a Debian/Ubuntu runner. Safe to run again: each step checks first.
#
#   .ci/docker-setup.sh            # everything
#   DOCKERD_WAIT_SECONDS=60 .ci/docker-setup.sh
set -euo pipefail

IMAGE="${KINGRESS_TEST_IMAGE:-kingress-test-web:latest}"
SOCKET="${KINGRESS_DOCKER_SOCKET:-/var/run/docker.sock}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-30}"
LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"

log() { printf 'docker-setup: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else log "needs root or sudo"; exit 1; fi
fi

docker_cli() {
  if docker -H "unix://$SOCKET" version >/dev/null 2>&1; then
    docker -H "unix://$SOCKET" "$@"
  else
    $SUDO docker -H "unix://$SOCKET" "$@"
  fi
}

engine_answers() {
  docker -H "unix://$SOCKET" version >/dev/null 2>&1 || $SUDO docker -H "unix://$SOCKET" version >/dev/null 2>&1
}

static_busybox() {
  # A dynamically linked busybox needs an ELF interpreter and libc: it cannot run in the image.
  for path in /bin/busybox /usr/bin/busybox; do
    [ -x "$path" ] || continue
    if command -v file >/dev/null 2>&1; then
      if file -L "$path" | grep -qE 'statically linked|static-pie linked'; then echo "$path"; return 0; fi
    elif ! grep -qaE '/ld-linux|/ld-musl' "$path"; then
      echo "$path"; return 0
    fi
  done
  return 1
}

# 1. Packages.
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
static_busybox >/dev/null || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  # shellcheck disable=SC2207
  packages=($(printf '%s\n' "${missing[@]}" | sort -u))
  log "installing ${packages[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# 2. The engine.
if engine_answers; then
  log "engine already answers on $SOCKET"
else
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd is running but does not answer yet; waiting"
  else
    log "starting dockerd (vfs, --iptables=false), log in $LOG"
    # setsid + nohup: the engine outlives this script and the CI step's shell.
    $SUDO sh -c "setsid nohup dockerd --host=unix://$SOCKET --storage-driver=vfs --iptables=false >>'$LOG' 2>&1 < /dev/null &"
  fi
  # 3. Wait, bounded.
  deadline=$(( $(date +%s) + WAIT_SECONDS ))
  until engine_answers; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "dockerd did not answer within ${WAIT_SECONDS}s; last lines of $LOG:"
      $SUDO tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  log "engine is up"
fi
# Let the CI user talk to the socket without sudo (tests run as that user).
if [ -n "$SUDO" ] && ! docker -H "unix://$SOCKET" version >/dev/null 2>&1; then
  $SUDO chmod 666 "$SOCKET"
fi

# 4. The test image.
if docker_cli image inspect "$IMAGE" >/dev/null 2>&1; then
  log "image $IMAGE already present"
else
  busybox="$(static_busybox)" || { log "no static busybox found (apt-get install busybox-static)"; exit 1; }
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/www" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  echo 'kingress test' > "$root/www/index.html"
  tar -C "$root" -c . | docker_cli import \
    -c 'CMD ["/bin/busybox","sh","-c","echo $HOSTNAME > /www/index.html; exec /bin/busybox httpd -f -p 80 -h /www"]' \
    -c 'EXPOSE 80' \
    - "$IMAGE" >/dev/null
  log "built $IMAGE from $busybox"
fi

docker_cli version --format 'docker-setup: engine {{.Server.Version}} ready on '"$SOCKET" >&2
