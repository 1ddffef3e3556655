# Shared by ops/ scripts: find Swift, and install the Debian packages Tock needs when they are missing.
# shellcheck shell=bash

TOCK_APT_PACKAGES=(libnats-dev libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev nats-server pkg-config)

tock_find_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$dir/swift" ] && export PATH="$PATH:$dir" && break
    done
  fi
  command -v swift >/dev/null 2>&1 || {
    echo "tock: Swift 6 is required (https://www.swift.org/install/linux/); swift is not on PATH" >&2
    exit 1
  }
  # Debian puts nats-server in /usr/sbin, which a non-root PATH may lack.
  case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
}

# What CI needs besides: promtool (Debian ships it in prometheus) and python3, for ops/check-observability;
# python3-venv, for the virtualenv ops/check-openapi installs schemathesis in. Not installed by ops/dev or ops/test,
# which do not need them.
TOCK_CI_APT_PACKAGES=(prometheus python3 python3-venv chromium chromium-driver)

tock_install_packages() {
  tock_apt_install "${TOCK_APT_PACKAGES[@]}"
}

tock_install_ci_packages() {
  # Without recommends: prometheus would bring prometheus-node-exporter along.
  tock_apt_install --no-install-recommends "${TOCK_CI_APT_PACKAGES[@]}"
}

tock_apt_install() {   # tock_apt_install [--no-install-recommends] PACKAGE... : the ones not installed yet
  local options=() missing=()
  if [ "${1:-}" = --no-install-recommends ]; then options+=("$1"); shift; fi
  for pkg in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == *"install ok installed"* ]] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "tock: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Once per script: the package lists do not change between two installs.
  if [ -z "${TOCK_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    TOCK_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${options[@]}" "${missing[@]}" >/dev/null
}

tock_free_port_base() {   # tock_free_port_base COUNT : the first of COUNT consecutive loopback ports free now
  # Below the kernel's ephemeral range: a port in that range could be taken, before its server starts, as the local
  # end of some outgoing connection.
  python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
for _ in range(1000):
    base = random.randrange(max(1024, low - 12000), max(1025, low - count))
    if all(free(base + i) for i in range(count)):
        print(base)
        break
else:
    raise SystemExit(f"no {count} free loopback ports in a row")
PY
}
