#!/usr/bin/env bash
# The README's first command on a fresh clone of this commit, as a newcomer runs it: `npm ci && npm start` with an
# empty data folder (embedded PostgreSQL, Temporal dev server). Checks /health and one registration over HTTP, then
# Ctrl-C (SIGINT), and that no process of the clone is left. Ports are free ones, so it never meets another server.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/ocop-readme-XXXXXX)"
chmod 755 "$work" # run as root, the embedded PostgreSQL runs as the postgres user, who must be able to enter it
clone="$work/ocop-cycle"
start_pid=''

# Processes whose command line or environment names the clone. The pattern is read from a file, so that grep's own
# command line does not name it, and grep runs with a PWD and OLDPWD outside the clone, so that its environment does
# not either; the rest is bash builtins, which start no process that could name it (a pipeline through cut and sort
# did: they inherit this script's PWD, the clone, and were reported as left behind).
procs_of_clone() {
  printf '%s\n' "$clone" >"$work/pattern"
  (cd / && OLDPWD=/ PWD=/ exec grep -lsaF -f "$work/pattern" /proc/[0-9]*/environ /proc/[0-9]*/cmdline) \
    >"$work/found" 2>/dev/null || true
  local file pid seen=' '
  while read -r file; do
    pid="${file#/proc/}" && pid="${pid%%/*}"
    if [ "$pid" != "$$" ] && [ "${seen#* "$pid" }" = "$seen" ]; then seen="$seen$pid " && echo "$pid"; fi
  done <"$work/found"
}

cleanup() {
  if [ -n "$start_pid" ] && kill -0 "$start_pid" 2>/dev/null; then kill -INT -- "-$start_pid" || true; sleep 20; fi
  # Whatever still names the clone (a failed stop): stopped hard, then the folder removed.
  for p in $(procs_of_clone); do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

git clone -q "$repo" "$clone"
cd "$clone"
export API_PORT="$(free_port)" TEMPORAL_DEV_PORT="$(free_port)" TEMPORAL_UI_PORT="$(free_port)"
export EMBEDDED_PG_PORT="$(free_port)" LOG_LEVEL=warn
unset DATABASE_URL TEMPORAL_ADDRESS AUTH_JWT_SECRET
api="http://127.0.0.1:$API_PORT"

started=$SECONDS
npm ci --no-audit --no-fund >"$work/install.log" 2>&1 || { tail -30 "$work/install.log"; exit 1; }
echo "npm ci: $((SECONDS - started)) s"

started=$SECONDS
set -m # job control: the background start gets SIGINT like a terminal's Ctrl-C (not ignored, as without it)
npm start >"$work/start.log" 2>&1 &
start_pid=$!
until grep -q 'Ctrl-C stops everything' "$work/start.log"; do
  if ! kill -0 "$start_pid" 2>/dev/null || [ $((SECONDS - started)) -gt 300 ]; then
    echo 'npm start did not become ready:'; tail -40 "$work/start.log"; exit 1
  fi
  sleep 1
done
echo "npm start: ready in $((SECONDS - started)) s (npm test runs on $(npm exec -- node -v))"

curl -fsS "$api/health" >/dev/null
# The web application, built by `npm start` on the fresh clone and served at /app.
curl -fsS -o "$work/app.html" "$api/app/"
grep -q '<div id="root">' "$work/app.html" || { echo 'no web application at /app/:'; cat "$work/app.html"; exit 1; }
echo "web application: served at /app/"
token="$(npm run -s dev-token -- --role commune_officer --jurisdiction 05443)"
answer="$(curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST "$api/products" \
  -H "authorization: Bearer $token" -H 'idempotency-key: readme-first-idea-001' -H 'content-type: application/json' \
  -d '{"subjectId":"HTX-TC","subjectName":"HTX chè Tân Cương","productName":"Chè búp Tân Cương",
       "productSetCode":"tea","provinceCode":"19","communeCode":"05443"}')"
if [ "$answer" != 201 ]; then echo "registration answered $answer:"; cat "$work/answer.json"; exit 1; fi
echo "registration: 201"

# Ctrl-C signals the whole foreground process group (npm, its script, the product), as a terminal does.
kill -INT -- "-$start_pid"
stopped=$SECONDS
wait "$start_pid" || { echo "npm start exited with $?"; tail -20 "$work/start.log"; exit 1; }
start_pid=''
grep -q '\[ocop-cycle\] stopped' "$work/start.log" || { echo 'no "stopped" after Ctrl-C'; tail -20 "$work/start.log"; exit 1; }
sleep 1
left="$(procs_of_clone)"
if [ -n "$left" ]; then echo "processes left after Ctrl-C: $left"; ps -o pid,args -p "$(echo $left | tr ' ' ,)"; exit 1; fi
echo "Ctrl-C: everything stopped in $((SECONDS - stopped)) s, no process left"
