//go:build !linux

package files

import "io/fs"

func umask() fs.FileMode { return 0o022 }
