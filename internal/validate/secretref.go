package validate

import "regexp"

var (
	secretRefRe      = regexp.MustCompile(`\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}`)
	wholeSecretRefRe = regexp.MustCompile(`^\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}$`)
)
