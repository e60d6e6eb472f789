"""Prime counting with a sieve written in C."""
from ._sieve import count_primes, nth_prime

__all__ = ["count_primes", "nth_prime"]
