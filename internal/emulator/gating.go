package emulator

import "net/http"

// Details of the edition-gating answers.
const (
	gateApply     = "Manifest apply requires the enterprise edition."
	gateDrift     = "Manifest drift detection requires the enterprise edition."
	gateVersions  = "Manifest versions require the enterprise edition."
	gateApprovals = "Manifest approval workflows require the enterprise edition."
)

// gated answers a community-edition request for an enterprise feature with
// the configured gating status (402 per ADR-0024, or 403 as Honua's code
// does) and reports whether it did.
func (s *Server) gated(w http.ResponseWriter, detail string) bool {
	if s.opts.Edition == EditionEnterprise {
		return false
	}
	s.writeGate(w, s.opts.GatingStatus, detail)
	return true
}

func (s *Server) writeGate(w http.ResponseWriter, status int, detail string) {
	title := "Forbidden"
	if status == http.StatusPaymentRequired {
		title = "Payment Required"
	}
	s.writeProblem(w, status, title, detail)
}
