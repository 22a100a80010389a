#!/usr/bin/env bash
# Makes the stand-in's TLS material: a CA, and a certificate for localhost and
# 127.0.0.1 signed by it. Usage: make-certs.sh OPENSSL OUTDIR
set -euo pipefail
openssl=$1 out=$2
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$openssl" req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
  -subj "/CN=Asio workbook local CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
"$openssl" req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
  > "$tmp/ext.cnf"
"$openssl" x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 3650 -sha256 -extfile "$tmp/ext.cnf" -out "$tmp/server.pem" 2>/dev/null
# The CA's key is thrown away: nothing else can ever be signed with it.
cp "$tmp/ca.pem" "$tmp/server.pem" "$tmp/server.key" "$out/"
chmod 600 "$out/server.key"
