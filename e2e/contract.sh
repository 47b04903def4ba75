#!/usr/bin/env bash
# The API's contract, checked by schemathesis against a real server: starts
# `mamori serve --demo` on a loopback port with a fresh data folder, takes a
# bearer token for the administrator and for a member of staff (tanaka), and
# runs schemathesis against /api/v1/openapi.json once as each. It fails on any
# 5xx, any status code, content type or body the document does not declare,
# any request the schema allows that is refused, and any it forbids that is
# accepted.
#
#   MAMORI_BIN            the mamori binary (default: the debug build)
#   CONTRACT_EXAMPLES     examples per operation (default 15)
#   CONTRACT_SEED         schemathesis's seed (default fixed, so a CI run is
#                         repeatable; set another to explore)
#   CONTRACT_VENV         where schemathesis is installed (default ~/.cache)
#
# Bounded: about a minute on two cores (each run also stops at 150 s).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
target="${CARGO_TARGET_DIR:-target}"
bin="${MAMORI_BIN:-$target/debug/mamori}"
examples="${CONTRACT_EXAMPLES:-15}"
seed="${CONTRACT_SEED:-20261205}"
venv="${CONTRACT_VENV:-$HOME/.cache/mamori-schemathesis-$SCHEMATHESIS_VERSION}"

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
admin_password="contract test passphrase"
MAMORI_ADMIN_PASSWORD="$admin_password" MAMORI_DATABASE_URL="" MAMORI_LOG=warn \
  "$bin" serve --demo --data-dir "$work/data" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -sf "$base/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

token() {
  curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2")" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
admin_token="$(token admin "$admin_password")"
staff_token="$(token tanaka mamori-demo-2025)"

# The administrator's run changes users. Pointing it at `kobayashi` (a demo
# member of staff used by neither run) keeps it from taking the administrator's
# own roles away, deactivating tanaka or resetting a password a run signs in
# with, which would turn the rest of the run into 401s and 403s.
victim="$(curl -sf -H "Authorization: Bearer $admin_token" "$base/api/v1/users?q=kobayashi" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
# A write whose body fits its schema can still be refused with 422: the
# document cannot say which ids exist (owner_unit_id, revision_id, course_id
# …), which codes the active classification scheme has, which dates are real
# (the bodies take 2025-04-01 or 令和7年4月1日) or which names are taken. So for
# writes 422 (MAMORI-INVALID, naming each field) counts as an answer to valid
# data; everything else (5xx, undeclared statuses, bodies outside their
# schema, invalid data accepted) still fails the run. 429 is the sign-in
# throttle, which a run guessing a user name (tanaka) can set off.
writes='["2xx", "401", "403", "404", "409", "422", "429"]'
cat >"$work/schemathesis.toml" <<EOF
[[operations]]
include-name = "PATCH /api/v1/users/{id}"
parameters = { id = $victim }
checks.positive_data_acceptance.expected-statuses = $writes

[[operations]]
include-name = "POST /api/v1/users/{id}/password"
parameters = { id = $victim }
checks.positive_data_acceptance.expected-statuses = $writes

[[operations]]
include-method-regex = "^(POST|PUT|PATCH|DELETE)$"
checks.positive_data_acceptance.expected-statuses = $writes
EOF

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,positive_data_acceptance
status=0
for who in staff admin; do
  if [ "$who" = admin ]; then t="$admin_token"; else t="$staff_token"; fi
  printf '\n--- schemathesis as %s\n' "$who"
  timeout 150 "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    -H "Authorization: Bearer $t" \
    --checks "$checks" \
    --max-examples "$examples" --seed "$seed" \
    --generation-database none --no-color --output-truncate false \
    --suppress-health-check all \
    --workers 2 || status=1
done
if [ "$status" -ne 0 ]; then
  echo "--- server log"
  tail -n 50 "$work/server.log"
fi
exit "$status"
