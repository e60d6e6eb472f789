// Package imagediff reads a container image saved as a docker-archive
// ("docker save") and compares two of them: the image of a Dockerfile
// before dockmend's fixes and the image after.
//
// Read flattens the layers into one file tree, keeping for every entry the
// layer that last wrote it, its type, mode, owner and, for the files asked
// for, a SHA-256 digest; it sizes each layer uncompressed and gzipped; it
// reads the package databases (dpkg, apk) to tell which files packages
// own; and it reads the ELF headers of executables and shared libraries
// and the #! line of scripts, so that their dependencies can be resolved
// inside the image without running it.
//
// Compare reports what the second image lost: configuration, files that
// the Dockerfile's own steps made, libraries and interpreters that no
// longer resolve. Differences a rewrite is expected to make (package
// caches, files of packages no longer installed) are explained rather
// than counted against it.
//
// Images are untrusted input: every read is bounded.
package imagediff
