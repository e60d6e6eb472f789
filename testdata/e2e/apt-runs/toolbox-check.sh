#!/bin/sh
# toolbox-check: print the version of every tool this image is meant to have; fail if one is missing
rc=0
check() { # check NAME CMD...
  name=$1; shift
  if out=$("$@" 2>&1 | head -1) && [ -n "$out" ]; then echo "$name: $out"; else echo "$name: MISSING"; rc=1; fi
}
check git git --version
check ssh ssh -V
check rsync rsync --version
check ps ps --version
check less less --version
check vi sh -c 'vi --version | head -1'
check unzip sh -c 'unzip -v | head -1'
check xz xz --version
exit $rc
