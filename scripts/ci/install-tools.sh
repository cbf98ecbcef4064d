#!/usr/bin/env bash
# Installs the tools security/tools.json pins, at those versions, into ${SHS_TOOLS_DIR:-/root/.cache/shs-tools}
# (binaries and links in bin/, one Python venv per PyPI tool in venvs/). Usage: install-tools.sh [tool…]
# (no argument: every tool, in the file's order). `install-tools.sh --check [tool…]` installs nothing: it
# runs each installed binary's version command and ends with "N passed, N failed" (a tool whose binary
# is missing or reports another version fails).
#
# Idempotent: a tool whose bin/ entry already reports the pinned version is skipped. Go builds use Go's
# default module and build caches (outside the repository), so a warm machine links rather than compiles.
# Exits non-zero naming each tool that failed; prints one line per tool with its time and how it was had.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
pins="$root/security/tools.json"
tools_dir=${SHS_TOOLS_DIR:-/root/.cache/shs-tools}
bin="$tools_dir/bin"
mkdir -p "$bin" "$tools_dir/venvs"

field() { jq -r --arg t "$1" ".tools[\$t]$2 // empty" "$pins"; }

# The version a binary reports must contain the pin as a whole token ("v" optional), so 0.70.0 is not
# satisfied by 0.70.01, 10.70.0 or 0.70.0-rc1.
reports_pin() {
  local tool=$1 exe=$2 want out
  want=$(field "$tool" .version)
  want=${want#v}
  [ -x "$exe" ] || return 1
  mapfile -t args < <(jq -r --arg t "$tool" '.tools[$t].versionArgs[]' "$pins")
  out=$("$exe" "${args[@]}" 2>&1) || true
  grep -Eq "(^|[^0-9.])v?${want//./\\.}([^0-9A-Za-z.-]|\$)" <<<"$out"
}

go_env() {
  jq -r --arg t "$1" '.tools[$t].source.env // {} | to_entries[] | "\(.key)=\(.value)"' "$pins"
}

install_go() {
  local tool=$1 module package version ldflags tags build work dir
  module=$(field "$tool" .source.module)
  package=$(field "$tool" .source.package)
  version=$(field "$tool" .version)
  ldflags=$(field "$tool" .source.ldflags)
  tags=$(field "$tool" .source.tags)
  build=$(field "$tool" .source.build)
  mapfile -t env_pairs < <(go_env "$tool")
  local flags=()
  [ -n "$ldflags" ] && flags+=(-ldflags "$ldflags")
  [ -n "$tags" ] && flags+=(-tags "$tags")
  if [ "$build" = module-source ]; then
    # `go install module@version` refuses a module whose go.mod has replace directives; building inside
    # the module's own source (as its release does) honours them. The module cache copy is read-only.
    dir=$(env "${env_pairs[@]}" go mod download -json "$module@$version" | jq -r '.Dir // empty')
    [ -n "$dir" ] || return 1
    work=$(mktemp -d)
    cp -r "$dir/." "$work/"
    chmod -R u+w "$work"
    (cd "$work" && env "${env_pairs[@]}" go build "${flags[@]}" -o "$bin/$tool.new" "./${package#"$module"}") ||
      { rm -rf "$work"; return 1; }
    rm -rf "$work"
  else
    work=$(mktemp -d)
    env "${env_pairs[@]}" GOBIN="$work" go install "${flags[@]}" "$package@$version" || { rm -rf "$work"; return 1; }
    # go install names the binary after the package path's last element, skipping a major-version
    # suffix (github.com/zricethezav/gitleaks/v8 -> gitleaks).
    local name
    name=$(basename "$package")
    [[ $name =~ ^v[0-9]+$ ]] && name=$(basename "$(dirname "$package")")
    mv "$work/$name" "$bin/$tool.new"
    rm -rf "$work"
  fi
  mv "$bin/$tool.new" "$bin/$tool"
}

install_pypi() {
  local tool=$1 requirements executable venv
  requirements="$root/$(field "$tool" .source.requirements)"
  executable=$(field "$tool" .source.executable)
  venv="$tools_dir/venvs/$tool"
  rm -rf "$venv"
  python3 -m venv "$venv" || return 1
  # --require-hashes: every distribution, dependencies included, must match a hash in the lock file.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$requirements" ||
    return 1
  ln -sf "$venv/bin/$executable" "$bin/$tool"
}

install_apt() {
  local tool=$1 package debian_version
  package=$(field "$tool" .source.package)
  debian_version=$(field "$tool" .source.debianVersion)
  if [ "$(dpkg-query -W -f '${Version}' "$package" 2>/dev/null)" != "$debian_version" ]; then
    apt-get install -y -qq "$package=$debian_version" >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq "$package=$debian_version" >/dev/null; } || return 1
  fi
  ln -sf "$(command -v "$tool")" "$bin/$tool"
}

check_only=false
if [ "${1:-}" = --check ]; then
  check_only=true
  shift
fi
if [ $# -gt 0 ]; then tools=("$@"); else mapfile -t tools < <(jq -r '.tools | keys_unsorted[]' "$pins"); fi

if $check_only; then
  ok=0
  bad=0
  for tool in "${tools[@]}"; do
    version=$(field "$tool" .version)
    mapfile -t args < <(jq -r --arg t "$tool" '.tools[$t].versionArgs[]?' "$pins")
    said=$("$bin/$tool" "${args[@]}" 2>&1 | grep -m1 -E '[0-9]+\.[0-9]+' || true)
    if [ -n "$version" ] && reports_pin "$tool" "$bin/$tool"; then
      ok=$((ok + 1))
      printf 'install-tools: %-16s pinned %-8s reports: %s\n' "$tool" "$version" "$said"
    else
      bad=$((bad + 1))
      printf 'install-tools: %-16s pinned %-8s MISMATCH, reports: %s\n' "$tool" "${version:-(not pinned)}" "${said:-nothing (not installed?)}" >&2
    fi
  done
  echo "$ok passed, $bad failed"
  [ "$bad" -eq 0 ]
  exit
fi

failed=()
fresh=0
run_start=$SECONDS
for tool in "${tools[@]}"; do
  type=$(field "$tool" .source.type)
  version=$(field "$tool" .version)
  if [ -z "$type" ]; then
    echo "install-tools: $tool is not in security/tools.json" >&2
    failed+=("$tool")
    continue
  fi
  start=$SECONDS
  if reports_pin "$tool" "$bin/$tool"; then
    printf 'install-tools: %-16s %-8s already installed (checked in %s s)\n' "$tool" "$version" "$((SECONDS - start))"
    continue
  fi
  fresh=$((fresh + 1))
  "install_$type" "$tool"
  rc=$?
  took=$((SECONDS - start))
  if [ $rc -ne 0 ]; then
    echo "install-tools: $tool $version FAILED after ${took} s ($type)" >&2
    failed+=("$tool")
  elif ! reports_pin "$tool" "$bin/$tool"; then
    echo "install-tools: $tool installed but does not report $version: $("$bin/$tool" --version 2>&1 | head -1)" >&2
    failed+=("$tool")
  else
    printf 'install-tools: %-16s %-8s installed in %s s (%s)\n' "$tool" "$version" "$took" "$type"
  fi
done

echo "install-tools: ${#tools[@]} tools in $((SECONDS - run_start)) s: $fresh installed now, $((${#tools[@]} - fresh)) already at their pins"
if [ ${#failed[@]} -gt 0 ]; then
  echo "install-tools: failed: ${failed[*]}" >&2
  exit 1
fi
