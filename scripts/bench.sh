#!/usr/bin/env bash
# bench.sh measures govctl against the tools it stands beside, on generated
# platforms of N and 2N services (3 environments each), in one run on the
# same specs:
#
#   cue export      the spec files together with the `govctl schema` file
#   validate        govctl validate (cold: --no-cache; warm: model cache hit)
#   render          govctl render --out (all targets, all environments)
#   lint            govctl lint (all environments, rendered objects)
#   conftest        conftest test with govctl's built-in rules and the same
#                   parameters, on `govctl lint --print-input --env E` per env
#   precommit       govctl lint <one service file> with a warm cache
#   validate-edit   govctl validate right after one service file changed:
#                   the model cache misses, the resolution memo holds every
#                   other service
#   precommit-edit  govctl lint <that file> right after it changed, as a
#                   pre-commit hook runs it
#   plan            govctl plan --against the rendered output, after one
#                   service's version changed (warm cache)
#
# For each it prints the median wall time of RUNS runs and the peak RSS
# (GNU time), then the ratios the performance targets are stated in.
#
# Usage: scripts/bench.sh [-n SERVICES] [-r RUNS] [-k]   (run from anywhere)
#   -n  services of the smaller platform (default 1000); the larger has 2N
#   -r  runs per measurement, 3 to 5 (default 3)
#   -k  keep the work directory
set -euo pipefail

services=1000
runs=3
keep=false
while getopts "n:r:kh" opt; do
	case $opt in
	n) services=$OPTARG ;;
	r) runs=$OPTARG ;;
	k) keep=true ;;
	h)
		sed -n '2,27p' "$0"
		exit 0
		;;
	*) exit 2 ;;
	esac
done
if ((runs < 1)); then
	echo "bench.sh: -r must be at least 1" >&2
	exit 2
fi

CONFTEST_VERSION=v0.71.1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/govctl-bench.XXXXXX")
if ! $keep; then
	trap 'rm -rf "$work"' EXIT
fi
bin=$work/bin
mkdir -p "$bin"
# The model cache goes to a cache dir of its own: cold runs start from an
# empty one, and the user's cache is left alone.
export XDG_CACHE_HOME=$work/cache

if ! command -v jq >/dev/null; then
	echo "bench.sh: jq is needed; apt-get install jq" >&2
	exit 1
fi
timer=$(command -v /usr/bin/time || true)
if [[ -z $timer ]] || ! "$timer" -f %M true >/dev/null 2>&1; then
	echo "bench.sh: GNU time (/usr/bin/time) is needed for peak RSS; apt-get install time" >&2
	exit 1
fi

echo "== building (govctl, cue, conftest $CONFTEST_VERSION, benchparams) in $work" >&2
(
	cd "$root"
	go build -o "$bin/govctl" ./cmd/govctl
	go build -o "$bin/cue" cuelang.org/go/cmd/cue
	go build -o "$bin/genplatform" ./internal/testgen/cmd/genplatform
	go build -o "$bin/benchparams" ./scripts/benchparams
	GOBIN=$bin go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"
)

