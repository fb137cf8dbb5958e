# Shared checks for bin/test, bin/demo and docker-images/build. Sourced, not run.
# shellcheck shell=bash

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_java() {
  command -v java >/dev/null || die "no Java found: install a JDK 17 or newer (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jdk-headless)"
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ "${version%%.*}" -ge 17 ] 2>/dev/null || die "Java $version found; mdo needs 17 or newer"
}

# ensure_packages command:debian-package ... installs the Debian packages whose command (or, given as an absolute
# path, whose file) is missing.
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do
    case "${pair%%:*}" in
      /*) [ -e "${pair%%:*}" ] || missing+=("${pair#*:}") ;;
      *) command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing: ${missing[*]}. Install them: apt-get install -y ${missing[*]}"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null || die "missing: ${missing[*]} (no apt-get here: install them with your package manager)"
  say "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get could not install ${missing[*]}"
}

# build_if_needed: package the runnable jars once (tests skipped) when a module's jar is missing, or when a source or
# POM changed since the last build this function made (a stamp in .mdo/).
build_if_needed() {
  local repo=$1 stale=0 module stamp="$1/.mdo/build.stamp"
  for module in guestutils subscriber launcher updater framework devcluster sample; do
    [ -d "$repo/$module" ] || continue
    ls "$repo/$module/target/mdo-$module"-*.jar >/dev/null 2>&1 || stale=1
  done
  if [ $stale -eq 0 ] && [ -f "$stamp" ] && [ -z "$(find "$repo" \( -name '*.java' -o -name pom.xml \) -newer "$stamp" \
      -not -path '*/target/*' 2>/dev/null | head -1)" ]; then
    return 0
  fi
  say "building mdo (./mvnw -B -q -DskipTests package)"
  mkdir -p "$repo/.mdo"
  touch "$stamp.new"
  (cd "$repo" && ./mvnw -B -q -ntp -DskipTests package)
  mv -f "$stamp.new" "$stamp"
}

# container_engine: prints the container engine that answers, docker first (as the dev cluster tries them), else podman.
container_engine() {
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then echo docker; return 0; fi
  if command -v podman >/dev/null && podman info >/dev/null 2>&1; then echo podman; return 0; fi
  return 1
}
