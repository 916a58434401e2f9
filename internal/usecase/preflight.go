package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
)

// preflight connects to every target and checks, before anything is
// recorded, that it answers, accepts the credential, is a generation we
// drive, and has no drift the guard refuses. A typo in a key, a port or a
// path then fails here (exit 1) with nothing claimed or recorded; drift is
// refused here (exit 4). The drift found is shown with the plan.
func preflight(ctx context.Context, req DeployRequest, engine apply.Request, p *plan.Plan) ([]apply.Driver, error) {
	drivers := make([]apply.Driver, len(req.Targets))
	held := map[string]bool{} // subjects some target will write
	var drift []plan.Drift
	seen := map[string]bool{}
	for i, t := range req.Targets {
		d, err := req.Connect(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("preflight of target %s (%s): %w; nothing was claimed or recorded", t.Name, t.URL, err)
		}
		checked, err := apply.Preflight(ctx, d, engine)
		var (
			de *apply.DriftError
			be *apply.BlockedError
		)
		if errors.As(err, &de) {
			p.Drift, p.LiveRead = de.Drift, true
			return nil, &app.RefusedError{Reason: de.Error() + "; nothing was claimed or recorded"}
		}
		if errors.As(err, &be) {
			p.Blocked = append(p.Blocked, be.Blocked...)
			return nil, &app.RefusedError{Reason: be.Error() + "; make these changes by hand as each one says, or revert them in git; nothing was claimed or recorded"}
		}
		if err != nil {
			return nil, fmt.Errorf("preflight of target %s (%s): %w; nothing was claimed or recorded", t.Name, t.URL, err)
		}
		for _, c := range checked.Plan.Changes {
			held[c.Subject()] = true
		}
		for _, n := range checked.Plan.Notes {
			if !slices.Contains(p.Notes, n) {
				p.Notes = append(p.Notes, n)
			}
		}
		for _, dr := range checked.Drift {
			if k := dr.Subject() + string(dr.Type); !seen[k] {
				seen[k] = true
				drift = append(drift, dr)
			}
		}
		drivers[i] = d
	}
	p.Drift, p.LiveRead = append([]plan.Drift{}, drift...), true
	for i, c := range p.Changes {
		p.Changes[i].RecordOnly = !held[c.Subject()]
	}
	return drivers, nil
}
