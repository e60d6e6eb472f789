package runtimebase

import (
	"strings"
	"testing"
)

func TestLookupBuiltin(t *testing.T) {
	tab := MustNew(nil)
	tests := []struct {
		ref      string
		base     string
		toolchan bool
	}{
		{"golang:1.19-bookworm", "debian:bookworm-slim", true},
		{"golang:1.22.3-bullseye", "debian:bullseye-slim", true},
		{"docker.io/library/golang:1.22", "debian:bookworm-slim", true},
		{"golang", "debian:bookworm-slim", true},
		{"golang:latest", "debian:bookworm-slim", true},
		{"golang@sha256:" + strings.Repeat("a", 64), "debian:bookworm-slim", true},
		{"golang:1.19-bookworm@sha256:" + strings.Repeat("a", 64), "debian:bookworm-slim", true},
		{"golang:1.22-alpine3.19", "", true},
		{"golang:alpine", "", true},
		{"node:18", "node:18-slim", true},
		{"node:lts", "node:lts-slim", true},
		{"node:latest", "node:slim", true},
		{"node:18-bookworm", "node:18-bookworm-slim", true},
		{"node:18-bookworm-slim", "", false},
		{"node:18-slim", "", false},
		{"node:18-alpine", "", true},
		{"python:3.11", "python:3.11-slim", true},
		{"python:3.11-bookworm", "python:3.11-slim-bookworm", true},
		{"python:3.11-slim-bookworm", "", false},
		{"python:3.11-slim", "", false},
		{"maven:3.9.6-eclipse-temurin-17", "eclipse-temurin:17-jre", true},
		{"maven:3.9-eclipse-temurin-21-jammy", "eclipse-temurin:21-jre-jammy", true},
		{"maven:3.9-eclipse-temurin-21-alpine", "", true},
		{"maven:3-jdk-8", "eclipse-temurin:8-jre", true},
		{"maven:3.9", "", true},
		{"gradle:8.5-jdk17", "eclipse-temurin:17-jre", true},
		{"gradle:jdk21", "eclipse-temurin:21-jre", true},
		{"eclipse-temurin:17-jdk-jammy", "eclipse-temurin:17-jre-jammy", true},
		{"eclipse-temurin:17", "eclipse-temurin:17-jre", true},
		{"eclipse-temurin:17-jre", "", false},
		{"openjdk:11-jdk-slim", "eclipse-temurin:11-jre", true},
		{"rust:1.75", "debian:bookworm-slim", true},
		{"rust:1.75-slim-bullseye", "debian:bullseye-slim", true},
		{"gcc:13", "debian:bookworm-slim", true},
		{"buildpack-deps:jammy", "ubuntu:jammy", true},
		{"mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com/dotnet/aspnet:8.0", true},
		{"debian:bookworm", "", false},
		{"ubuntu:22.04", "", false},
		{"localhost:5000/golang:1.22", "", false},
		{"not a reference", "", false},
	}
	for _, tt := range tests {
		m, ok := tab.Lookup(tt.ref)
		if ok != tt.toolchan || m.Base != tt.base {
			t.Errorf("Lookup(%q) = %+v, %v; want base %q, %v", tt.ref, m, ok, tt.base, tt.toolchan)
		}
	}
}

func TestOverrides(t *testing.T) {
	tab, err := New(map[string]string{
		"golang:*-bookworm":            "gcr.io/distroless/base-debian12",
		"localhost:5000/golang:*":      "localhost:5000/debian:$1",
		"node:*-alpine":                "node:$1-alpine",
		"registry.example/ci/builder":  "registry.example/ci/runtime:1",
		"registry.example/ci/tool:*-x": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ ref, base string }{
		{"golang:1.19-bookworm", "gcr.io/distroless/base-debian12"},
		{"golang:1.19-bullseye", "debian:bullseye-slim"}, // built-in kept
		{"localhost:5000/golang:bookworm", "localhost:5000/debian:bookworm"},
		{"node:20-alpine", "node:20-alpine"},
		{"registry.example/ci/builder", "registry.example/ci/runtime:1"},
		{"registry.example/ci/tool:1-x", ""},
	}
	for _, tt := range tests {
		m, ok := tab.Lookup(tt.ref)
		if !ok || m.Base != tt.base {
			t.Errorf("Lookup(%q) = %+v, %v; want %q", tt.ref, m, ok, tt.base)
		}
	}
	if m, _ := tab.Lookup("golang:1.19-bookworm"); !m.Override {
		t.Errorf("override not marked: %+v", m)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		pattern, base, want string
	}{
		{"Golang", "debian", "bad image name"},
		{"golang:", "debian", "empty tag"},
		{"golang:a/b", "debian", "bad image name"},
		{"golang:*", "debian:$2", "$2 but the pattern has 1 wildcards"},
		{"golang:*", "Debian:x", "runtime base"},
		{"golang:[a]", "debian", "bad tag"},
	}
	for _, tt := range tests {
		_, err := New(map[string]string{tt.pattern: tt.base})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%q: %q) error = %v, want it to mention %q", tt.pattern, tt.base, err, tt.want)
		}
	}
}

func TestBuiltinValid(t *testing.T) {
	if _, err := New(nil); err != nil {
		t.Fatal(err)
	}
	b := Builtin()
	b["golang"] = "changed"
	if Builtin()["golang"] == "changed" {
		t.Error("Builtin returns the table itself, not a copy")
	}
	if n := len(MustNew(nil).Entries()); n != len(builtin) {
		t.Errorf("Entries() has %d entries, want %d", n, len(builtin))
	}
}
