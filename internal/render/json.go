package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// JSON writes plans as JSON: a single plan as its plan.Plan object, any
// other number as a plan.Set. The output is indented by two spaces, ends in
// a newline, does not HTML-escape, always has "changes" and "drift" arrays,
// and masks sensitive values. The same plans always give the same bytes.
func JSON(w io.Writer, plans []*plan.Plan) error {
	if err := checkPlans(plans); err != nil {
		return err
	}
	var v any
	if len(plans) == 1 {
		v = jsonPlan(plans[0])
	} else {
		set := plan.Set{FormatVersion: plan.FormatVersion, Plans: make([]*plan.Plan, len(plans))}
		for i, p := range plans {
			set.Plans[i] = jsonPlan(p)
		}
		v = set
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode plan as json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// jsonPlan is a copy of p with non-nil arrays and masked values; p itself
// is not modified.
func jsonPlan(p *plan.Plan) *plan.Plan {
	cp := *p
	cp.Changes = make([]plan.Change, len(p.Changes))
	for i, c := range p.Changes {
		c.Changes = scrubFields(c.Changes)
		if c.Changes == nil {
			c.Changes = []plan.FieldChange{}
		}
		cp.Changes[i] = c
	}
	cp.Drift = make([]plan.Drift, len(p.Drift))
	for i, d := range p.Drift {
		d.Changes = scrubFields(d.Changes)
		cp.Drift[i] = d
	}
	return &cp
}

// checkPlans rejects nil plans, which are a caller's bug.
func checkPlans(plans []*plan.Plan) error {
	for i, p := range plans {
		if p == nil {
			return fmt.Errorf("plan %d of %d is nil", i+1, len(plans))
		}
	}
	return nil
}
