// Package transform defines the interface between dockmend's engine and its
// transformers, the rules that find problems in a Dockerfile and propose
// fixes for them.
//
// # Transformer
//
// A Transformer is a value: a name, documentation, whether it runs by
// default, the hadolint and BuildKit check ids it fixes, and a Run function.
// Each transformer lives in its own package under transform/ and exports
// one name, Transformer (or a New function when it needs settings, like
// pin). The engine runs every selected transformer over a file and merges
// what they propose.
//
// # Prepare
//
// A transformer that needs setup over all the files of a run sets Prepare:
// the driver parses each file once, calls every selected transformer's
// Prepare once with the files it will run on, then runs the engine on each
// file. The pin rule looks every image reference up there, each once and
// in parallel, so that Run finds the answers in its resolver's cache.
//
// # Pass
//
// Run receives a Pass: the parsed file (see internal/source) and a Report
// function. Run must not modify the file; it reports Findings. A Finding
// names a byte range, says what is wrong, and may carry a Fix.
//
// # Fix
//
// A Fix is a set of byte edits against the file as the pass saw it, with an
// Applicability. Safe fixes keep the meaning of the Dockerfile and are
// applied by "dockmend fix"; Unsafe fixes may change what gets built (for
// example, which packages are installed) and are applied only with
// --unsafe-fixes. Fixes from different findings are independent, like git
// commits with the same parent: the engine merges them, coalescing identical
// edits; a fix that overlaps another waits for the next pass, after which
// the file is parsed again and every transformer runs again, until nothing
// changes. A transformer therefore only needs to fix what it sees now, and
// must report nothing for a file it has already fixed.
//
// # Suppression
//
// A comment line "# dockmend ignore=RULE[,RULE]" directly above an
// instruction suppresses those transformers' findings on it, and
// "# hadolint ignore=DL3009" suppresses findings whose Code is DL3009.
package transform
