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

tock_install_packages() {
  local missing=()
  for pkg in "${TOCK_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "tock: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
