//go:build !linux

package jupyter

import "net"

func quickAck(c net.Conn) net.Conn { return c }
