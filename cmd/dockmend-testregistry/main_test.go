package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeAndPush(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.txt")
	os.WriteFile(spec, []byte("# seeded\nlibrary/python:3.12 index linux/amd64 linux/arm64/v8\n"), 0o644)
	addrFile, digests := filepath.Join(dir, "addr"), filepath.Join(dir, "digests")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-spec", spec, "-image", "team/app:1 image", "-addr-file", addrFile, "-digests-file", digests, "-fail-503", "1", "-match", "/manifests/"}, &out, &errOut)
	}()
	var host string
	for deadline := time.Now().Add(10 * time.Second); host == ""; {
		if b, err := os.ReadFile(addrFile); err == nil {
			host = strings.TrimSpace(string(b))
		} else if time.Now().After(deadline) {
			t.Fatalf("no address file; stderr: %s", errOut.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	d, _ := os.ReadFile(digests)
	if !strings.Contains(string(d), "library/python:3.12 linux/arm64/v8 sha256:") || !strings.Contains(string(d), "team/app:1 - sha256:") {
		t.Errorf("digests file:\n%s", d)
	}
	headDigest := func() (int, string) {
		req, _ := http.NewRequest(http.MethodHead, "http://"+host+"/v2/library/python/manifests/3.12", nil)
		req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Docker-Content-Digest")
	}
	if code, _ := headDigest(); code != 503 {
		t.Errorf("first HEAD = %d, want the injected 503", code)
	}
	_, before := headDigest()

	var pushOut bytes.Buffer
	if err := run(ctx, []string{"push", "-to-file", addrFile, "-image", "library/python:3.12 index gen=1"}, &pushOut, &errOut); err != nil {
		t.Fatal(err)
	}
	_, after := headDigest()
	if before == "" || before == after || !strings.Contains(pushOut.String(), "library/python:3.12 - "+after) {
		t.Errorf("tag not moved: before %s after %s; push printed:\n%s", before, after, pushOut.String())
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if got := strings.TrimSpace(out.String()); got != host {
		t.Errorf("stdout = %q, want %q", got, host)
	}
}

func TestBadUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	ctx := context.Background()
	for _, args := range [][]string{
		{"frobnicate"},
		{"push"},
		{"-image", "nocolon"},
		{"-addr", "0.0.0.0:0"},
		{"stray"},
	} {
		if err := run(ctx, args, &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
