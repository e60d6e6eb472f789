"""Edit distances between strings, with a compiled core."""
try:
    from ._distance import levenshtein, closest
    COMPILED = True
except ImportError:  # source checkout without build_ext
    from ._pure import levenshtein, closest
    COMPILED = False
