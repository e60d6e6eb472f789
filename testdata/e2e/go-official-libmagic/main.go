// filetype prints the MIME type and description of files, using libmagic.
package main

/*
#cgo LDFLAGS: -lmagic
#include <magic.h>
#include <stdlib.h>
*/
import "C"

import (
	"flag"
	"fmt"
	"os"
	"unsafe"
)

type cookie struct{ m C.magic_t }

func open(flags C.int) (*cookie, error) {
	m := C.magic_open(flags)
	if m == nil {
		return nil, fmt.Errorf("magic_open failed")
	}
	if C.magic_load(m, nil) != 0 { // nil: the default database (magic.mgc)
		err := fmt.Errorf("magic_load: %s", C.GoString(C.magic_error(m)))
		C.magic_close(m)
		return nil, err
	}
	return &cookie{m}, nil
}

func (c *cookie) file(path string) (string, error) {
	p := C.CString(path)
	defer C.free(unsafe.Pointer(p))
	r := C.magic_file(c.m, p)
	if r == nil {
		return "", fmt.Errorf("%s: %s", path, C.GoString(C.magic_error(c.m)))
	}
	return C.GoString(r), nil
}

func main() {
	brief := flag.Bool("mime", false, "print only the MIME type")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: filetype [-mime] FILE...")
		os.Exit(2)
	}
	fmt.Printf("libmagic %d\n", int(C.magic_version()))
	mime, err := open(C.MAGIC_MIME_TYPE | C.MAGIC_SYMLINK)
	if err != nil {
		fmt.Fprintln(os.Stderr, "filetype:", err)
		os.Exit(1)
	}
	desc, err := open(C.MAGIC_SYMLINK)
	if err != nil {
		fmt.Fprintln(os.Stderr, "filetype:", err)
		os.Exit(1)
	}
	status := 0
	for _, f := range flag.Args() {
		m, err := mime.file(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "filetype:", err)
			status = 1
			continue
		}
		if *brief {
			fmt.Printf("%s: %s\n", f, m)
			continue
		}
		d, _ := desc.file(f)
		fmt.Printf("%s: %s; %s\n", f, m, d)
	}
	os.Exit(status)
}
