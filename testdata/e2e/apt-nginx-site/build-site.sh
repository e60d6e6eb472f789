#!/bin/sh
# Render index.html from its template and pre-compress the text files for gzip_static.
set -eu
SITE=${1:-/var/www/site}
title=${SITE_TITLE:-"Example static site"}
pages=$(find "$SITE" -name '*.html' -o -name '*.html.in' | wc -l)
sed -e "s|@TITLE@|$title|g" \
    -e "s|@BUILD_DATE@|$(date -u +%Y-%m-%d)|g" \
    -e "s|@PAGES@|$pages|g" \
    "$SITE/index.html.in" > "$SITE/index.html"
rm "$SITE/index.html.in"
find "$SITE" -type f \( -name '*.html' -o -name '*.css' \) -exec gzip -9 -k -f {} \;
echo "rendered $SITE ($pages pages)"
