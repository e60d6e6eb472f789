// Package buildfacts describes what the build of a Dockerfile showed about
// its final image: the files the Dockerfile's own steps made, and the
// packages their libraries and interpreters come from. dockmend verify
// gathers the facts from the image of the original file (see
// internal/imagediff); a rule that cannot name the runtime packages or
// artifacts of a rewrite from the Dockerfile alone can take them from
// here (see verify.Options.Informed).
//
// The package holds data only, so that rules may import it without
// importing the builders.
package buildfacts

// Facts is what the build of one Dockerfile showed.
type Facts struct {
	// Dockerfile is the file that was built.
	Dockerfile string
	// Target is the stage that was built ("" for the last one).
	Target string
	// Base is the final stage's base image as the build resolved it
	// ("debian:bookworm"), "" for scratch.
	Base string
	// PackageManager is "dpkg", "apk", or "" when the image has none that
	// dockmend reads.
	PackageManager string
	// Packages are the packages installed in the final image, by name.
	Packages map[string]Package
	// Files are the files the Dockerfile's own steps made or changed in
	// the final image (not those of the base image, not files as a
	// package installed them), sorted by path.
	Files []File
}

// File is one file the Dockerfile's steps made.
type File struct {
	// Path is the absolute path in the image.
	Path string
	// Kind is "dir", "file", "symlink" or "other".
	Kind string
	// Mode holds the permission bits (and setuid, setgid, sticky).
	Mode uint32
	// UID and GID own the file.
	UID, GID int
	// Link is a symbolic link's target.
	Link string
	// Executable reports a regular file with an execute bit.
	Executable bool
	// ELF reports an ELF executable or shared object.
	ELF bool
	// Interpreter is a script's #! interpreter, or an ELF file's program
	// interpreter, "" for none. For "#!/usr/bin/env NAME" it is the
	// program NAME names on the image's PATH, when there is one.
	Interpreter string
	// InterpreterPackage owns Interpreter, "" for none (or when the
	// interpreter is missing).
	InterpreterPackage string
	// Needs are the shared libraries the file loads, directly or through
	// other libraries, as the image resolves them.
	Needs []Library
}

// Package is a package installed in the final image, as its package
// database records it.
type Package struct {
	// Version is the installed version.
	Version string
	// Base reports a package the base image had installed already: its
	// record in the database (dpkg's file list) comes from the base
	// image's layers.
	Base bool
	// Required reports a package every image of the distribution has by
	// its own record: Essential, or of priority required (dpkg).
	Required bool
	// Depends are the installed packages it depends on (Depends and
	// Pre-Depends; of alternatives, the first one installed), sorted.
	Depends []string
}

// Library is a shared library a file needs.
type Library struct {
	// Name is the name the file asks for ("libcurl.so.4").
	Name string
	// Path is where the image has it, "" when it is missing.
	Path string
	// Package owns Path, "" for none (a library the steps built or
	// copied).
	Package string
}
