package imageref

import (
	"errors"
	"strings"
	"testing"
)

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParse(t *testing.T) {
	tests := []struct {
		in                           string
		name, tag, digest, canonical string
	}{
		{"python", "python", "", "", "docker.io/library/python:latest"},
		{"python:3.12-slim", "python", "3.12-slim", "", "docker.io/library/python:3.12-slim"},
		{"docker.io/library/python:3.12", "docker.io/library/python", "3.12", "", "docker.io/library/python:3.12"},
		{"docker.io/python:3.12", "docker.io/python", "3.12", "", "docker.io/library/python:3.12"},
		{"index.docker.io/python", "index.docker.io/python", "", "", "docker.io/library/python:latest"},
		{"bitnami/redis:7", "bitnami/redis", "7", "", "docker.io/bitnami/redis:7"},
		{"localhost:5000/app:tag", "localhost:5000/app", "tag", "", "localhost:5000/app:tag"},
		{"localhost/app", "localhost/app", "", "", "localhost/app:latest"},
		{"127.0.0.1:5000/a/b/c:1", "127.0.0.1:5000/a/b/c", "1", "", "127.0.0.1:5000/a/b/c:1"},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/servercore", "ltsc2022", "", "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"ghcr.io/o/r:v1@sha256:" + hex64, "ghcr.io/o/r", "v1", "sha256:" + hex64, "ghcr.io/o/r:v1"},
		{"ubuntu@sha256:" + hex64, "ubuntu", "", "sha256:" + hex64, "docker.io/library/ubuntu:latest"},
		{"my_repo/a__b-c.d:x", "my_repo/a__b-c.d", "x", "", "docker.io/my_repo/a__b-c.d:x"},
		{"[::1]:5000/app", "[::1]:5000/app", "", "", "[::1]:5000/app:latest"},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if r.Text != tt.in || r.Name != tt.name || r.Tag != tt.tag || r.Digest != tt.digest || r.Canonical() != tt.canonical {
			t.Errorf("Parse(%q) = name %q tag %q digest %q canonical %q, want %q %q %q %q",
				tt.in, r.Name, r.Tag, r.Digest, r.Canonical(), tt.name, tt.tag, tt.digest, tt.canonical)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"Python:3", "lowercase"},
		{"python:", "bad tag"},
		{"python:3.12 x", "bad tag"},
		{"python@sha256:abc", "bad digest"},
		{"python@", "bad digest"},
		{":3.12", "no repository"},
		{"a//b", "bad repository component"},
		{"${BASE}", "bad repository component"},
		{"python:-x", "bad tag"},
		{"bad_host:5000:x/y", "bad registry host"},
		{strings.Repeat("a", 256), "longer than"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", tt.in, tt.want)
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want ErrInvalid mentioning %q", tt.in, err, tt.want)
		}
	}
}

func TestFamiliar(t *testing.T) {
	for in, want := range map[string]string{
		"ubuntu":                       "ubuntu",
		"ubuntu:24.04@sha256:" + hex64: "ubuntu:24.04",
		"docker.io/library/x:1":        "docker.io/library/x:1",
	} {
		r, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Familiar(); got != want {
			t.Errorf("Familiar(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsSHA256(t *testing.T) {
	for d, want := range map[string]bool{
		"sha256:" + hex64:                    true,
		"sha256:" + strings.ToUpper(hex64):   false,
		"sha256:" + hex64[:63]:               false,
		"sha512:" + hex64 + hex64:            false,
		"sha256:" + hex64[:63] + "g":         false,
		"sha256:" + hex64 + "0":              false,
		strings.TrimPrefix(hex64, "sha256:"): false,
	} {
		if got := IsSHA256(d); got != want {
			t.Errorf("IsSHA256(%q) = %v, want %v", d, got, want)
		}
	}
}
