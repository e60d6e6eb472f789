// Package apk defines a transformer for Alpine's apk package manager in
// RUN instructions.
//
// # Transformer apk
//
// apk: install with apk add --no-cache and drop the apk update it makes redundant
//
// Level: info.
//
// DL3019 is info in hadolint too.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers, and makes two changes:
//
//   - --no-cache: "apk add" without --no-cache (as a global option before
//     add or an option after it) gets " --no-cache" right after "add"
//     (DL3019). apk then fetches a fresh package index for the command and
//     keeps neither the index nor the packages in /var/cache/apk, so
//     nothing is left in the layer. What gets installed is the same. In
//     "apk -- add curl" apk still runs add, but reads every word after
//     the "--" as a package name, so --no-cache goes before the "--".
//   - update: an "apk update" (with at most -q, -v or --no-progress) that
//     is followed, in the same RUN, only by apk add and apk del commands
//     that all have --no-cache, and by at least one apk add, is deleted
//     together with the && or ';' that joins it to the next command:
//     --no-cache fetches the index itself, so the update only leaves an
//     index behind. It stays when another apk command after it (upgrade,
//     search, fetch, ...) or a shell script (sh -c, ./x.sh) may use the
//     index, when a comment or empty line sits inside the text to delete,
//     and when it is the last command of its list.
//
// A RUN that is only "apk update" is left alone, even when the next RUN
// installs with --no-cache: another RUN between them, or a script, may use
// the index it downloads, and a RUN is not deleted on a guess.
//
// Both changes are about what the image keeps, so they are made only where
// the stage's files end up in an image: the last stage, stages that a
// later FROM builds on, and ONBUILD triggers (hadolint checks every
// stage). Nothing is changed in a RUN with a cache or tmpfs mount on
// /var/cache/apk or /etc/apk/cache (the cache is wanted there), and no
// --no-cache is added to an apk add with --cache-dir (a cache is asked
// for) or --no-network (nothing is downloaded). Commands inside an if, a
// loop, a case, a subshell, a { } group, a function or a command
// substitution are reported without a fix. Exec-form RUNs, RUNs under a
// PowerShell or cmd SHELL, and Windows images are never edited.
//
// Before:
//
//	FROM alpine:3.20
//	RUN apk update && apk add curl
//
// After "dockmend fix" (two passes):
//
//	FROM alpine:3.20
//	RUN apk add --no-cache curl
package apk
