// Package dnf defines a transformer for the dnf, yum and microdnf package
// managers in RUN instructions.
//
// # Transformer dnf
//
// dnf: run dnf, yum and microdnf non-interactively and clean their cache in the same RUN
//
// Level: warning.
//
// As hadolint grades DL3030, DL3032, DL3038 and DL3040.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers, and makes two changes:
//
//   - -y: install, reinstall, remove, erase, upgrade, update, downgrade,
//     distro-sync, autoremove, localinstall, builddep, swap, the group
//     and module subcommands that change packages, and groupinstall get
//     "-y" right after the subcommand (DL3030 for yum, DL3038 for dnf and
//     microdnf). Without it the command stops at its confirmation prompt,
//     which a build cannot answer, so the build fails. -y, --assumeyes
//     and "--setopt=assumeyes=1" count, in a cluster ("-qy") too. This
//     applies in every stage. When a "--" before the subcommand ends the
//     options ("dnf -- install x"), -y goes before the "--": after it,
//     dnf would look for a package named -y.
//   - clean: a RUN that installs, upgrades or downloads metadata
//     (install, update, makecache, ...) gets " && dnf clean all" (yum,
//     microdnf: the command that installed, with its sudo or path)
//     appended to its last statement (DL3032 for yum, DL3040 for dnf and
//     microdnf), so that the metadata and packages do not stay in the
//     layer. The clean runs only when the RUN succeeded, so a failing
//     build still fails. Nothing is added when a "clean all" of any of
//     the three, or an rm of /var/cache/dnf, /var/cache/yum or
//     /var/cache/libdnf5 (or a parent), follows the last install; when the
//     RUN has a cache or tmpfs mount on one of those directories; or when
//     the stage's files do not end up in an image: only the last stage,
//     stages that a later FROM builds on and ONBUILD triggers are cleaned
//     (hadolint checks every stage). Unlike apt's lists, a later RUN does
//     not need the cache: dnf downloads the metadata again, so each RUN
//     that installs is cleaned on its own.
//
// Commands inside an if, a loop, a case, a subshell, a { } group, a
// function or a command substitution are reported without a fix, and so is
// a clean for a RUN that ends with a background command ('&'), exit or a
// here-document. Exec-form RUNs, RUNs under a PowerShell or cmd SHELL, and
// Windows images are never edited. tdnf and rpm are not handled.
//
// Before:
//
//	FROM rockylinux:9
//	RUN dnf install nginx
//
// After "dockmend fix":
//
//	FROM rockylinux:9
//	RUN dnf install -y nginx && dnf clean all
package dnf
