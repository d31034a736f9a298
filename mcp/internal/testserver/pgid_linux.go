package main

import "syscall"

func pgidIsPid() bool {
	pgid, err := syscall.Getpgid(0)
	return err == nil && pgid == syscall.Getpid()
}
