{
  "targets": [
    {
      "target_name": "slug",
      "sources": ["src/slug.cc"],
      "include_dirs": ["<!(node -e \"require('nan')\")"],
      "cflags_cc": ["-std=c++17"]
    }
  ]
}
