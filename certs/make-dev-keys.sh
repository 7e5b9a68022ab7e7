#!/usr/bin/env bash
# Makes a development service-account key pair, like kubeadm's sa.key/sa.pub.
# The committed pair in certs/dev/ is for the quick start and the tests only:
# it is public knowledge, so never configure a real cluster with it.
#
#   certs/make-dev-keys.sh [OUT_DIR]     (default: certs/dev)
set -euo pipefail
out=${1:-"$(dirname "$0")/dev"}
mkdir -p "$out"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/sa.key" 2>/dev/null
openssl pkey -in "$out/sa.key" -pubout -out "$out/sa.pub"
# The kid the Kubernetes API server gives this key: base64url (no padding) of the
# SHA-256 of the DER SubjectPublicKeyInfo. Tests check kubeassume computes the same.
openssl pkey -pubin -in "$out/sa.pub" -outform DER | openssl dgst -sha256 -binary \
  | openssl base64 -A | tr '+/' '-_' | tr -d '=' > "$out/sa.kid"
echo "wrote $out/sa.key (private, keep it off any server), $out/sa.pub, $out/sa.kid"
