import argparse
import json
import sys

import yaml

from . import __version__
from .merge import deep_merge, load_layers, lookup


def main(argv=None):
    p = argparse.ArgumentParser(prog="confmerge", description=__doc__)
    p.add_argument("--defaults", default="/usr/share/confmerge/defaults.yaml")
    p.add_argument("--confdir", default="/etc/confmerge/conf.d")
    p.add_argument("--get", metavar="KEY", help="print one dotted key")
    p.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    p.add_argument("--version", action="version",
                   version=f"confmerge {__version__} (PyYAML {yaml.__version__}, libyaml {yaml.__with_libyaml__})")
    args = p.parse_args(argv)

    merged = {}
    try:
        for path, data in load_layers(args.defaults, args.confdir):
            print(f"# layer {path}", file=sys.stderr)
            merged = deep_merge(merged, data)
    except OSError as e:
        print(f"confmerge: {e}", file=sys.stderr)
        return 1

    if args.get:
        try:
            value = lookup(merged, args.get)
        except KeyError:
            print(f"confmerge: no key {args.get}", file=sys.stderr)
            return 1
        print(f"{args.get} = {json.dumps(value)}")
    elif args.json:
        print(json.dumps(merged, indent=2, sort_keys=True))
    else:
        sys.stdout.write(yaml.safe_dump(merged, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
