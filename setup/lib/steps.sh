# Idempotent steps for setup/install. Sourced, not run.
# shellcheck shell=bash
#
# Every step compares what is there with what should be and acts only on a difference, so a second run changes
# nothing. Each prints one line: "  ok      PATH" (already right), "  change  PATH" (written), or with --dry-run
# "  would   PATH". With --root DIR every path is under DIR (a mounted disk, a chroot, a test's scratch root): users are
# added to DIR's /etc files, units are enabled by links, nothing is installed with apt or started.
#
# Globals set by setup/install: ROOT ("" or the --root dir), DRY_RUN (0/1). Counted here: CHANGES, and per role
# ROLE_CHANGED (1 when anything of the current role changed, so its service is restarted).

CHANGES=0
ROLE_CHANGED=0

note() { printf '  %-7s %s\n' "$1" "$2"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# changed WHAT: records a change (or, with --dry-run, that one would be made).
changed() {
  CHANGES=$((CHANGES + 1))
  ROLE_CHANGED=1
  if [ "$DRY_RUN" -eq 1 ]; then note would "$1"; else note change "$1"; fi
}

# owner_of PATH: "user:group" of PATH by name in ROOT's user database (ids when a name is unknown there).
owner_of() {
  local ids user group
  ids=$(stat -c '%u %g' "$ROOT$1")
  user=$(awk -F: -v id="${ids% *}" '$3 == id {print $1; exit}' "$ROOT/etc/passwd")
  group=$(awk -F: -v id="${ids#* }" '$3 == id {print $1; exit}' "$ROOT/etc/group")
  echo "${user:-${ids% *}}:${group:-${ids#* }}"
}

# numeric_owner USER:GROUP: "uid:gid" from ROOT's user database (chown must not look the names up on this host).
numeric_owner() {
  local uid gid
  uid=$(awk -F: -v n="${1%:*}" '$1 == n {print $3; exit}' "$ROOT/etc/passwd")
  gid=$(awk -F: -v n="${1#*:}" '$1 == n {print $3; exit}' "$ROOT/etc/group")
  if [ -z "$uid" ] || [ -z "$gid" ]; then fail "no user or group $1 in $ROOT/etc/passwd, $ROOT/etc/group"; fi
  echo "$uid:$gid"
}

# ensure_dir PATH MODE USER:GROUP
ensure_dir() {
  local path=$1 mode=$2 owner=$3
  if [ -d "$ROOT$path" ] && [ "$(stat -c '%a' "$ROOT$path")" = "${mode#0}" ] && [ "$(owner_of "$path")" = "$owner" ]; then
    note ok "$path/"
    return
  fi
  changed "$path/"
  [ "$DRY_RUN" -eq 1 ] && return
  mkdir -p "$ROOT$path"
  chmod "$mode" "$ROOT$path"
  chown "$(numeric_owner "$owner")" "$ROOT$path"
}

# ensure_file PATH MODE USER:GROUP < CONTENT: the file holds exactly CONTENT, with this mode and owner.
ensure_file() {
  local path=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$ROOT$path" ] && cmp -s "$tmp" "$ROOT$path" && [ "$(stat -c '%a' "$ROOT$path")" = "${mode#0}" ] \
      && [ "$(owner_of "$path")" = "$owner" ]; then
    note ok "$path"
    rm -f "$tmp"
    return
  fi
  changed "$path"
  if [ "$DRY_RUN" -eq 1 ]; then rm -f "$tmp"; return; fi
  mkdir -p "$(dirname "$ROOT$path")"
  # Mode and owner before the content lands: a secret is never readable by others, not even for a moment.
  chmod "$mode" "$tmp"
  chown "$(numeric_owner "$owner")" "$tmp"
  mv -f "$tmp" "$ROOT$path"
}

# ensure_copy SOURCE PATH MODE USER:GROUP: PATH is a copy of the file SOURCE (on this machine, not under ROOT).
ensure_copy() {
  ensure_file "$2" "$3" "$4" <"$1"
}

# ensure_tree SOURCE_DIR PATH USER:GROUP: every file of SOURCE_DIR is copied under PATH (executables 755, others 644),
# and files under PATH that SOURCE_DIR does not have are removed. One line for the whole tree.
ensure_tree() {
  local source=$1 path=$2 owner=$3 file rel mode differs=0
  while IFS= read -r -d '' file; do
    rel=${file#"$source"/}
    mode=644
    [ -x "$file" ] && mode=755
    if ! [ -f "$ROOT$path/$rel" ] || ! cmp -s "$file" "$ROOT$path/$rel" \
        || [ "$(stat -c '%a' "$ROOT$path/$rel")" != "$mode" ]; then
      differs=1
      break
    fi
  done < <(find "$source" -type f -print0)
  if [ $differs -eq 0 ] && [ -d "$ROOT$path" ] \
      && [ -z "$(comm -13 <(cd "$source" && find . -type f | sort) <(cd "$ROOT$path" && find . -type f | sort))" ]; then
    note ok "$path/ ($(find "$source" -type f | wc -l) files)"
    return
  fi
  changed "$path/ ($(find "$source" -type f | wc -l) files)"
  [ "$DRY_RUN" -eq 1 ] && return
  rm -rf "$ROOT$path.new"
  mkdir -p "$ROOT$path.new"
  cp -R "$source/." "$ROOT$path.new/"
  find "$ROOT$path.new" -type d -exec chmod 755 {} +
  find "$ROOT$path.new" -type f -perm /111 -exec chmod 755 {} +
  find "$ROOT$path.new" -type f ! -perm /111 -exec chmod 644 {} +
  chown -R "$(numeric_owner "$owner")" "$ROOT$path.new"
  rm -rf "$ROOT$path"
  mv "$ROOT$path.new" "$ROOT$path"
}

# ensure_user NAME HOME: a system user and group NAME without login.
ensure_user() {
  local name=$1 home=$2
  if grep -q "^$name:" "$ROOT/etc/passwd" && grep -q "^$name:" "$ROOT/etc/group"; then
    note ok "user $name"
    return
  fi
  changed "user $name"
  [ "$DRY_RUN" -eq 1 ] && return
  local prefix=()
  [ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
  useradd "${prefix[@]}" --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "$name" \
    || fail "useradd $name failed"
}

# ensure_packages PACKAGE...: installed with apt (not under --root: there they are listed, not installed).
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    if [ -n "$ROOT" ]; then
      note skip "package $package (not installed under --root)"
      continue
    fi
    if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      note ok "package $package"
    else
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return
  changed "packages ${missing[*]}"
  [ "$DRY_RUN" -eq 1 ] && return
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get could not install ${missing[*]}"
}

# ensure_enabled UNIT: enabled at boot, and running now (restarted when its role changed anything). Under --root
# only the boot links are made.
ensure_enabled() {
  local unit=$1
  if [ -n "$ROOT" ]; then
    if systemctl --root="$ROOT" is-enabled --quiet "$unit" 2>/dev/null; then
      note ok "enabled $unit"
    else
      changed "enabled $unit"
      [ "$DRY_RUN" -eq 1 ] || systemctl --root="$ROOT" enable "$unit" >/dev/null 2>&1 || fail "cannot enable $unit under $ROOT"
    fi
    return
  fi
  if [ "$DRY_RUN" -eq 0 ] && [ "$ROLE_CHANGED" -eq 1 ]; then systemctl daemon-reload; fi
  if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
    note ok "enabled $unit"
  else
    changed "enabled $unit"
    [ "$DRY_RUN" -eq 1 ] || systemctl enable --quiet "$unit" || fail "cannot enable $unit"
  fi
  if [ "$ROLE_CHANGED" -eq 0 ] && systemctl is-active --quiet "$unit"; then
    note ok "running $unit"
  else
    changed "restarted $unit"
    [ "$DRY_RUN" -eq 1 ] || systemctl restart "$unit" || fail "$unit did not start: journalctl -u $unit"
  fi
}
