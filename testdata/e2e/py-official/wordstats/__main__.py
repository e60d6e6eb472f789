import collections
import sys

from wordstats import words


def main() -> int:
    text = " ".join(sys.argv[1:]) if len(sys.argv) > 1 else sys.stdin.read()
    ws = words(text)
    top = collections.Counter(ws).most_common(3)
    print(f"{len(ws)} words, {len(set(ws))} distinct; top: " + ", ".join(f"{w}={n}" for w, n in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
