#!/usr/bin/env bash
# Sends a ticket to the tickets service: POST /ticket, text/plain, the file's bytes as they are.
#
#   scripts/send_ticket.sh [--url URL] [--secret S] [--key IDEMPOTENCY_KEY] [FILE]
#
#   FILE       the ticket to send (default: ticket.txt next to this script, the seed's ticket)
#   --url      the endpoint (default: http://localhost:9098/ticket)
#   --secret   sign the body: X-Signature: sha256=<hex HMAC-SHA256 of the body>, computed with
#              openssl; TICKET_SECRET in the environment does the same without showing in `ps`
#   --key      send Idempotency-Key: a retry with the same key and body gets the same ticket id
#
# Prints the response body on stdout and "HTTP <status>" on stderr; exits 0 on 2xx, 1 on any other
# status, 2 on a usage error, and curl's own code when the request cannot be made (7: refused,
# 28: timed out). Waits at most 3 s to connect and 10 s in all.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
url='http://localhost:9098/ticket'
secret="${TICKET_SECRET:-}"
key=''
file="$here/ticket.txt"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --url) [ $# -ge 2 ] || usage; url="$2"; shift 2 ;;
    --secret) [ $# -ge 2 ] || usage; secret="$2"; shift 2 ;;
    --key) [ $# -ge 2 ] || usage; key="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) file="$1"; shift ;;
  esac
done

[ -r "$file" ] || { echo "cannot read the ticket file: $file" >&2; exit 2; }

headers=(-H 'Content-Type: text/plain; charset=utf-8')
if [ -n "$secret" ]; then
  # -r prints "<hex> *<file>", the same on OpenSSL 1.1 and 3; the key is the secret's bytes.
  signature="$(openssl dgst -sha256 -hmac "$secret" -r "$file" | cut -d' ' -f1)"
  headers+=(-H "X-Signature: sha256=$signature")
fi
[ -z "$key" ] || headers+=(-H "Idempotency-Key: $key")

response="$(mktemp)"
trap 'rm -f "$response"' EXIT
# --data-binary keeps the bytes exactly (CRLF, BOM, no final newline): the signature covers them.
status="$(curl --silent --show-error --connect-timeout 3 --max-time 10 \
  --output "$response" --write-out '%{http_code}' \
  -X POST "${headers[@]}" --data-binary "@$file" "$url")"
cat "$response"
echo
echo "HTTP $status" >&2
case "$status" in 2??) exit 0 ;; *) exit 1 ;; esac
