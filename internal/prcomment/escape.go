package prcomment

import (
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// cellCode is render.CodeCell.
func cellCode(s string) string { return render.CodeCell(s) }

// redactSecretRefs replaces every ${secret:...} placeholder in s with
// plan.Sensitive: the last line of defence for text that did not go
// through the plan renderer (validation problems, results, messages).
func redactSecretRefs(s string) string { return secret.Mask(s, plan.Sensitive) }
