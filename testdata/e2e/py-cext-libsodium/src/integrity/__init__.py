from ._sodium import blake2b, library_version

__all__ = ["blake2b", "library_version"]
