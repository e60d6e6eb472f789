"""Prime numbers with a C sieve."""
