#!/usr/bin/env bash
# Validates authip manifests (AuthorizedIpPolicy, IpRangeSet) in a pipeline, offline, with `authip validate --output
# json`, and reports every problem as an annotation on the file and line: GitHub Actions (::error), Azure Pipelines
# (##vso[task.logissue]) or plain text. Exit status: 0 all valid (or nothing to check), 1 a resource is invalid,
# 2 a usage error or a file that cannot be read.
#
#   authip-validate.sh [--format github|azure|text] [--base REV] [--root DIR] [FILE...]
#
# FILEs are checked as given. With --base, the YAML files changed since REV (git diff REV...HEAD, plus uncommitted
# changes) are checked instead. Either way every IpRangeSet manifest under --root (default: the repository's top
# level, or the working directory) is passed along, so that a policy's rangeSetRefs resolve as in the cluster; files
# holding no authip resource are left out. The authip command is $AUTHIP (default: authip on the PATH), e.g.
# AUTHIP="java -jar authip.jar" or AUTHIP="docker run --rm -v $PWD:$PWD -w $PWD authip:0.1.0". Needs bash, git (for
# --base), grep and jq. docs/gitops.md shows the GitHub Actions job, the Azure Pipelines step and the pre-commit hook.
set -euo pipefail

format=""
base=""
root=""
files=()
while (($#)); do
  case "$1" in
    --format) format="${2:-}"; shift 2 ;;
    --format=*) format="${1#*=}"; shift ;;
    --base) base="${2:-}"; shift 2 ;;
    --base=*) base="${1#*=}"; shift ;;
    --root) root="${2:-}"; shift 2 ;;
    --root=*) root="${1#*=}"; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "authip-validate: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [[ -z "$format" ]]; then
  if [[ -n "${GITHUB_ACTIONS:-}" ]]; then format=github
  elif [[ -n "${TF_BUILD:-}" ]]; then format=azure
  else format=text
  fi
fi
case "$format" in
  github|azure|text) ;;
  *) echo "authip-validate: --format must be github, azure or text, not '$format'" >&2; exit 2 ;;
esac
if [[ -z "$root" ]]; then
  root="$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
fi
command -v jq >/dev/null || { echo "authip-validate: jq is needed (apt-get install jq)" >&2; exit 2; }

authip_resource() { grep -Eqs '^[[:space:]]*apiVersion:[[:space:]]*["'\'']?authip\.io/' "$1"; }

if [[ -n "$base" ]]; then
  ((${#files[@]} == 0)) || { echo "authip-validate: give FILEs or --base, not both" >&2; exit 2; }
  git rev-parse --verify --quiet "${base}^{commit}" >/dev/null \
    || { echo "authip-validate: --base $base is not a commit here (fetch it, e.g. actions/checkout with fetch-depth: 0)" >&2; exit 2; }
  while IFS= read -r f; do
    [[ -n "$f" ]] && files+=("$f")
  done < <({ git diff --name-only --diff-filter=ACMR "${base}...HEAD" -- '*.yaml' '*.yml'
             git diff --name-only --diff-filter=ACMR HEAD -- '*.yaml' '*.yml'; } | sort -u)
fi

declare -A given=()
checked=()
for f in "${files[@]}"; do
  if [[ ! -e "$f" ]] || authip_resource "$f"; then
    checked+=("$f") # a missing file is reported by authip as unreadable
  fi
  given["$(realpath -m -- "$f")"]=1
done
targets="$(printf '%s\n' "${checked[@]}" | jq -R . | jq -s .)"
if ((${#checked[@]} == 0)); then
  echo "authip-validate: no authip manifest among ${#files[@]} file(s); nothing to check"
  exit 0
fi
# The range sets policies may refer to, wherever they are in the repository: passed along so that references resolve,
# reported only through the policies that use them.
while IFS= read -r -d '' f; do
  [[ -n "${given[$(realpath -m -- "$f")]:-}" ]] && continue
  if grep -Eqs '^[[:space:]]*kind:[[:space:]]*["'\'']?IpRangeSet' "$f" && authip_resource "$f"; then
    checked+=("$(realpath -m --relative-to=. -- "$f")")
  fi
done < <(find "$root" -type d \( -name .git -o -name node_modules -o -name target \) -prune -o -type f \
  \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)

read -r -a command <<<"${AUTHIP:-authip}"
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
set +e
json="$("${command[@]}" validate --output json "${checked[@]}" 2>"$errors")"
status=$?
set -e
notes="$(cat "$errors")"
if ((status > 2)) || [[ -z "$json" ]] || ! jq -e 'type == "array"' >/dev/null 2>&1 <<<"$json"; then
  echo "authip-validate: '${AUTHIP:-authip} validate' failed (exit $status): $notes" >&2
  exit 2
fi

# Who a problem is about: the resource, or the file that could not be read.
WHO='def who: if .kind then .kind + " " + (if .namespace then .namespace + "/" else "" end) + (.name // "(no name)")
  else "cannot read the file" end;'
# Only the files asked about are reported.
json="$(jq --argjson targets "$targets" '[.[] | select(.file as $f | $targets | index($f))]' <<<"$json")"
case "$format" in
  github)
    jq -r "$WHO"'
      def data: tostring | gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
      def prop: data | gsub(":"; "%3A") | gsub(","; "%2C");
      .[] | select(.valid | not) | . as $r | .errors[] |
      "::error file=\($r.file | prop)"
        + (if .line then ",line=\(.line)" else "" end) + (if .column then ",col=\(.column)" else "" end)
        + ",title=\(($r | who) | prop)::\((if .field then .field + ": " else "" end) + .message | data)"' <<<"$json"
    ;;
  azure)
    jq -r "$WHO"'
      def msg: tostring | gsub("%"; "%AZP25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
      def prop: msg | gsub(";"; "%3B") | gsub("]"; "%5D");
      .[] | select(.valid | not) | . as $r | .errors[] |
      "##vso[task.logissue type=error;sourcepath=\($r.file | prop)"
        + (if .line then ";linenumber=\(.line)" else "" end)
        + (if .column then ";columnnumber=\(.column)" else "" end) + ";code=authip]"
        + ((($r | who) + ": " + (if .field then .field + ": " else "" end) + .message) | msg)' <<<"$json"
    ;;
  text)
    jq -r "$WHO"'
      .[] | select(.valid | not) | . as $r | .errors[] |
      "\($r.file):" + (if .line then "\(.line):" else "" end) + (if .column then "\(.column):" else "" end)
        + " error: " + ($r | who) + ": " + (if .field then .field + ": " else "" end) + .message' <<<"$json"
    ;;
esac
summary="$(jq -r '"authip-validate: \(length) resource(s) checked, \([.[] | select(.valid)] | length) valid, \([.[] | select(.valid | not)] | length) invalid"' <<<"$json")"
echo "$summary"
if jq -e 'any(.[]; .kind == null)' >/dev/null <<<"$json"; then
  exit 2
elif jq -e 'any(.[]; .valid | not)' >/dev/null <<<"$json"; then
  exit 1
fi
exit 0
