package apply

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
)

func TestConfirm(t *testing.T) {
	p := &plan.Plan{Environment: "staging", Changes: []plan.Change{{Action: plan.Update}}, Summary: plan.Summary{Update: 1}}
	tests := []struct {
		name       string
		stdin, tty bool
		env        map[string]string
		yes        bool
		answer     string
		want       error
		wantPrompt bool
	}{
		{name: "a person says yes", stdin: true, tty: true, answer: "yes\n", wantPrompt: true},
		{name: "anything else is no", stdin: true, tty: true, answer: "y\n", want: errDeclined, wantPrompt: true},
		{name: "end of input is no", stdin: true, tty: true, answer: "", want: errDeclined, wantPrompt: true},
		{name: "--yes does not ask", stdin: true, tty: true, yes: true},
		{name: "CI does not ask", stdin: true, tty: true, env: map[string]string{"CI": "true"}},
		{name: "the Action does not ask", stdin: true, tty: true, env: map[string]string{"GITHUB_ACTIONS": "true"}},
		{name: "piped stdin does not ask", stdin: false, tty: true},
		{name: "piped stdout does not ask", stdin: true, tty: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			ios.SetStdinTTY(tt.stdin)
			ios.SetStdoutTTY(tt.tty)
			in.WriteString(tt.answer)
			opts := &Options{IO: ios, Getenv: func(k string) string { return tt.env[k] }}
			err := confirm(opts, DeployFlags{Yes: tt.yes}, p)
			assert.Equal(t, tt.want, err)
			assert.Equal(t, tt.wantPrompt, strings.Contains(errOut.String(), "Apply 1 changes to staging? Only 'yes' will be accepted"), errOut.String())
		})
	}
}

func TestProgressLines(t *testing.T) {
	res := engine.Result{Action: plan.Create, Kind: "Layer", Namespace: "planning", Name: "parcels", Status: engine.Applied}
	failed := res
	failed.Status, failed.Message = engine.Failed, "boom"

	var piped bytes.Buffer
	p := newProgress(&piped, false)
	p.result("prod", res)
	p.result("prod", failed)
	p.finish()
	assert.Equal(t, "prod: applied create Layer/planning/parcels\nprod: failed create Layer/planning/parcels (boom)\n", piped.String())

	var tty bytes.Buffer
	p = newProgress(&tty, true)
	p.result("prod", res)
	p.result("prod", failed)
	p.notice("waiting for staging")
	p.finish()
	assert.Equal(t, "\r\x1b[Kprod: 1 done, 0 failed — applied create Layer/planning/parcels"+
		"\r\x1b[Kprod: 2 done, 1 failed — failed create Layer/planning/parcels\nwaiting for staging\n", tty.String(),
		"one line redrawn in place; a notice gets a line of its own")
}

// Issue 9 item 5: the terminal journal prints names and server messages
// sanitized; an escape sequence cannot move the cursor.
func TestJournalLineIsSanitized(t *testing.T) {
	res := engine.Result{Action: plan.Update, Kind: "Layer", Namespace: "planning", Name: "parcels", Status: engine.Failed,
		Message: "server said \x1b[1A\x1b[2Kall good\u202e"}
	got := line(res, func(_, s string) string { return s })
	assert.NotContains(t, got, "\x1b")
	assert.NotContains(t, got, "\u202e")
	assert.Contains(t, got, `server said \u001b[1A\u001b[2Kall good\u202e`)
}
