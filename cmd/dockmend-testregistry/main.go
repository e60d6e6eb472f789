// Command dockmend-testregistry runs an in-memory container registry on
// loopback for dockmend's CLI tests. It is a test helper, not part of
// dockmend.
//
// Usage:
//
//	dockmend-testregistry [serve] [flags]   start, seed, print the address, serve until killed
//	dockmend-testregistry push -to HOST [-spec FILE] [-image SPEC]...
//
// serve prints "127.0.0.1:PORT" on the first line of standard output once the
// registry is seeded and listening, and writes the same line to -addr-file
// (atomically, so the file's appearance means "ready"). Images come from
// -spec files and -image flags, one spec per line:
//
//	<repo>:<tag> [index|list|image|oci-image] [<os/arch[/variant]>...] [gen=<n>]
//
// for example "library/python:3.12 index linux/amd64 linux/arm64/v8". The
// same spec always yields the same digests; push the same tag with another
// gen=<n> to move it (push bypasses injected faults and authentication).
// -digests-file and push's standard output list what was seeded, one line
// per tag ("<repo>:<tag> - <digest>") and per index child
// ("<repo>:<tag> <platform> <digest>").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dockmend/dockmend/internal/testregistry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dockmend-testregistry:", err)
		os.Exit(2)
	}
}

type lines []string

// String implements flag.Value.
func (l *lines) String() string { return strings.Join(*l, "; ") }

// Set implements flag.Value by appending.
func (l *lines) Set(s string) error { *l = append(*l, s); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("dockmend-testregistry "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var specs, images lines
	fs.Var(&specs, "spec", "read image specs from `file` (repeatable)")
	fs.Var(&images, "image", "seed one image `spec` (repeatable)")
	switch cmd {
	case "serve":
		return serve(ctx, fs, args, &specs, &images, stdout, stderr)
	case "push":
		to := fs.String("to", "", "registry `host:port` to push to")
		toFile := fs.String("to-file", "", "read the registry address from `file` (as written by -addr-file)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		host := *to
		if *toFile != "" {
			b, err := os.ReadFile(*toFile)
			if err != nil {
				return err
			}
			host = strings.TrimSpace(string(b))
		}
		if host == "" {
			return errors.New("push: -to or -to-file is required")
		}
		imgs, err := readImages(specs, images)
		if err != nil {
			return err
		}
		seeded, err := testregistry.Push(ctx, host, imgs...)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, formatSeeded(seeded))
		return err
	default:
		return fmt.Errorf("unknown command %q (want serve or push)", cmd)
	}
}

func serve(ctx context.Context, fs *flag.FlagSet, args []string, specs, images *lines, stdout, stderr io.Writer) error {
	var f testregistry.Faults
	addr := fs.String("addr", "127.0.0.1:0", "listen `address` (loopback only)")
	addrFile := fs.String("addr-file", "", "write the address to `file` once ready")
	digestsFile := fs.String("digests-file", "", "write the seeded digests to `file`")
	fs.DurationVar(&f.Latency, "latency", 0, "delay every request by `duration`")
	fs.StringVar(&f.Match, "match", "", "counted faults apply to paths containing `substr` (default: all)")
	fs.IntVar(&f.Fail503, "fail-503", 0, "answer the next `n` matching requests with 503")
	fs.IntVar(&f.Fail429, "fail-429", 0, "answer the next `n` matching requests with 429")
	fs.DurationVar(&f.RetryAfter, "retry-after", 0, "send Retry-After (whole seconds) on injected 429/503")
	fs.IntVar(&f.Stall, "stall", 0, "hold the next `n` matching requests for -stall-for")
	fs.DurationVar(&f.StallFor, "stall-for", time.Minute, "how long a stalled request is held")
	fs.IntVar(&f.Reset, "reset", 0, "reset the connection of the next `n` matching requests")
	redirect := fs.String("redirect", "", "redirect matching manifest requests without end: `mode` self (to the same URL) or chain (to a new URL each time)")
	fs.StringVar(&f.HeadDigest, "head-digest", "", "report `digest` in Docker-Content-Digest of every HEAD of a manifest")
	fs.BoolVar(&f.EchoAuth, "echo-auth", false, "answer matching requests that carry credentials with 403 and an error that repeats them")
	token := fs.Bool("token", false, "require bearer tokens from the /token endpoint")
	user := fs.String("user", "", "with -token, require this user name at the token endpoint")
	password := fs.String("password", "", "with -user, the password")
	verbose := fs.Bool("v", false, "log requests to standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch testregistry.Redirect(*redirect) {
	case "", testregistry.RedirectSelf, testregistry.RedirectChain:
		f.Redirect = testregistry.Redirect(*redirect)
	default:
		return fmt.Errorf("-redirect %q: want self or chain", *redirect)
	}
	imgs, err := readImages(*specs, *images)
	if err != nil {
		return err
	}
	opts := []testregistry.Option{testregistry.WithAddr(*addr), testregistry.WithFaults(f)}
	if *token {
		opts = append(opts, testregistry.WithTokenAuth(testregistry.Auth{Username: *user, Password: *password}))
	}
	if *verbose {
		opts = append(opts, testregistry.WithLogger(log.New(stderr, "registry: ", log.Ltime)))
	}
	s, err := testregistry.Start(opts...)
	if err != nil {
		return err
	}
	defer s.Close()
	seeded, err := s.Seed(ctx, imgs...)
	if err != nil {
		return err
	}
	if *digestsFile != "" {
		if err := writeAtomic(*digestsFile, formatSeeded(seeded)); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(stdout, s.Host()); err != nil {
		return err
	}
	if *addrFile != "" {
		if err := writeAtomic(*addrFile, s.Host()+"\n"); err != nil {
			return err
		}
	}
	if err := s.Wait(ctx); errors.Is(err, context.Canceled) {
		return nil
	} else {
		return err
	}
}

func readImages(specs, images lines) ([]testregistry.Image, error) {
	var out []testregistry.Image
	for _, path := range specs {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		imgs, err := testregistry.ParseSpec(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, imgs...)
	}
	for _, line := range images {
		img, err := testregistry.ParseImage(line)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

func formatSeeded(seeded []testregistry.Seeded) string {
	var b strings.Builder
	for _, s := range seeded {
		ref := s.Image.Repo + ":" + s.Image.Tag
		fmt.Fprintf(&b, "%s - %s\n", ref, s.Digest)
		for _, c := range s.Children {
			fmt.Fprintf(&b, "%s %s %s\n", ref, c.Platform, c.Digest)
		}
	}
	return b.String()
}

func writeAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
