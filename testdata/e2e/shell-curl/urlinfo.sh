#!/bin/sh
# urlinfo URL...  print one JSON line per URL: status code, size, content type, time
# urlinfo --doctor  check that this image can do what urlinfo needs (HTTPS included)
set -eu

doctor() {
  ok=0
  for p in file http https; do
    if curl --version | grep -qw "$p"; then echo "protocol $p: ok"; else echo "protocol $p: MISSING"; ok=1; fi
  done
  # HTTPS needs a CA bundle: curl on Debian reads /etc/ssl/certs/ca-certificates.crt
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then echo "ca bundle: ok"; else echo "ca bundle: MISSING"; ok=1; fi
  jq --version >/dev/null && echo "jq: ok"
  return $ok
}

[ $# -gt 0 ] || { echo "usage: urlinfo URL... | urlinfo --doctor" >&2; exit 2; }
if [ "$1" = --doctor ]; then doctor; exit; fi
for u in "$@"; do
  curl -sS -o /dev/null -w '%{json}' "$u" |
    jq -c --arg url "$u" '{url: $url, code: .response_code, bytes: .size_download, type: .content_type, seconds: .time_total}'
done
