package resolve

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/dockmend/dockmend/internal/redact"
)

// Reason is a short, stable, machine-readable cause of a failed lookup, for
// reports and skip messages.
type Reason string

const (
	// ReasonInvalid: the reference cannot be parsed (or holds a variable).
	ReasonInvalid Reason = "invalid-reference"
	// ReasonNotFound: the registry has no such repository, tag or digest.
	ReasonNotFound Reason = "not-found"
	// ReasonUnauthorized: the registry refused the credentials (401/403).
	ReasonUnauthorized Reason = "unauthorized"
	// ReasonRateLimited: still 429 after the retries.
	ReasonRateLimited Reason = "rate-limited"
	// ReasonUnavailable: still 5xx after the retries.
	ReasonUnavailable Reason = "unavailable"
	// ReasonTimeout: a timeout expired.
	ReasonTimeout Reason = "timeout"
	// ReasonNetwork: the registry could not be reached.
	ReasonNetwork Reason = "network"
	// ReasonInsecure: the lookup would need plain HTTP to a host that is
	// neither loopback nor named as an insecure registry.
	ReasonInsecure Reason = "insecure-blocked"
	// ReasonNoPlatform: nothing matches the requested platform.
	ReasonNoPlatform Reason = "no-platform-match"
	// ReasonAmbiguousPlatform: several different manifests match it.
	ReasonAmbiguousPlatform Reason = "ambiguous-platform"
	// ReasonPlatformUnknown: the platform of a pinned manifest cannot be
	// told, so a refresh would have to guess.
	ReasonPlatformUnknown Reason = "platform-unknown"
	// ReasonKindChanged: an index pin would become a single manifest (or
	// the reverse).
	ReasonKindChanged Reason = "kind-changed"
	// ReasonUnsupported: the registry returned a manifest type dockmend
	// does not pin (schema 1, nested indexes, artifacts).
	ReasonUnsupported Reason = "unsupported-manifest"
	// ReasonOffline: offline, and the lock file has no answer.
	ReasonOffline Reason = "offline-unresolved"
	// ReasonLimit: the registry needed more redirects (MaxRedirects) or
	// more requests for one lookup (MaxRequestsPerLookup) than dockmend
	// allows, as an endless redirect does.
	ReasonLimit Reason = "request-limit"
	// ReasonDigestMismatch: the registry reported a digest for a tag that
	// the hash of the manifest it serves for the tag contradicts.
	ReasonDigestMismatch Reason = "digest-mismatch"
	// ReasonCanceled: the caller's context ended.
	ReasonCanceled Reason = "canceled"
	// ReasonRegistry: any other registry error.
	ReasonRegistry Reason = "registry-error"
)

// Error is a failed lookup. Its message has credentials removed: URL user
// information, token-like URL parameters, Authorization values, and every
// credential the Resolver sent, wherever a registry repeats it.
type Error struct {
	// Ref is the reference as given.
	Ref string
	// Reason classifies the failure.
	Reason Reason
	msg    string
	err    error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Ref == "" {
		return e.msg
	}
	return "resolving " + e.Ref + ": " + e.msg
}

// Unwrap returns the underlying error, for errors.Is and errors.As. Print
// the *Error itself, not what Unwrap returns: only its message is redacted.
func (e *Error) Unwrap() error { return e.err }

// reasonError carries a reason through internal calls.
type reasonError struct {
	reason Reason
	err    error
}

// Error returns the underlying message.
func (e *reasonError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *reasonError) Unwrap() error { return e.err }

func withReason(reason Reason, err error) error { return &reasonError{reason, err} }

// policyError is a request refused locally, before any network use.
type policyError struct{ msg string }

// Error returns the refusal.
func (e *policyError) Error() string { return e.msg }

// newError wraps err for ref with a classified reason and a redacted
// message.
func newError(ref string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Ref: ref, Reason: e.Reason, msg: e.msg, err: e.err}
	}
	return &Error{Ref: ref, Reason: classify(err), msg: redact.String(err.Error()), err: err}
}

// unreachableErr reports whether err says that a registry could not be
// reached at all: a DNS lookup failed, or connecting (to it or to the
// proxy) was refused or timed out.
func unreachableErr(err error) bool {
	switch classify(err) {
	case ReasonNetwork, ReasonTimeout:
	default:
		return false
	}
	var de *net.DNSError
	var oe *net.OpError
	return errors.As(err, &de) || errors.As(err, &oe) && (oe.Op == "dial" || oe.Op == "proxyconnect")
}

func classify(err error) Reason {
	var re *reasonError
	if errors.As(err, &re) {
		return re.reason
	}
	var le *limitError
	if errors.As(err, &le) {
		return ReasonLimit
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ReasonCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	}
	// go-containerregistry joins the errors of its HTTPS and plain-HTTP
	// pings; a registry's answer explains more than the refused attempt.
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound:
			return ReasonNotFound
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
			return ReasonUnauthorized
		case te.StatusCode == http.StatusTooManyRequests:
			return ReasonRateLimited
		case te.StatusCode >= 500:
			return ReasonUnavailable
		}
		for _, d := range te.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
				return ReasonNotFound
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return ReasonUnauthorized
			case transport.TooManyRequestsErrorCode:
				return ReasonRateLimited
			}
		}
		return ReasonRegistry
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return ReasonTimeout
		}
		return ReasonNetwork
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return ReasonNetwork
	}
	var pe *policyError
	if errors.As(err, &pe) {
		return ReasonInsecure
	}
	return ReasonRegistry
}
