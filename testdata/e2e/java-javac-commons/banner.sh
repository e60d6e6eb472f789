#!/bin/sh
# banner: wrapper that runs the banner jar with Debian's commons-lang3
exec java ${JAVA_OPTS} \
    -cp /usr/share/banner/banner.jar:/usr/share/java/commons-lang3.jar \
    org.example.banner.Main "$@"
