// Package projectfiles tests the files of the repository that are not Go
// and that people use to adopt dockmend: the GitHub Action (action.yml and
// scripts/action.sh), the pre-commit hooks (.pre-commit-hooks.yaml), the
// container image (Dockerfile), the release build (make dist), the demo,
// and the examples in README.md and docs/*.md (every Dockerfile checked by
// dockmend, every workflow linted by actionlint, every action and image
// pinned).
//
// It has no code of its own beyond the tests: see the _test.go files.
package projectfiles
