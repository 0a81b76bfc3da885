#!/usr/bin/env bash
# Drill: two web hosts and one Celery worker, each with its own working directory and its own disk
# (PRIVATE_MEDIA_ROOT, TMPDIR), sharing only PostgreSQL, Redis and the S3 server. Proves:
#   a file uploaded through host A downloads through host B;
#   a PDF rendered by the worker downloads through A and B;
#   a session opened on A works on B; a login rate limit counted on A holds on B;
#   no host kept a file on its own disk; a 50 MB download costs the web worker milliseconds (signed URL).
# Exits non-zero with "FAIL: …" on the first broken promise. docs/RELIABILITY.md says what it proves.
#
# Needs PostgreSQL and Redis (as .ci/run starts them):
#   DRILL_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/portal_drill_hosts (dropped and made anew)
#   DRILL_REDIS_URL     default redis://127.0.0.1:6379/8 (broker; the cache is /9; both flushed)
#   DRILL_S3_ENDPOINT   default http://127.0.0.1:9000; a moto_server is started there if nothing answers
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
PY="$REPO/.venv/bin/python"
BIN="$REPO/.venv/bin"
PORT_A=${DRILL_PORT_A:-8731}
PORT_B=${DRILL_PORT_B:-8732}

export DJANGO_SETTINGS_MODULE=drills.settings PYTHONPATH="$REPO"
export DATABASE_URL=${DRILL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_drill_hosts}
export REDIS_URL=${DRILL_REDIS_URL:-redis://127.0.0.1:6379/8}
export S3_ENDPOINT_URL=${DRILL_S3_ENDPOINT:-http://127.0.0.1:9000}
export S3_BUCKET=portal-drill-$(date +%s) S3_REGION=us-east-1 S3_ADDRESSING_STYLE=path
export S3_ACCESS_KEY_ID=drill S3_SECRET_ACCESS_KEY=drill-secret DOWNLOADS=presigned

WORK=$(mktemp -d -t drill-two-hosts.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for log in "$WORK"/*/*.log; do echo "--- $log"; tail -n 30 "$log"; done; exit 1; }

s3_host=${S3_ENDPOINT_URL#*://}; s3_host=${s3_host%%/*}
if ! curl -s -o /dev/null "$S3_ENDPOINT_URL"; then
  echo "Starting moto_server at $S3_ENDPOINT_URL"
  mkdir -p "$WORK/s3"
  "$BIN/moto_server" -H "${s3_host%:*}" -p "${s3_host##*:}" >"$WORK/s3/moto.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 60); do curl -s -o /dev/null "$S3_ENDPOINT_URL" && break; sleep 0.5; done
  curl -s -o /dev/null "$S3_ENDPOINT_URL" || fail "no S3 server at $S3_ENDPOINT_URL"
fi

dbname=${DATABASE_URL##*/}
dropdb -h 127.0.0.1 -U postgres --if-exists "$dbname"
createdb -h 127.0.0.1 -U postgres "$dbname"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
redis-cli -u "${REDIS_URL%/*}/$(( ${REDIS_URL##*/} + 1 ))" flushdb >/dev/null
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py compilemessages --ignore=.venv -v0 >/dev/null 2>&1 || true
"$PY" drills/two_hosts.py setup

# One host = its own working directory, local private-file root and temporary directory.
start_host() {  # name, command…
  local name=$1; shift
  mkdir -p "$WORK/$name/private" "$WORK/$name/tmp"
  (cd "$WORK/$name" && PRIVATE_MEDIA_ROOT="$WORK/$name/private" TMPDIR="$WORK/$name/tmp" exec "$@" >"$WORK/$name/$name.log" 2>&1) &
  pids+=($!)
}
web() {  # name, port
  start_host "$1" "$BIN/gunicorn" portal.wsgi --pythonpath "$REPO" --bind "127.0.0.1:$2" --workers 2 \
    --access-logfile "$WORK/$1/access.log" --access-logformat '%(U)s %(s)s %(D)s'
}
web a "$PORT_A"
web b "$PORT_B"
start_host worker "$BIN/celery" -A portal worker --concurrency 1 --loglevel INFO

for _ in $(seq 120); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT_A/cont/login/" && curl -s -o /dev/null "http://127.0.0.1:$PORT_B/cont/login/" \
    && grep -q "ready" "$WORK/worker/worker.log" && break
  sleep 0.5
done
curl -s -o /dev/null "http://127.0.0.1:$PORT_A/cont/login/" || fail "host A did not start"
curl -s -o /dev/null "http://127.0.0.1:$PORT_B/cont/login/" || fail "host B did not start"
grep -q "ready" "$WORK/worker/worker.log" || fail "the worker did not start"
echo "Hosts up: A :$PORT_A ($WORK/a), B :$PORT_B ($WORK/b), worker ($WORK/worker); S3 bucket $S3_BUCKET"

"$PY" drills/two_hosts.py check "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" "$WORK/a/access.log" \
  "$WORK/a/private" "$WORK/b/private" "$WORK/worker/private" || fail "see above"
echo "OK: two hosts and a worker share the files, sessions and rate limits through PostgreSQL, Redis and S3"
