#!/usr/bin/env bash
# Makes a development CA and a server certificate for localhost, so the quick start and the
# tests can serve over https (--tls-cert/--tls-key). The committed files in certs/dev/tls/ are
# public knowledge: trust ca.crt only for local testing, never in a browser or a real client.
#
#   certs/make-dev-tls.sh [OUT_DIR]     (default: certs/dev/tls)
set -euo pipefail
out=${1:-"$(dirname "$0")/dev/tls"}
days=${DAYS:-3650}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CA key lives only for this run: nothing else is ever signed with it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -keyout "$work/ca.key" -out "$out/ca.crt" -subj "/CN=kubeassume dev CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$work/tls.key" -out "$work/tls.csr" -subj "/CN=localhost" 2>/dev/null
cat > "$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EXT
openssl x509 -req -in "$work/tls.csr" -CA "$out/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -CAserial "$work/ca.srl" \
  -days "$days" -extfile "$work/ext.cnf" -out "$work/leaf.crt" 2>/dev/null
# The server presents its chain: leaf first, then the CA, as cert-manager writes tls.crt.
cat "$work/leaf.crt" "$out/ca.crt" > "$out/tls.crt"
openssl pkcs8 -topk8 -nocrypt -in "$work/tls.key" -out "$out/tls.key"
chmod 600 "$out/tls.key"
echo "wrote $out/ca.crt (trust it for testing), $out/tls.crt and $out/tls.key (--tls-cert / --tls-key)"
