package sandbox

import (
	"strings"
	"testing"
)

func TestUserEnv(t *testing.T) {
	t.Parallel()
	base := []string{"PATH=/bin", "HOME=/root", "USER=root"}
	oh := User{Name: "oh", Home: "/home/oh"}
	cases := []struct {
		name string
		got  []string
		want string
	}{
		// bash: `su user -` sets the login variables only when it switches user.
		{"bash, no switch", UserEnv(base, oh, "TERM=xterm"), "PATH=/bin HOME=/root USER=root TERM=xterm"},
		{"bash, switch", UserEnv(base, User{Name: "oh", Home: "/home/oh", Switch: true}),
			"PATH=/bin HOME=/home/oh USER=oh LOGNAME=oh SHELL=/bin/bash"},
		// plugins: `su - user` always does.
		{"login", LoginEnv(base, oh), "PATH=/bin HOME=/home/oh USER=oh LOGNAME=oh SHELL=/bin/bash"},
		{"login, no user", LoginEnv(base, User{}), "PATH=/bin HOME=/root USER=root"},
	}
	for _, c := range cases {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
