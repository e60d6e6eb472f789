import hashlib
import unittest

from integrity import blake2b


class Blake2bTest(unittest.TestCase):
    def test_matches_hashlib(self):
        for data in (b"", b"abc", b"x" * 1000):
            self.assertEqual(blake2b(data), hashlib.blake2b(data, digest_size=32).digest())

    def test_size(self):
        self.assertEqual(len(blake2b(b"abc", size=64)), 64)
        with self.assertRaises(ValueError):
            blake2b(b"abc", size=8)


if __name__ == "__main__":
    unittest.main()
