#!/usr/bin/env bash
# The npm package as a user gets it: `npm pack` (prepack builds dist/ from scratch), install the tarball
# globally into a temporary prefix, and run `dice` from there: --version, then the demo. Run by .ci/run after
# the test suite (`npm run test:package`); it installs every dependency, so it is not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/dice-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "check-package: $*" >&2; exit 1; }

npm pack --pack-destination "$work" --silent >"$work/pack.out"
tarball="$work/$(tail -n 1 "$work/pack.out")"
[ -f "$tarball" ] || fail "npm pack made no tarball (output: $(cat "$work/pack.out"))"
tar -tzf "$tarball" >"$work/files"
for must in package/bin/dice.js package/dist/dice.cjs package/dist/cli/main.js package/dist/cli/commands/demo.js package/testdata/demo/dice.yml package/testdata/demo/app.log.txt; do
  grep -qx "$must" "$work/files" || fail "$must is not in the package"
done
if grep -E '^package/(src|test|bench)/|\.test\.js$|/testutil/|\.map$|\.v8cache$' "$work/files"; then fail "the package ships sources, tests, source maps or code caches (listed above)"; fi
echo "check-package: $(wc -l <"$work/files") files, $(du -k "$tarball" | cut -f1) KiB packed"

start=$(date +%s)
npm install --global --prefix "$work/prefix" "$tarball" --no-audit --no-fund --prefer-offline >"$work/install.log" 2>&1 \
  || { tail -30 "$work/install.log"; fail "npm install -g of the tarball failed"; }
echo "check-package: global install from the tarball took $(( $(date +%s) - start )) s"
dice="$work/prefix/bin/dice"

want=$(node -p "require('./package.json').version")
got=$("$dice" --version) || fail "dice --version failed"
[ "$got" = "$want" ] || fail "dice --version printed '$got', package.json says '$want'"
# The installed CLI starts from its bundle (dist/dice.cjs), and a second start takes the code cache the first wrote.
DICE_DEBUG_START=1 "$dice" --version 2>"$work/start.err" >/dev/null || fail "dice --version failed"
grep -q 'start: bundle .*code cache accepted' "$work/start.err" || fail "the installed dice did not start from its bundle with a code cache: $(cat "$work/start.err")"

# An empty directory with no dice.yml and no database: what a new user has.
mkdir "$work/empty"
(cd "$work/empty" && "$dice" demo --no-serve >"$work/demo.out" 2>"$work/demo.err") || { cat "$work/demo.err"; fail "dice demo --no-serve failed"; }
grep -q 'Dice digest for' "$work/demo.out" || fail "dice demo printed no digest: $(head -20 "$work/demo.out")"
grep -q '── #hello-worlders ──' "$work/demo.out" || fail "dice demo printed no channel message"
[ -z "$(ls -A "$work/empty")" ] || fail "dice demo left files in the working directory: $(ls -A "$work/empty")"
echo "check-package: ok (dice $got from the tarball: --version and demo --no-serve)"
