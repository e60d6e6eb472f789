package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fakeDocker is the "fake-docker" command of the scripts: a stand-in for
// the docker command line, which cannot run here. It appends its
// arguments, one command a line, to $FAKE_DOCKER_LOG (prefixed with
// DOCKER_BUILDKIT=1 when that is set) and keeps its images as
// docker-archives in $FAKE_DOCKER_STATE. A build makes an image of two
// layers: a fixed base layer (/bin/sh) and /app/Dockerfile.txt holding
// the Dockerfile; a Dockerfile with the word FAIL-BUILD (or
// $FAKE_DOCKER_FAIL) fails. With
// FAKE_DOCKER_BUILDX=1 "docker buildx" exists; with FAKE_DOCKER_DOWN=1
// the daemon does not answer.
func fakeDocker() {
	args := os.Args[1:]
	line := strings.Join(args, " ")
	if os.Getenv("DOCKER_BUILDKIT") != "" {
		line = "DOCKER_BUILDKIT=" + os.Getenv("DOCKER_BUILDKIT") + " " + line
	}
	if f, err := os.OpenFile(os.Getenv("FAKE_DOCKER_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, line)
		f.Close()
	}
	state := os.Getenv("FAKE_DOCKER_STATE")
	archive := func(ref string) string {
		return filepath.Join(state, strings.NewReplacer("/", "_", ":", "_").Replace(ref)+".tar")
	}
	fail := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, format+"\n", a...)
		os.Exit(1)
	}
	if len(args) == 0 {
		fail("usage: docker COMMAND")
	}
	switch {
	case args[0] == "version":
		if os.Getenv("FAKE_DOCKER_DOWN") == "1" {
			fail("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
		}
		fmt.Println("28.2.2")
	case len(args) > 1 && args[0] == "buildx" && args[1] == "version":
		if os.Getenv("FAKE_DOCKER_BUILDX") != "1" {
			fail("docker: 'buildx' is not a docker command.")
		}
		fmt.Println("github.com/docker/buildx v0.20.0")
	case args[0] == "build" || (args[0] == "buildx" && len(args) > 1 && args[1] == "build"):
		var iid, tag, dockerfile string
		for i := 0; i+1 < len(args); i++ {
			switch args[i] {
			case "--iidfile":
				iid = args[i+1]
			case "-t":
				tag = args[i+1]
			case "-f":
				dockerfile = args[i+1]
			}
		}
		data, err := os.ReadFile(dockerfile)
		if err != nil {
			fail("ERROR: %v", err)
		}
		word := os.Getenv("FAKE_DOCKER_FAIL")
		if word == "" {
			word = "FAIL-BUILD"
		}
		if bytes.Contains(data, []byte(word)) {
			fail("ERROR: failed to solve: process \"/bin/sh -c %s\" did not complete successfully: exit code: 1", word)
		}
		id, err := writeFakeImage(archive(tag), data)
		if err != nil {
			fail("ERROR: %v", err)
		}
		if err := os.WriteFile(iid, []byte(id), 0o644); err != nil {
			fail("ERROR: %v", err)
		}
		fmt.Println("#1 [internal] load build definition from Dockerfile\n#2 DONE 0.1s")
	case args[0] == "image" && len(args) > 2 && args[1] == "inspect":
		ref := args[2]
		cfg := map[string]any{"Cmd": []string{"sh"}}
		layers := []string{fakeDiffID(fakeBaseLayer())}
		if data, err := os.ReadFile(archive(ref)); err == nil {
			layers = append(layers, fakeDiffID(fakeAppLayer(dockerfileOf(data))))
			cfg["Cmd"] = []string{"/app/run"}
		} else if strings.HasPrefix(ref, "localhost/dockmend-verify-") {
			fail("Error response from daemon: No such image: %s", ref)
		}
		json.NewEncoder(os.Stdout).Encode([]any{map[string]any{"Id": "sha256:" + strings.Repeat("1", 64), "Config": cfg, "RootFS": map[string]any{"Layers": layers}}})
	case args[0] == "save" && len(args) == 4 && args[1] == "-o":
		data, err := os.ReadFile(archive(args[3]))
		if err != nil {
			fail("Error response from daemon: No such image: %s", args[3])
		}
		if err := os.WriteFile(args[2], data, 0o644); err != nil {
			fail("%v", err)
		}
	case args[0] == "run":
		fmt.Printf("ran %s\n", strings.Join(args[len(args)-2:], " "))
	case args[0] == "image" && len(args) > 2 && args[1] == "rm":
		if err := os.Remove(archive(args[2])); err != nil {
			fail("Error response from daemon: No such image: %s", args[2])
		}
		fmt.Println("Untagged: " + args[2])
	default:
		fail("fake docker: unknown command %q", line)
	}
}

func fakeLayer(files map[string]string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, name := range []string{"bin/", "bin/sh", "app/", "app/Dockerfile.txt"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		h := &tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeDir}
		if !strings.HasSuffix(name, "/") {
			h = &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}
		}
		tw.WriteHeader(h)
		tw.Write([]byte(body))
	}
	tw.Close()
	return b.Bytes()
}

func fakeBaseLayer() []byte { return fakeLayer(map[string]string{"bin/": "", "bin/sh": "shell"}) }

func fakeAppLayer(dockerfile string) []byte {
	return fakeLayer(map[string]string{"app/": "", "app/Dockerfile.txt": dockerfile})
}

func fakeDiffID(layer []byte) string {
	sum := sha256.Sum256(layer)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// dockerfileOf returns the Dockerfile kept in a fake image archive.
func dockerfileOf(archive []byte) string {
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err != nil {
			return ""
		}
		if h.Name == "dockerfile" {
			var b bytes.Buffer
			b.ReadFrom(tr)
			return b.String()
		}
	}
}

// writeFakeImage writes a docker-archive of a fake build of dockerfile
// and returns its image id.
func writeFakeImage(path string, dockerfile []byte) (string, error) {
	layers := [][]byte{fakeBaseLayer(), fakeAppLayer(string(dockerfile))}
	var diffIDs []string
	for _, l := range layers {
		diffIDs = append(diffIDs, fakeDiffID(l))
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/app/run"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	sum := sha256.Sum256(cfg)
	id := hex.EncodeToString(sum[:])
	man, _ := json.Marshal([]any{map[string]any{"Config": id + ".json", "Layers": []string{"0.tar", "1.tar"}}})
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		name string
		data []byte
	}{{"0.tar", layers[0]}, {"1.tar", layers[1]}, {id + ".json", cfg}, {"manifest.json", man}, {"dockerfile", dockerfile}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
		tw.Write(f.data)
	}
	tw.Close()
	return "sha256:" + id, os.WriteFile(path, b.Bytes(), 0o644)
}
