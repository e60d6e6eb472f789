from setuptools import Extension, setup

setup(
    name="primes",
    version="1.0",
    packages=["primes"],
    ext_modules=[Extension("primes._sieve", ["primes/_sieve.c"])],
    entry_points={"console_scripts": ["primes=primes.cli:main"]},
)
