import sys

from primes import _sieve


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(" ".join(str(p) for p in _sieve.primes(n)))
    print("computed by the C extension", _sieve.__name__)


if __name__ == "__main__":
    main()
