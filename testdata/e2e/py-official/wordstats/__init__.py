"""Word statistics; the tokenizer is a C extension."""
from ._tok import words

__all__ = ["words"]
