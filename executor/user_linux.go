package executor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"

	"github.com/gohands/gohands/sandbox"
)

// initUserAndWorkingDir follows the reference's init_user_and_working_directory: as root it
// creates the user when missing and chowns the working dir; as a non-root developer it only
// makes sure the dir exists and runs bash as the current user. It also returns who owns the
// files the server creates for the agent (the reference's user_id: the named user's uid).
func initUserAndWorkingDir(cfg Config) (sandbox.User, sandbox.Owner, error) {
	u, uid, err := initUser(cfg)
	return u, sandbox.OwnerFor(os.Geteuid(), uid), err
}

func initUser(cfg Config) (sandbox.User, int, error) {
	if os.Geteuid() != 0 {
		if err := os.MkdirAll(cfg.WorkingDir, 0o775); err != nil {
			return sandbox.User{}, 0, fmt.Errorf("create working dir: %w", err)
		}
		cur, err := user.Current()
		if err != nil {
			return sandbox.User{}, 0, fmt.Errorf("current user: %w", err)
		}
		su, err := lookupShellUser(cur, false)
		return su, su.UID, err
	}
	name := cfg.Username
	if name == "" {
		name = "root"
	}
	if name != "root" && !(name == cfg.ProcessUser && name != "openhands") {
		if _, err := user.Lookup(name); err != nil {
			var unknown user.UnknownUserError
			if !errors.As(err, &unknown) {
				return sandbox.User{}, 0, fmt.Errorf("look up user %s: %w", name, err)
			}
			if err := createUser(name, cfg.UserID); err != nil {
				return sandbox.User{}, 0, err
			}
		}
	}
	if err := os.MkdirAll(cfg.WorkingDir, 0o775); err != nil {
		return sandbox.User{}, 0, fmt.Errorf("create working dir: %w", err)
	}
	group := cfg.SandboxGroup
	if group == "" {
		group = "root"
	}
	if out, err := exec.Command("chown", "-R", name+":"+group, cfg.WorkingDir).CombinedOutput(); err != nil {
		return sandbox.User{}, 0, fmt.Errorf("chown %s: %v: %s", cfg.WorkingDir, err, strings.TrimSpace(string(out)))
	}
	if fi, err := os.Stat(cfg.WorkingDir); err == nil {
		_ = os.Chmod(cfg.WorkingDir, fi.Mode().Perm()|0o060)
	}
	u, err := user.Lookup(name)
	if err != nil {
		return sandbox.User{}, 0, fmt.Errorf("look up user %s: %w", name, err)
	}
	userID, _ := strconv.Atoi(u.Uid)
	// The reference starts bash through `su` only for these users and when SU_TO_USER is on;
	// otherwise bash runs as the server's own user.
	switchUser := u.Uid != "0" && cfg.SUToUser &&
		(name == "openhands" || name == "root" || (cfg.RuntimeUsername != "" && name == cfg.RuntimeUsername))
	if !switchUser {
		cur, err := user.Current()
		if err != nil {
			return sandbox.User{}, 0, fmt.Errorf("current user: %w", err)
		}
		su, err := lookupShellUser(cur, false)
		return su, userID, err
	}
	su, err := lookupShellUser(u, true)
	return su, userID, err
}

func createUser(name string, uid int) error {
	f, err := os.OpenFile("/etc/sudoers", os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o440)
	if err == nil {
		_, _ = f.WriteString("%sudo ALL=(ALL) NOPASSWD:ALL\n")
		f.Close()
	}
	args := []string{"-rm", "-d", "/home/" + name, "-s", "/bin/bash", "-g", "root"}
	if _, err := user.LookupGroup("sudo"); err == nil {
		args = append(args, "-G", "sudo")
	}
	args = append(args, "-u", strconv.Itoa(uid), name)
	if out, err := exec.Command("useradd", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("Failed to create user %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func lookupShellUser(u *user.User, switchUser bool) (sandbox.User, error) {
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	su := sandbox.User{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir, Switch: switchUser}
	if gids, err := u.GroupIds(); err == nil {
		for _, g := range gids {
			if n, err := strconv.Atoi(g); err == nil {
				su.Groups = append(su.Groups, uint32(n))
			}
		}
	}
	return su, nil
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
