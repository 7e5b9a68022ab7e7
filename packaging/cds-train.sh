#!/usr/bin/env bash
# Makes a class-data sharing (AppCDS) archive for the kubeassume jar, so the server starts in about
# half the time and with less resident memory: a training run starts `serve`, fetches both
# documents and the management endpoints, then stops; the JVM writes every class it loaded into
# the archive. Run it with the same java and the same jar path the server will use, then start
# the server with -XX:SharedArchiveFile=ARCHIVE (the image does; see docs/container.md).
#
#   packaging/cds-train.sh JAR ARCHIVE
#
# Needs only bash and a JDK/JRE (keytool makes a throwaway key for the run; no curl).
set -euo pipefail
jar=$1
archive=$2
port=${CDS_TRAIN_PORT:-18997}
mport=$((port + 1))
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway public key: the training run only needs something valid to serve.
keytool -genkeypair -alias train -keyalg RSA -keysize 2048 -dname CN=kubeassume-cds-training -validity 1 \
  -storetype PKCS12 -keystore "$work/train.p12" -storepass training -keypass training >/dev/null 2>&1
keytool -exportcert -rfc -alias train -storetype PKCS12 -keystore "$work/train.p12" -storepass training \
  > "$work/train.crt" 2>/dev/null

rm -f "$archive"
# -Xlog:cds=error: the dump lists every class it skips (picocli is Java 5 bytecode) as a warning.
java -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar "$jar" serve --source files --keys "$work/train.crt" \
  --issuer-url "http://localhost:$port" --bind 127.0.0.1 --port "$port" --management-port "$mport" \
  --log-level warn &
pid=$!

# GET a path with bash's /dev/tcp; succeeds on a 200.
get() {
  local p=$1 path=$2 status
  exec 3<>"/dev/tcp/127.0.0.1/$p" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
  status=$(head -n 1 <&3 || true)
  exec 3>&- 3<&-
  [[ $status == *" 200 "* ]]
}

for _ in $(seq 1 300); do
  if get "$port" /openid/v1/jwks 2>/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "cds-train: the server exited before serving" >&2; exit 1; }
  sleep 0.1
done
for path in /openid/v1/jwks /.well-known/openid-configuration; do
  get "$port" "$path" || { echo "cds-train: GET $path did not answer 200" >&2; exit 1; }
done
for path in /healthz /readyz /metrics; do
  get "$mport" "$path" || { echo "cds-train: GET $path (management) did not answer 200" >&2; exit 1; }
done

kill -TERM "$pid"
wait "$pid" || true   # 143 after SIGTERM; the archive is written on the way out
pid=""
[ -s "$archive" ] || { echo "cds-train: no archive was written to $archive" >&2; exit 1; }
echo "cds-train: wrote $archive ($(du -k "$archive" | cut -f1) KiB)"
