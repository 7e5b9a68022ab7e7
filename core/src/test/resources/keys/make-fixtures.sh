#!/usr/bin/env bash
# Regenerates the key fixtures the parser tests read. Each public key's expected kid
# (API server formula, computed by openssl) goes into <name>.kid.
set -euo pipefail
cd "$(dirname "$0")"
kid() { openssl pkey -pubin -in "$1" -outform DER | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=' > "${1%.pem}.kid"; }

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072-private.pem 2>/dev/null
openssl pkey -in rsa3072-private.pem -pubout -out rsa3072-spki.pem; kid rsa3072-spki.pem
openssl rsa -in rsa3072-private.pem -RSAPublicKey_out -out rsa3072-pkcs1.pem 2>/dev/null
openssl rsa -in rsa3072-private.pem -traditional -out rsa3072-private-pkcs1.pem 2>/dev/null
openssl req -x509 -key rsa3072-private.pem -subj /CN=fixture -days 36500 -out rsa3072-cert.pem 2>/dev/null
openssl pkcs8 -topk8 -in rsa3072-private.pem -v2 aes-128-cbc -passout pass:secret -out rsa3072-encrypted.pem

for c in P-256:ec256 P-384:ec384 P-521:ec521; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${c%%:*} -out ${c##*:}-private.pem
  openssl pkey -in ${c##*:}-private.pem -pubout -out ${c##*:}-spki.pem; kid ${c##*:}-spki.pem
done
openssl ec -in ec256-private.pem -out ec256-private-sec1.pem 2>/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024-private.pem 2>/dev/null
openssl pkey -in rsa1024-private.pem -pubout -out rsa1024-spki.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out secp256k1-private.pem
openssl pkey -in secp256k1-private.pem -pubout -out secp256k1-spki.pem
openssl genpkey -algorithm ED25519 -out ed25519-private.pem
openssl pkey -in ed25519-private.pem -pubout -out ed25519-spki.pem
rm -f rsa1024-private.pem secp256k1-private.pem ed25519-private.pem
