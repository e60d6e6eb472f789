from setuptools import Extension, setup

setup(
    name="primes",
    version="0.2.0",
    description="Prime counting with a small C extension",
    packages=["primes"],
    ext_modules=[Extension("primes._sieve", ["primes/_sieve.c"], extra_compile_args=["-O2"])],
    entry_points={"console_scripts": ["primes = primes.cli:main"]},
    python_requires=">=3.8",
)
