from setuptools import Extension, setup

setup(
    name="wordstats",
    version="1.0.0",
    description="Word statistics with a C tokenizer",
    packages=["wordstats"],
    ext_modules=[Extension("wordstats._tok", ["wordstats/_tok.c"])],
    entry_points={"console_scripts": ["wordstats = wordstats.__main__:main"]},
)
