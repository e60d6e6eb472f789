package imagediff

import (
	"archive/tar"
	"debug/elf"
	"io/fs"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image is a saved image, read.
type Image struct {
	// Config is the image's configuration file (run configuration,
	// history, layer diff ids).
	Config v1.ConfigFile
	// Layers are the image's layers, bottom first.
	Layers []Layer
	// Files is the flattened file tree, by absolute path ("/usr/bin/x").
	Files map[string]*File
	// Packages maps each installed package to its version; nil when the
	// image has no package database Read knows.
	Packages map[string]string
	// PackageManager is "dpkg", "apk", or "" for none known.
	PackageManager string
	// BaseLayers counts the first layers that are those of the base
	// image given by ReadOptions.BaseDiffIDs.
	BaseLayers int
	// CreatedBy holds the command that made each layer, from the image's
	// history ("" where the history does not tell).
	CreatedBy []string

	owner    map[string]string  // physical path -> package
	records  map[string]*record // package -> what dpkg's status file says of it
	listed   map[string]int     // package -> the layer that last wrote its dpkg file list
	md5sums  map[string]string  // physical path -> dpkg's md5sum of the package's file
	managed  map[string]bool    // physical paths dpkg's alternatives manage
	textSize int64
}

// Layer is one layer of an image.
type Layer struct {
	// DiffID is the digest of the uncompressed layer.
	DiffID string
	// Size is the size of the uncompressed layer tar.
	Size int64
	// Compressed is its size gzipped at the default level, as a push to a
	// registry stores it (or its size as saved, when saved compressed).
	Compressed int64
}

// File is one entry of the flattened file tree.
type File struct {
	// Path is the absolute, clean path.
	Path string
	// Type is the tar type: tar.TypeReg, TypeDir, TypeSymlink, TypeChar,
	// TypeBlock or TypeFifo (hard links are read as regular files).
	Type byte
	// Mode holds the permission bits, setuid, setgid and sticky.
	Mode fs.FileMode
	// UID and GID own the entry.
	UID, GID int
	// Size is a regular file's size.
	Size int64
	// Link is a symbolic link's target.
	Link string
	// Digest is the hex SHA-256 of a regular file's content, when Read
	// was asked to hash it; "" otherwise.
	Digest string
	// Layer is the index of the layer that last wrote the entry.
	Layer int
	// ELF describes an ELF executable or shared object; nil otherwise.
	ELF *ELFInfo
	// Shebang is a script's #! line without "#!", trimmed; "" otherwise.
	Shebang string

	md5  string // hex MD5, for files that dpkg may own
	text []byte // the content of a file the package databases need
}

// ELFInfo is what the dynamic loader needs of an ELF file.
type ELFInfo struct {
	// Interp is the program interpreter (PT_INTERP), "" for none.
	Interp string
	// Needed are the DT_NEEDED libraries.
	Needed []string
	// RPath and RunPath are the DT_RPATH and DT_RUNPATH directories.
	RPath, RunPath []string
	// Class and Machine select the loader's default directories.
	Class   elf.Class
	Machine elf.Machine
	// Err is why the headers could not be read, if they could not.
	Err string
}

// Regular reports whether f is a regular file.
func (f *File) Regular() bool { return f.Type == tar.TypeReg }

// Executable reports whether f is a regular file with an execute bit.
func (f *File) Executable() bool { return f.Regular() && f.Mode&0o111 != 0 }

// ReadOptions configure Read.
type ReadOptions struct {
	// BaseDiffIDs are the layers of the base image: Image.BaseLayers
	// counts how many of the image's first layers they are.
	BaseDiffIDs []string
	// Hash reports whether to compute the digest of the regular file at
	// path, written by layer, the image having baseLayers layers of its
	// base; nil hashes every regular file.
	Hash func(path string, layer, baseLayers int) bool
}

// Size is the sum of the layers' uncompressed sizes.
func (img *Image) Size() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Size
	}
	return n
}

// CompressedSize is the sum of the layers' compressed sizes.
func (img *Image) CompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Compressed
	}
	return n
}

// remove deletes the entry at p and, for a directory, everything below.
func (img *Image) remove(p string) {
	f := img.Files[p]
	if f == nil {
		return
	}
	delete(img.Files, p)
	if f.Type == tar.TypeDir {
		img.removeChildren(p, -1)
	}
}

// removeChildren deletes the entries below dir written before layer
// before (an opaque directory); before < 0 deletes all of them.
func (img *Image) removeChildren(dir string, before int) {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for p, f := range img.Files {
		if strings.HasPrefix(p, prefix) && (before < 0 || f.Layer < before) {
			delete(img.Files, p)
		}
	}
}
