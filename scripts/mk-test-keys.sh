#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Generate the key fixtures in tests/data/keys (throw-away test keys).
# PEM files come from the openssl command; the securesystemslib JSON files
# come from the reference's own library (Debian's python3-securesystemslib),
# so the tests read exactly what in-toto 1.3 writes.  Re-running replaces
# every key; the tests compute what they expect from the files.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/tests/data/keys"
pw=secret
mkdir -p "$out"
cd "$out"
rm -f ./*.pem ./*.pub ./sslib-* ./*.txt

gen() { openssl genpkey -quiet "$@"; }
pub() { openssl pkey -in "$1" -pubout -out "$2"; }

# RSA: PKCS#1 and PKCS#8, plain and encrypted.
gen -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa-pkcs8.pem
openssl pkey -in rsa-pkcs8.pem -traditional -out rsa-pkcs1.pem
openssl pkey -in rsa-pkcs8.pem -traditional -aes256 -passout "pass:$pw" \
    -out rsa-pkcs1-enc.pem
openssl pkcs8 -topk8 -in rsa-pkcs8.pem -v2 aes256 -passout "pass:$pw" \
    -out rsa-pkcs8-enc.pem
pub rsa-pkcs8.pem rsa.pub
gen -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa-1024.pem
pub rsa-1024.pem rsa-1024.pub

# ECDSA: SEC1 (plain, encrypted) and PKCS#8 on P-256, SEC1 on P-384.
gen -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-p256-pkcs8.pem
openssl pkey -in ec-p256-pkcs8.pem -traditional -out ec-p256-sec1.pem
openssl pkey -in ec-p256-pkcs8.pem -traditional -aes256 \
    -passout "pass:$pw" -out ec-p256-sec1-enc.pem
pub ec-p256-pkcs8.pem ec-p256.pub
gen -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec-p384-pkcs8.pem
openssl pkey -in ec-p384-pkcs8.pem -traditional -out ec-p384-sec1.pem
pub ec-p384-pkcs8.pem ec-p384.pub
# Curves this project refuses.
gen -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out ec-secp256k1.pem
pub ec-secp256k1.pem ec-secp256k1.pub
gen -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ec-p521.pem
pub ec-p521.pem ec-p521.pub

# Ed25519: PKCS#8, plain and encrypted.
gen -algorithm ED25519 -out ed25519-pkcs8.pem
openssl pkcs8 -topk8 -in ed25519-pkcs8.pem -v2 aes256 -passout "pass:$pw" \
    -out ed25519-pkcs8-enc.pem
pub ed25519-pkcs8.pem ed25519.pub

# Broken PEM: cut in the middle of the base64 body.
head -c 600 rsa-pkcs8.pem > truncated.pem
echo "$pw" > password.txt

# securesystemslib key files, written by the reference's library.
py=/usr/bin/python3
if ! $py -c 'import securesystemslib' 2>/dev/null; then
    echo "mk-test-keys: python3-securesystemslib missing; no sslib keys" >&2
    exit 1
fi
env -i PATH=/usr/bin:/bin HOME="$out" $py - "$pw" <<'PY'
import sys
from securesystemslib import interface as i
pw = sys.argv[1]
i._generate_and_write_ed25519_keypair(password=None, filepath="sslib-ed25519")
i._generate_and_write_ecdsa_keypair(password=None, filepath="sslib-ecdsa")
i._generate_and_write_ed25519_keypair(password=pw,
                                      filepath="sslib-ed25519-enc")
i._generate_and_write_ecdsa_keypair(password=pw, filepath="sslib-ecdsa-enc")
i._generate_and_write_rsa_keypair(password=pw, bits=3072,
                                  filepath="sslib-rsa-enc")
PY
# An encrypted key file whose ciphertext was altered: the HMAC must catch it.
sed 's/@@@@\(.\)\([^@]*\)$/@@@@\2\1/' sslib-ed25519-enc > sslib-ed25519-tampered
echo "mk-test-keys: wrote $(ls | wc -l) files to $out"
