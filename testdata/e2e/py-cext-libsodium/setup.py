from setuptools import Extension, setup

setup(
    name="integrity",
    version="0.4.1",
    description="BLAKE2b file manifests, hashed by libsodium",
    package_dir={"": "src"},
    packages=["integrity"],
    ext_modules=[
        Extension(
            "integrity._sodium",
            sources=["src/integrity/_sodium.c"],
            libraries=["sodium"],
        )
    ],
    entry_points={"console_scripts": ["integrity=integrity.cli:main"]},
)
