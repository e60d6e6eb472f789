#!/bin/sh
# devbox-check: print the version of every tool the image is meant to have; fail if one is missing
rc=0
check() { # check NAME CMD...
  name=$1; shift
  if out=$("$@" 2>&1 | head -1) && [ -n "$out" ]; then echo "$name: $out"; else echo "$name: MISSING"; rc=1; fi
}
check git git --version
check curl sh -c 'curl --version | head -1'
check zsh zsh --version
check vi sh -c 'vi --version | head -1'
check less less --version
check jq jq --version
check user sh -c 'getent passwd dev | cut -d: -f1,7'
check json sh -c 'echo "{\"tool\":\"jq\"}" | jq -r .tool'
exit $rc
