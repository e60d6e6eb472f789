package vulndb

import (
	"fmt"

	apkversion "github.com/knqyf263/go-apk-version"
	debversion "github.com/knqyf263/go-deb-version"
)

// comparer orders the versions of one ecosystem.
type comparer interface {
	// compare returns -1, 0 or 1 as a is older than, equal to or newer
	// than b; an error when either is not a valid version.
	compare(a, b string) (int, error)
}

// dpkgVersions orders Debian and Ubuntu versions as dpkg does (epochs,
// "~" before anything).
type dpkgVersions struct{}

func (dpkgVersions) compare(a, b string) (int, error) {
	va, err := debversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("dpkg version %q: %w", a, err)
	}
	vb, err := debversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("dpkg version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// apkVersions orders Alpine versions as apk does (suffixes such as _rc,
// _p, and the -rN package release).
type apkVersions struct{}

func (apkVersions) compare(a, b string) (int, error) {
	va, err := apkversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("apk version %q: %w", a, err)
	}
	vb, err := apkversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("apk version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}
