package cmdutil

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// formatValue is the --format flag of every command: one place decides
// that formats are case-insensitive (JSON, Json and json are the same) and
// that an unknown one is a bad command line (exit 2, via the flag error
// handler), so no command parses it on its own.
type formatValue struct {
	p       *string
	allowed []string
}

func (v *formatValue) String() string { return *v.p }
func (v *formatValue) Type() string   { return "format" }

func (v *formatValue) Set(s string) error {
	f, err := ParseFormat(s, v.allowed...)
	if err != nil {
		return err
	}
	*v.p = f
	return nil
}

// ParseFormat returns s lower-cased when it is one of allowed, and an error
// naming the allowed formats otherwise.
func ParseFormat(s string, allowed ...string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(allowed, f) {
		return f, nil
	}
	return "", fmt.Errorf("must be %s", orList(allowed))
}

// AddFormatFlag registers --format on cmd, storing one of allowed (the
// first is the default) in p.
func AddFormatFlag(cmd *cobra.Command, p *string, usage string, allowed ...string) {
	*p = allowed[0]
	cmd.Flags().Var(&formatValue{p: p, allowed: allowed}, "format", usage)
}

func orList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
