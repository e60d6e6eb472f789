import argparse
import sys

from primes import count_primes, nth_prime


def main() -> int:
    p = argparse.ArgumentParser(prog="primes", description="count primes or find the n-th prime")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--count", type=int, metavar="N", help="number of primes <= N")
    g.add_argument("--nth", type=int, metavar="K", help="the K-th prime")
    a = p.parse_args()
    if a.count is not None:
        print(f"primes <= {a.count}: {count_primes(a.count)}")
    else:
        print(f"prime #{a.nth}: {nth_prime(a.nth)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
