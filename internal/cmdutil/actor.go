package cmdutil

import "os/user"

// Actor names who deploys: the flag, GITHUB_ACTOR in Actions, else the
// operating-system user.
func Actor(flag string, getenv func(string) string) string {
	switch {
	case flag != "":
		return flag
	case getenv("GITHUB_ACTOR") != "":
		return getenv("GITHUB_ACTOR")
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
