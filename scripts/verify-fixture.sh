# SPDX-License-Identifier: Apache-2.0
# Helpers for tests/cli/verify-*.sh: build small signed supply chains with
# this project's own keygen, key, sign and run.  Sourced, not run; needs
# $INTOTO (the in-toto binary).  Keys are ed25519 (fast to generate).

FX_EXPIRES=2099-12-31T23:59:59Z

# fx_key NAME...: generate NAME and NAME.pub.
fx_key() {
    for k in "$@"; do
        "$INTOTO" keygen -t ed25519 "$k" >/dev/null || return 1
    done
}

# fx_id NAME [new]: the legacy (or new) key id of NAME.pub.
fx_id() {
    "$INTOTO" key id "$1.pub" |
        awk -v f="${2:-legacy}:" '$1 == f { print $2 }'
}

fx_id8() {
    fx_id "$@" | cut -c1-8
}

# fx_keyentry NAME [new]: '"<id>": <key object>' for a layout's keys.
fx_keyentry() {
    if [ "${2:-}" = new ]; then
        printf '"%s": ' "$(fx_id "$1" new)"
        "$INTOTO" key layout --new-keyid "$1.pub"
    else
        printf '"%s": ' "$(fx_id "$1")"
        "$INTOTO" key layout "$1.pub"
    fi
}

# fx_step NAME 'PUBKEYS' THRESHOLD 'MATERIAL RULES' 'PRODUCT RULES':
# a step object; PUBKEYS and the rules are JSON list bodies.
fx_step() {
    printf '{"_type": "step", "name": "%s", "pubkeys": [%s], ' "$1" "$2"
    printf '"threshold": %s, "expected_command": [], ' "$3"
    printf '"expected_materials": [%s], "expected_products": [%s]}' "$4" "$5"
}

# fx_inspection NAME 'RUN' 'MATERIAL RULES' 'PRODUCT RULES'.
fx_inspection() {
    printf '{"_type": "inspection", "name": "%s", "run": [%s], ' "$1" "$2"
    printf '"expected_materials": [%s], "expected_products": [%s]}' "$3" "$4"
}

# fx_layout OUT EXPIRES 'STEPS' 'INSPECTIONS' 'KEY ENTRIES': an unsigned
# layout Metablock (sign it with fx_sign).
fx_layout() {
    printf '{"signatures": [], "signed": {"_type": "layout", ' >"$1"
    printf '"expires": "%s", "readme": "", "keys": {%s}, ' "$2" "$5" >>"$1"
    printf '"steps": [%s], "inspect": [%s]}}\n' "$3" "$4" >>"$1"
}

# fx_sign FILE KEY: sign a layout in place.
fx_sign() {
    "$INTOTO" sign -f "$1" -k "$2" >/dev/null
}

# fx_run STEP KEY [in-toto run options] -- CMD...: record a link.
fx_run() {
    step=$1 key=$2
    shift 2
    "$INTOTO" run -q -n "$step" -k "$key" "$@" >/dev/null
}

# fx_verify [options]: verify root.layout signed by owner.
fx_verify() {
    "$INTOTO" verify -l root.layout -k owner.pub -t ed25519 "$@"
}
