#!/bin/bash
# selftest: start nginx, fetch the pages over its socket, check the time zone data, stop nginx.
set -euo pipefail
sock=/run/nginx/site.sock
nginx -t 2>&1 | tail -1
nginx
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
fetch() { curl -fsS --unix-socket "$sock" "$@"; }
echo "healthz: $(fetch http://localhost/healthz)"
fetch http://localhost/ | grep -o '<h1>.*</h1>'
fetch http://localhost/about.html | grep -o 'About this site[^<]*'
echo "gzip: $(fetch -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download} bytes, %header{content-encoding}' http://localhost/style.css)"
echo "local time zone: $(cat /etc/timezone 2>/dev/null || readlink /etc/localtime) ($(TZ=Europe/Amsterdam date -d @0 +%Z))"
nginx -s quit
