package pin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/resolve"
)

// state is where a reference stands against its registry.
type state int

const (
	unpinned state = iota // no digest: want is the digest to pin
	fresh                 // pinned to what the tag points to
	stale                 // pinned, but the tag moved: want is the new digest
	noTag                 // pinned without a tag: cannot be checked
	noMatch               // pinned, but the tag has no digest of the pin's kind now
	failed                // the lookup failed
)

// status is the outcome of looking one reference up.
type status struct {
	state state
	want  resolve.Result
	err   error
	// reason classifies err, when the resolver said.
	reason resolve.Reason
}

// lookup finds where ref stands. A new pin is the tag's own digest, or
// the platform's manifest when platform is set: one HEAD. An existing pin
// is refreshed by the resolver, which keeps its kind: an index pin is
// compared with the tag's digest, a manifest pin with the tag's manifest
// for the same os/arch/variant.
func lookup(ctx context.Context, r Resolver, ref imageref.Ref, platform string) status {
	if ref.Digest == "" {
		res := r.Resolve(ctx, resolve.Request{Ref: ref.Text, Platform: platform})
		if err := checkResult(res); err != nil {
			return status{state: failed, err: err, reason: res.Reason}
		}
		return status{state: unpinned, want: res}
	}
	if ref.Tag == "" {
		return status{state: noTag}
	}
	res := r.Resolve(ctx, resolve.Request{Ref: ref.Text, Refresh: true})
	if err := checkResult(res); err != nil {
		switch res.Reason {
		case resolve.ReasonKindChanged, resolve.ReasonNoPlatform, resolve.ReasonPlatformUnknown, resolve.ReasonAmbiguousPlatform:
			return status{state: noMatch, err: err, reason: res.Reason}
		}
		return status{state: failed, err: err, reason: res.Reason}
	}
	if res.Digest == ref.Digest {
		return status{state: fresh}
	}
	return status{state: stale, want: res}
}

// checkResult returns the failure of res, or an error if its digest is
// not one dockmend writes.
func checkResult(res resolve.Result) error {
	if res.Err != nil {
		return res.Err
	}
	if !imageref.IsSHA256(res.Digest) {
		return fmt.Errorf("the resolver returned %q, not a sha256 digest", res.Digest)
	}
	return nil
}

// errText is err's message without the resolver's "resolving REF: "
// prefix, which the finding already says.
func errText(err error) string {
	var re *resolve.Error
	msg := err.Error()
	if errors.As(err, &re) {
		msg = strings.TrimPrefix(msg, "resolving "+re.Ref+": ")
	}
	return msg
}

// noResolver stands in for a missing Resolver.
type noResolver struct{}

var errNoResolver = errors.New("no registry access configured")

func (noResolver) Resolve(_ context.Context, req resolve.Request) resolve.Result {
	return resolve.Result{Ref: req.Ref, Err: errNoResolver}
}