# measure NAME CMD... runs CMD $runs times in the current directory and
# records the median wall time (s) and the largest peak RSS (MB).
declare -A wall rss
measure() {
	local name=$1
	shift
	local times=() mem=0 i out
	for ((i = 0; i < runs; i++)); do
		if [[ -n ${before:-} ]]; then
			eval "$before"
		fi
		local rc=0
		"$timer" -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || rc=$?
		# conftest exits 1 when it finds violations: that is a result.
		if ((rc != 0)) && ! ((rc == 1 && ${allow_fail:-0})); then
			echo "bench.sh: $name failed (exit $rc):" >&2
			cat "$work/stderr.txt" "$work/time.txt" >&2
			exit 1
		fi
		out=$(grep -E '^[0-9.]+ [0-9]+$' "$work/time.txt" | tail -1)
		times+=("${out%% *}")
		mem=$(((${out##* } > mem) ? ${out##* } : mem))
	done
	wall[$name]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
	rss[$name]=$((mem / 1024))
	printf '  %-22s %8.2f s %7d MB   (runs: %s)\n' "$name" "${wall[$name]}" "${rss[$name]}" "${times[*]}"
}

# set_aside DIR moves an earlier render out of the way and lets the disk
# settle, so that each render writes a new tree and none is timed while
# the kernel still writes back or discards (the ext4 `discard` mount option)
# the thousands of files of the one before. Removing them is not the
# render's work; they go with the work directory.
set_aside() {
	if [[ -e $1 ]]; then
		asides=$((asides + 1))
		mkdir -p "$work/aside"
		mv "$1" "$work/aside/$asides"
	fi
	sync
}
asides=0

# bump_version FILE gives the first service in FILE a version it has not
# had in this run, so the next command sees an edited spec.
bump_version() {
	edits=$((edits + 1))
	sed -i -E "0,/version: *\"[^\"]*\"/s//version: \"v98.0.$edits\"/" "$1"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

bench_platform() {
	local n=$1
	local dir=$work/p$n
	"$bin/genplatform" -services "$n" -seed 1 -out "$dir" -schema >/dev/null
	cd "$dir"
	mapfile -t cuefiles < <(find . -name '*.cue' | sort)
	local envs
	read -r -a envs <<<"$("$bin/cue" export "${cuefiles[@]}" -e environments --out json | jq -r 'keys | join(" ")')"
	"$bin/benchparams" -dir . >"$work/params-$n.json"
	mkdir -p "$work/policy-$n"
	find "$root/lint/rules" -name '*.rego' ! -name '*_test.rego' -exec cp {} "$work/policy-$n/" \;
	local inputs=()
	for e in "${envs[@]}"; do
		"$bin/govctl" lint --print-input --env "$e" >"$work/input-$n-$e.json"
		inputs+=("$work/input-$n-$e.json")
	done
	local file
	# sed, not head: head would close the pipe early and fail pipefail.
	file=$(find services -name '*.cue' | sort | sed -n 1p)

	echo "== $n services, ${#envs[@]} environments (${envs[*]}), $(find . -name '*.cue' | wc -l) .cue files incl. schema.cue"
	before="" measure "cue-export-$n" "$bin/cue" export "${cuefiles[@]}"
	before="rm -rf '$XDG_CACHE_HOME'" measure "validate-cold-$n" "$bin/govctl" validate --no-cache
	"$bin/govctl" validate -q # fill the cache
	before="" measure "validate-warm-$n" "$bin/govctl" validate
	before="set_aside '$work/out-$n'" measure "render-cold-$n" "$bin/govctl" render --no-cache --out "$work/out-$n"
	before="set_aside '$work/out-$n'" measure "render-warm-$n" "$bin/govctl" render --out "$work/out-$n"
	before="" measure "lint-cold-$n" "$bin/govctl" lint --no-cache
	before="" measure "lint-warm-$n" "$bin/govctl" lint
	allow_fail=1 before="" measure "conftest-$n" "$bin/conftest" test --no-color --all-namespaces \
		-p "$work/policy-$n" --data "$work/params-$n.json" "${inputs[@]}"
	before="" measure "precommit-$n" "$bin/govctl" lint "$file"
	cp "$file" "$work/file.bak"
	edits=0
	before="bump_version '$file'" measure "validate-edit-$n" "$bin/govctl" validate
	before="bump_version '$file'" measure "precommit-edit-$n" "$bin/govctl" lint "$file"
	cp "$work/file.bak" "$file"
	# A pull request's plan: one service's version bumped, against the
	# output rendered before the change (warm cache of the changed spec).
	"$bin/govctl" render -q --out "$work/base-$n"
	cp "$file" "$work/file.bak"
	sed -i -E '0,/version: *"[^"]*"/s//version: "v99.0.0"/' "$file"
	"$bin/govctl" validate -q
	before="" measure "plan-$n" "$bin/govctl" plan --against "$work/base-$n"
	cp "$work/file.bak" "$file"
	cd - >/dev/null
}

echo "nproc: $(nproc)   load: $(cut -d' ' -f1-3 /proc/loadavg)   go: $(go env GOVERSION)   $(uname -srm)"
echo "median of $runs runs; RSS is the largest peak RSS of those runs"
bench_platform "$services"
bench_platform $((2 * services))

n=$services
n2=$((2 * services))
echo
echo "== ratios at $n services (target)"
printf '  %-44s %6s   (<= 1.0)\n' "validate cold / cue export (wall)" "$(ratio "${wall[validate-cold-$n]}" "${wall[cue-export-$n]}")"
printf '  %-44s %6s   (<= 1.0)\n' "validate warm / cue export (wall)" "$(ratio "${wall[validate-warm-$n]}" "${wall[cue-export-$n]}")"
printf '  %-44s %6s   (<= 1.5)\n' "render cold / cue export (wall)" "$(ratio "${wall[render-cold-$n]}" "${wall[cue-export-$n]}")"
printf '  %-44s %6s   (<= 1.5)\n' "render warm / cue export (wall)" "$(ratio "${wall[render-warm-$n]}" "${wall[cue-export-$n]}")"
printf '  %-44s %6s   (<= 2.0)\n' "render cold / cue export (RSS)" "$(ratio "${rss[render-cold-$n]}" "${rss[cue-export-$n]}")"
printf '  %-44s %6s   (<= 2.0)\n' "render warm / cue export (RSS)" "$(ratio "${rss[render-warm-$n]}" "${rss[cue-export-$n]}")"
printf '  %-44s %6s   (<= 1.0)\n' "lint cold / conftest (wall)" "$(ratio "${wall[lint-cold-$n]}" "${wall[conftest-$n]}")"
printf '  %-44s %6s   (<= 1.0)\n' "lint warm / conftest (wall)" "$(ratio "${wall[lint-warm-$n]}" "${wall[conftest-$n]}")"
printf '  %-44s %6s   (<= 0.10)\n' "precommit warm / lint cold (wall)" "$(ratio "${wall[precommit-$n]}" "${wall[lint-cold-$n]}")"
printf '  %-44s %6s   (no target)\n' "precommit after an edit / lint cold (wall)" "$(ratio "${wall[precommit-edit-$n]}" "${wall[lint-cold-$n]}")"
printf '  %-44s %6s   (no target)\n' "validate after an edit / cue export (wall)" "$(ratio "${wall[validate-edit-$n]}" "${wall[cue-export-$n]}")"
echo "== ratios $n2 / $n services (target <= 2.2)"
for c in cue-export validate-cold validate-warm validate-edit render-cold render-warm lint-cold lint-warm conftest precommit precommit-edit plan; do
	printf '  %-44s %6s wall  %6s RSS\n' "$c" "$(ratio "${wall[$c-$n2]}" "${wall[$c-$n]}")" "$(ratio "${rss[$c-$n2]}" "${rss[$c-$n]}")"
done
