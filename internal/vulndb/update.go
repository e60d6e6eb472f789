package vulndb

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultURL is where OSV publishes one all.zip per ecosystem
// (URL/Debian/all.zip, ...).
const DefaultURL = "https://osv-vulnerabilities.storage.googleapis.com"

// DefaultMaxAge is how old a database may be before reports call it stale.
const DefaultMaxAge = 7 * 24 * time.Hour

// DefaultDir returns where Update puts the database by default: the
// user's cache directory, dockmend/osv.
func DefaultDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "dockmend", "osv"), nil
}

// UpdateOptions configure Update.
type UpdateOptions struct {
	// URL is the base URL of the archives; default DefaultURL.
	URL string
	// Client sends the requests; default a client with a 30 s
	// response-header timeout.
	Client *http.Client
	// Ecosystems to download; default Ecosystems.
	Ecosystems []string
	// MaxBytes bounds one archive (default 4 GiB).
	MaxBytes int64
}

// Updated says what Update did with one archive.
type Updated struct {
	// Ecosystem is the folder: "Debian".
	Ecosystem string
	// Path is the archive written (or kept).
	Path string
	// Bytes is its size.
	Bytes int64
	// Changed is false when the server said the copy here is current.
	Changed bool
}

// Update downloads the ecosystems' all.zip files into dir, each written to
// a temporary file, checked to be a readable zip and renamed into place,
// so that a failed download leaves the old copy. A copy already here is
// sent as If-Modified-Since; a 304 keeps it and marks it fresh.
func Update(ctx context.Context, dir string, opts UpdateOptions) ([]Updated, error) {
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 30 * time.Second}}
	}
	if len(opts.Ecosystems) == 0 {
		opts.Ecosystems = Ecosystems
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 30
	}
	var out []Updated
	var errs []error
	for _, eco := range opts.Ecosystems {
		u, err := fetch(ctx, dir, eco, opts)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("%s: %w", eco, err))
			continue
		}
		out = append(out, u)
	}
	return out, errors.Join(errs...)
}

func fetch(ctx context.Context, dir, eco string, opts UpdateOptions) (Updated, error) {
	u := Updated{Ecosystem: eco, Path: filepath.Join(dir, eco, "all.zip")}
	url := strings.TrimRight(opts.URL, "/") + "/" + eco + "/all.zip"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return u, err
	}
	if fi, err := os.Stat(u.Path); err == nil {
		req.Header.Set("If-Modified-Since", fi.ModTime().UTC().Format(http.TimeFormat))
		u.Bytes = fi.Size()
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return u, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		now := time.Now()
		return u, os.Chtimes(u.Path, now, now)
	case http.StatusOK:
	default:
		return u, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if resp.ContentLength > opts.MaxBytes {
		return u, fmt.Errorf("GET %s: %d bytes, more than the %d allowed", url, resp.ContentLength, opts.MaxBytes)
	}
	if err := os.MkdirAll(filepath.Dir(u.Path), 0o755); err != nil {
		return u, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(u.Path), ".all.zip-*")
	if err != nil {
		return u, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, opts.MaxBytes+1))
	if err == nil && n > opts.MaxBytes {
		err = fmt.Errorf("GET %s: more than the %d bytes allowed", url, opts.MaxBytes)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return u, err
	}
	zr, err := zip.OpenReader(tmp.Name())
	if err != nil {
		return u, fmt.Errorf("GET %s: not a zip archive: %w", url, err)
	}
	zr.Close()
	if err := os.Rename(tmp.Name(), u.Path); err != nil {
		return u, err
	}
	u.Bytes, u.Changed = n, true
	return u, nil
}
