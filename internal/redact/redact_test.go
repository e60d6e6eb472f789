package redact

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"GET https://user:pa55@host/v2/": "GET https://REDACTED@host/v2/",
		"GET https://auth.example/token?scope=repository:a:pull&access_token=abc.def&x=1": "GET https://auth.example/token?scope=repository:a:pull&access_token=REDACTED&x=1",
		"https://s3/x?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA":                     "https://s3/x?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload":                              "Authorization: Bearer REDACTED",
		"Basic cm9ib3Q6czNjcjN0":                                           "Basic REDACTED",
		`mirror "ftp://bob:hunter22@mirror.example/x"`:                     `mirror "ftp://REDACTED@mirror.example/x"`,
		"HEAD http://127.0.0.1:5000/v2/library/python/manifests/3.12: 404": "HEAD http://127.0.0.1:5000/v2/library/python/manifests/3.12: 404",
		"python:3.12@sha256:abc":                                           "python:3.12@sha256:abc",
		`--registry-mirror "bob:hunter22@m.example": want KEY=VALUE`:       `--registry-mirror "REDACTED@m.example": want KEY=VALUE`,
		"host bob:hunter22@m.example:5000/x":                               "host REDACTED@m.example:5000/x",
		"FROM python:3.12@sha256:" + strings.Repeat("0", 64):               "FROM python:3.12@sha256:" + strings.Repeat("0", 64),
		"ghcr.io/a/b:1@sha256:abc, alpine:3@sha256:def":                    "ghcr.io/a/b:1@sha256:abc, alpine:3@sha256:def",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	var s Secrets
	basic := base64.StdEncoding.EncodeToString([]byte("robot:s3cr3t-pa55"))
	s.AddHeader("Basic " + basic)
	s.AddHeader("Bearer tok-12345")
	s.AddHeader("Bearer abc") // too short to mask on its own
	s.Add("")
	for in, want := range map[string]string{
		"DENIED: credentials " + basic + " are not allowed": "DENIED: credentials REDACTED are not allowed",
		"bad token tok-12345":                               "bad token REDACTED",
		"user robot:s3cr3t-pa55 unknown":                    "user REDACTED unknown",
		"password s3cr3t-pa55 expired":                      "password REDACTED expired",
		"robot is fine, abc too":                            "robot is fine, abc too",
	} {
		if got := s.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	var none *Secrets
	if got := none.Redact("https://a:b@c/"); got != "https://REDACTED@c/" {
		t.Errorf("nil Secrets: %q", got)
	}
}
