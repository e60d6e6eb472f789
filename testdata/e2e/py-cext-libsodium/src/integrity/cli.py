"""integrity: write or check a BLAKE2b manifest of files."""
import argparse
import sys

from . import blake2b, library_version


def digest_file(path):
    with open(path, "rb") as f:
        return blake2b(f.read()).hex()


def main(argv=None):
    p = argparse.ArgumentParser(prog="integrity", description=__doc__)
    p.add_argument("--check", metavar="MANIFEST", help="verify the files a manifest lists")
    p.add_argument("--string", help="hash this string instead of files")
    p.add_argument("files", nargs="*")
    args = p.parse_args(argv)

    print(f"# libsodium {library_version()}", file=sys.stderr)
    if args.string is not None:
        print(f"{blake2b(args.string.encode()).hex()}  -")
        return 0
    if args.check:
        bad = 0
        with open(args.check, encoding="utf-8") as m:
            for line in m:
                want, path = line.rstrip("\n").split("  ", 1)
                ok = digest_file(path) == want
                bad += not ok
                print(f"{path}: {'OK' if ok else 'FAILED'}")
        return 1 if bad else 0
    for path in args.files:
        print(f"{digest_file(path)}  {path}")
    return 0
