// Package tag defines a transformer that replaces floating image tags
// with the most specific tag of the same image.
//
// # Transformer tag
//
// tag: name base images by their most specific tag, keeping the variant
//
// Level: style.
//
// A floating tag (latest, no tag, "3", "3.12", "3.12-slim") says little
// about what a Dockerfile builds on, and a digest pin alone says nothing a
// person can read. tag replaces it with the most specific tag that names
// the same image today, keeping the variant suffix, so that the line says
// which version it is and Renovate or "dockmend fix --refresh" can follow
// it from there:
//
//	FROM python:3.12-slim        ->  FROM python:3.12.8-slim
//	FROM node                    ->  FROM node:22.11.0
//	FROM python:3.12@sha256:...  ->  FROM python:3.12.8@sha256:...   (the pin is kept)
//
// The suffix is kept exactly: python:3.12-slim becomes 3.12.8-slim, never
// 3.12.8-slim-trixie, even where both name the same image, because tools
// that update tags treat the suffix as a compatibility family.
//
// "The same image" is the digest the reference names: the pinned digest
// when there is one, else what the tag points to now. tag first reads the
// org.opencontainers.image.version annotation of the image index (one GET)
// and checks the tag it suggests (one HEAD); without one it lists the
// repository's tags and checks at most 20 candidates, most precise and
// newest first. It reports, without a fix, a reference for which two
// equally precise tags name the image (1.2.3 and v1.2.3) or no more precise
// tag does.
//
// The rule is off by default (it needs a registry): select it with
// --select tag. Its fix is safe: the image does not change. References
// built from ARGs are rewritten only where the pin rule would write a
// digest (a whole ARG's literal default); stage names, scratch and the
// # syntax= image are left alone.
package tag
