import sys

from . import COMPILED, closest, levenshtein

WORDS = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach"]


def main(argv):
    if len(argv) == 2:
        a, b = argv
        print(f"levenshtein({a!r}, {b!r}) = {levenshtein(a, b)}")
    elif len(argv) == 1:
        print(f"closest to {argv[0]!r}: {closest(argv[0], WORDS)}")
    else:
        print("usage: python3 -m textdist WORD [WORD]", file=sys.stderr)
        return 2
    print(f"compiled: {COMPILED}")
    return 0


sys.exit(main(sys.argv[1:]))
