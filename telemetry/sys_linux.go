package telemetry

import (
	"runtime"
	"strconv"
	"syscall"
)

var (
	syscallENOSPC = syscall.ENOSPC
	syscallEMFILE = syscall.EMFILE
)

func itoa(n int) string { return strconv.Itoa(n) }

const archName = runtime.GOARCH
