// Package pin defines a transformer that pins base images to digests.
//
// # Transformer pin
//
// pin: pin base images to their digest, and keep the pins fresh
//
// Level: warning.
//
// A lookup that fails (a registry that cannot be reached or refuses, an
// unknown image) is an error, as it is work the rule could not do; with
// --offline, a reference the lock file does not know is a warning. A pin
// without a tag to refresh it by is info.
//
// An image named only by a tag gives a different image whenever the tag
// moves. pin appends the digest the tag points to now, keeping the
// reference as written, so the tag stays readable:
//
//	FROM python:3.12-slim          ->  FROM python:3.12-slim@sha256:...
//	FROM ubuntu                    ->  FROM ubuntu:latest@sha256:...
//	# syntax=docker/dockerfile:1   ->  # syntax=docker/dockerfile:1@sha256:...
//
// It pins the image of every FROM (with --platform, AS name, any case), of
// COPY --from=IMAGE, of RUN --mount=...,from=IMAGE (keys in any order), of
// the ONBUILD forms of these, and of the "# syntax=" directive. It never
// pins scratch, stage names (compared case-insensitively, as buildkit
// does), numeric stage indexes, or anything in a heredoc body. A bare name
// in an ONBUILD trigger is left alone too: it may name a stage of the
// Dockerfile that builds on the image.
//
// References that use variables are expanded like docker build expands
// them: FROM sees the global ARGs (those before the first FROM) and the
// values given with --build-arg; ${V}, $V, ${V:-d} and ${V:+a} work as in
// buildkit. When the whole reference is one global ARG whose default is a
// literal reference ("ARG BASE=python:3.12" then "FROM ${BASE}") and no
// other reference or ARG uses it, the digest goes into the ARG's default;
// in "FROM ${V:-python:3.12}" with V unset it goes after the default
// written in the FROM line.
// A variable that is only part of a reference, an ARG used by several
// references, an ARG without a value, a value given by --build-arg, and a
// variable the build platform sets (TARGETARCH, ...) are never written
// into: the reference is reported with the reason and left unpinned.
// buildkit refuses variables in COPY --from and in mount from=, so those
// are reported as not pinnable.
//
// The digest is the tag's own: a multi-platform index for a multi-platform
// tag, so the pin keeps working on every platform. With --platform
// os/arch[/variant] every new pin is the platform's manifest instead (a
// FROM --platform with a constant value picks its own platform; the
// "# syntax=" image keeps its index, as the builder's platform is not
// known).
//
// An untagged reference gets the tag docker pulls for it written out
// (":latest"), so that the pin can be checked and refreshed later: checking
// a file that pin fixed reports nothing new.
//
// A reference that is already pinned is checked: when its tag now points
// elsewhere the finding says the pin is stale, and with --refresh its fix
// replaces the digest, keeping its kind. An index digest is replaced by the
// tag's new index digest; a platform manifest by the new manifest for the
// same os/arch/variant; when the tag no longer has a match, that is an
// error, never a guess. When the registry no longer has the pinned digest,
// its kind cannot be told, and the tag's own current digest (the index) is
// what the finding offers. A digest written without a tag cannot be
// refreshed and is reported as such.
//
// Names declared as build contexts (--build-context NAME, build-contexts
// in .dockmend.yaml) are not images and are not pinned; an undeclared
// single word the registry does not know is reported with a hint that it
// may be one.
//
// With trusted registries (trusted-registries in .dockmend.yaml,
// trustedRegistries in .hadolint.yaml), an image of any other registry is
// neither looked up nor pinned: it is reported as an error with
// hadolint's code DL3026. An entry is a host ("docker.io" for Docker Hub,
// "registry.example.com:5000") or "*.example.com" for its subdomains.
//
// A lookup that fails (no such tag, network error) is reported with the
// reason and pins nothing; offline, a reference the lock file does not know
// is reported too, as a finding rather than a failure. Looking images up is
// the Resolver's job; see Options.
package pin
