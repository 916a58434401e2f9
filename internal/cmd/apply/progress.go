package apply

import (
	"fmt"
	"io"
	"sync"

	engine "github.com/honua-io/honua-gitops/internal/apply"
)

// progress reports operations on stderr as they finish: on a terminal one
// line redrawn in place (a live counter), otherwise one line per
// operation, so logs show what happened when. It never writes to stdout,
// where --format json goes.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	count   int
	failed  int
	lineOut bool // a redrawable line is on screen
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) result(target string, r engine.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count++
	if r.Status == engine.Failed {
		p.failed++
	}
	subject := fmt.Sprintf("%s %s/%s/%s", r.Action, r.Kind, r.Namespace, r.Name)
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s: %d done, %d failed — %s %s", target, p.count, p.failed, r.Status, subject)
		p.lineOut = true
		return
	}
	msg := ""
	if r.Message != "" {
		msg = " (" + r.Message + ")"
	}
	fmt.Fprintf(p.w, "%s: %s %s%s\n", target, r.Status, subject, msg)
}

// notice prints a message on a line of its own.
func (p *progress) notice(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLine()
	fmt.Fprintln(p.w, msg)
}

// finish ends the live line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLine()
}

func (p *progress) endLine() {
	if p.lineOut {
		fmt.Fprintln(p.w)
		p.lineOut = false
	}
}
