package source

import "errors"

func isNotShell(err error) bool { return errors.Is(err, ErrNotShell) }
