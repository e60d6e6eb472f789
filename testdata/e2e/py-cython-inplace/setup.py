from Cython.Build import cythonize
from setuptools import setup

setup(
    name="textdist",
    version="1.1.0",
    packages=["textdist"],
    ext_modules=cythonize("textdist/_distance.pyx", language_level=3),
    zip_safe=False,
)
