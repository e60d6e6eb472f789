#!/usr/bin/python3
"""feedcheck: summarize the RSS feeds listed in /etc/feedcheck/feeds.yaml.

Feeds are fetched with requests (http/https) or read from disk (file paths);
--offline reads only the local ones.
"""
import argparse
import sys

import requests
import yaml
from lxml import etree


def load(src, offline):
    if src.startswith(("http://", "https://")):
        if offline:
            return None
        r = requests.get(src, timeout=10)
        r.raise_for_status()
        return r.content
    with open(src, "rb") as f:
        return f.read()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--config", default="/etc/feedcheck/feeds.yaml")
    p.add_argument("--offline", action="store_true")
    args = p.parse_args()

    with open(args.config, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    print(f"feedcheck: requests {requests.__version__}, PyYAML {yaml.__version__}, "
          f"lxml {etree.__version__} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))})")
    for feed in cfg["feeds"]:
        data = load(feed["url"], args.offline)
        if data is None:
            print(f"{feed['name']}: skipped (offline)")
            continue
        root = etree.fromstring(data)
        items = root.findall("./channel/item")
        print(f"{feed['name']}: {len(items)} items, channel {root.findtext('./channel/title')!r}")
        for item in items[: cfg.get("show", 2)]:
            print(f"  - {item.findtext('title')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
