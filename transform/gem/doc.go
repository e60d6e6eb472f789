// Package gem defines a transformer for gem installs in RUN instructions.
//
// # Transformer gem
//
// gem: install gems with --no-document and remove the downloaded .gem files
//
// Level: info.
//
// Documentation and downloaded gems cost space, not correctness.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers in the stages that end up in
// an image, and makes two changes to "gem install" (hadolint has no code
// for either; over the 4,356 Dockerfiles of the shared corpus the rule
// reports 22 installs without --no-document and 36 RUNs that keep the
// cache):
//
//   - --no-document: without it, gem builds and installs the ri and rdoc
//     documentation of every gem, which nothing in a container reads. The
//     fix adds " --no-document" right after "install". Nothing is added
//     when the command has --no-document, -N, --document, --no-ri or
//     --no-rdoc, or when an ENV or ARG sets GEMRC or a RUN of the file
//     writes a gemrc. (RubyGems older than 2.0, from 2013, does not know
//     the option.)
//   - cache: gem keeps every .gem file it downloaded in the cache folder
//     of the gem directory ($(gem env gemdir)/cache), and the layer keeps
//     them. The fix appends ' && rm -rf "$(gem env gemdir)"/cache/*.gem'
//     to the RUN (through sudo and sh -c when gem runs through sudo).
//     Nothing is added when the RUN already removes a path with
//     "gem" and "cache" in it, or mounts a cache or tmpfs there, or when
//     gem installs elsewhere (--install-dir, -i, --user-install).
//
// An install inside an if, a loop, a case, a subshell or a group gets the
// cache fix (it goes at the end of the RUN) but --no-document only as a
// finding. A RUN that ends with exit, a background command or a
// here-document gets no cache fix.
//
// Before:
//
//	FROM ruby:3.3-slim
//	RUN gem install bundler:2.5.6
//
// After "dockmend fix":
//
//	FROM ruby:3.3-slim
//	RUN gem install --no-document bundler:2.5.6 && rm -rf "$(gem env gemdir)"/cache/*.gem
package gem
