// Package redact removes credentials from the text dockmend prints.
//
// String masks what looks like a credential wherever it appears: the user
// information of URLs ("https://user:pass@host"), token-like query
// parameters ("access_token=", "X-Amz-Signature=") and Authorization
// values ("Bearer ...", "Basic ..."). A registry may also repeat a
// credential with no such mark ("credentials dXNlcjpwYXNz are not
// allowed"); a Secrets remembers every credential dockmend sent so that
// those are masked too. Every message about a registry passes through one
// Secrets at the boundary where errors become messages (package resolve),
// and the command line passes what it prints through String.
package redact

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask replaces what is removed.
const Mask = "REDACTED"

var (
	// scheme://user:password@host
	userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s"']+@`)
	// user:password@host, without a scheme, as a whole word (not
	// python:3.12@sha256:..., whose "host" would be followed by ':').
	bareUserinfoRE = regexp.MustCompile(`(^|[\s"'(=,])[^\s"'(=,@/:]+:[^\s"'@/]+@([A-Za-z0-9.-]+(?::[0-9]+)?(?:[/\s"'),]|$))`)
	digestRE       = regexp.MustCompile(`^[a-z0-9]+:[0-9a-f]{32,}`)
	// ?access_token=..., &X-Amz-Signature=..., &password=...
	secretParamRE = regexp.MustCompile(`(?i)([?&][^=&\s]*(?:token|passw|secret|signature|credential|auth|key)[^=&\s]*=)[^&\s"']*`)
	// Authorization header values that found their way into a message.
	authValueRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`)
)

// String masks the credential-like parts of s: URL user information (with
// or without a scheme), token-like query parameters and Authorization
// values.
func String(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}"+Mask+"@")
	s = bareUserinfoRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := bareUserinfoRE.FindStringSubmatch(m)
		if digestRE.MatchString(sub[2]) {
			return m // image:tag@sha256:<digits>
		}
		return sub[1] + Mask + "@" + sub[2]
	})
	s = secretParamRE.ReplaceAllString(s, "${1}"+Mask)
	s = authValueRE.ReplaceAllString(s, "${1} "+Mask)
	return s
}

// MinSecret is the shortest value a Secrets masks: masking shorter ones
// would garble messages more than it protects.
const MinSecret = 4

// Secrets remembers credentials that were sent, to mask them wherever they
// reappear. The zero value is ready to use, and it is safe for concurrent
// use.
type Secrets struct {
	mu   sync.RWMutex
	list []string // longest first, so that a secret is masked before its parts
}

// Add remembers secret, unless it is shorter than MinSecret.
func (s *Secrets) Add(secret string) {
	if len(secret) < MinSecret {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.list, secret) {
		return
	}
	s.list = append(s.list, secret)
	slices.SortStableFunc(s.list, func(a, b string) int { return len(b) - len(a) })
}

// AddHeader remembers the value of an Authorization (or similar) header
// that was sent: the whole value, the credentials after the scheme, and
// for Basic the decoded "user:password" and the password.
func (s *Secrets) AddHeader(value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	s.Add(value)
	scheme, cred, ok := strings.Cut(value, " ")
	if !ok {
		return
	}
	cred = strings.TrimSpace(cred)
	s.Add(cred)
	if !strings.EqualFold(scheme, "basic") {
		return
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return
	}
	s.Add(string(raw))
	if _, pass, ok := strings.Cut(string(raw), ":"); ok {
		s.Add(pass)
	}
}

// Redact masks the remembered secrets in msg, and what String masks.
func (s *Secrets) Redact(msg string) string {
	if s != nil {
		s.mu.RLock()
		for _, secret := range s.list {
			msg = strings.ReplaceAll(msg, secret, Mask)
		}
		s.mu.RUnlock()
	}
	return String(msg)
}
