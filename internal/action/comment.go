package action

import (
	"context"
	"errors"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/render"
)

// errReadOnly means the token may not write (a fork's pull request).
var errReadOnly = errors.New("read-only token")

type commentRef struct {
	ID     int64
	NodeID string
	URL    string
	Body   string
}

// findComment finds the pull request's sticky comment: the oldest comment
// carrying the marker and written by the token's own user (so nobody can
// plant a marker that steers an apply). It returns its marker too.
func (r *runner) findComment(ctx context.Context, pr int) (*commentRef, *prcomment.Marker, error) {
	mine, err := r.ownMarkedComments(ctx, pr)
	if err != nil || len(mine) == 0 {
		return nil, nil, err
	}
	c := mine[0]
	for _, x := range mine {
		if !x.Minimized {
			c = x
			break
		}
	}
	m, _ := prcomment.ParseMarker(c.Body)
	return &commentRef{ID: c.ID, NodeID: c.NodeID, URL: c.URL, Body: c.Body}, m, nil
}

// ownMarkedComments returns the marked comments this token wrote, oldest
// first.
//
// Who the token is comes from GitHub (githubapi.Client.Viewer: GET /user,
// else GraphQL's viewer, which names GitHub App installation tokens too).
// Only when GitHub says neither is the author recognised by its kind: an
// installation token posts as a bot ("<app>[bot]"), and people cannot
// create bot accounts, so a person's comment with a copied marker is never
// taken for ours. Of the bots that posted markers, the one that posted the
// oldest is taken, alone: this tool posts its comment on the pull request's
// first run, and a second bot's markers are neither edited nor minimized.
// The marker does not record its author, as anyone can copy a marker.
func (r *runner) ownMarkedComments(ctx context.Context, pr int) ([]githubapi.Comment, error) {
	viewer, err := r.gh.Viewer(ctx)
	if err != nil {
		return nil, fmt.Errorf("identify the token's user: %w", err)
	}
	all, err := r.gh.ListIssueComments(ctx, pr)
	if err != nil {
		return nil, err
	}
	var mine []githubapi.Comment
	bot := "" // with an unknown viewer: the author taken for ours
	for _, c := range all {
		if _, ok := prcomment.ParseMarker(c.Body); !ok {
			continue
		}
		switch {
		case viewer != "":
			if c.Author != viewer {
				continue
			}
		case !githubapi.IsBot(c.Author):
			continue
		case bot == "":
			bot = c.Author
		case c.Author != bot:
			continue
		}
		mine = append(mine, c)
	}
	return mine, nil
}

// upsertComment edits the sticky comment in place, or creates it. When two
// jobs raced and both created one, the newer ones are minimized as
// outdated, so the pull request shows exactly one. The plan of the pull
// request's current head wins whichever job runs first: a job for an
// older head never writes over it.
func (r *runner) upsertComment(ctx context.Context, pr int, existing *commentRef, body string) (string, error) {
	current := r.currentHead(ctx, pr)
	stale := current != "" && headOf(body) != current
	var url string
	if existing != nil {
		if existing.Body == body {
			return existing.URL, nil
		}
		if stale && headOf(existing.Body) == current {
			r.gha.Noticef("pull request #%d moved on to %s; the plan of %s is not posted over it", pr, render.ShortHash(current), render.ShortHash(headOf(body)))
			return existing.URL, nil
		}
		c, err := r.gh.EditIssueComment(ctx, existing.ID, body)
		if githubapi.IsForbidden(err) {
			return "", errReadOnly
		}
		if err != nil && !githubapi.IsNotFound(err) {
			return "", err
		}
		if err == nil {
			url = c.URL
		}
	}
	if url == "" {
		c, err := r.gh.CreateIssueComment(ctx, pr, body)
		if githubapi.IsForbidden(err) {
			return "", errReadOnly
		}
		if err != nil {
			return "", err
		}
		url = c.URL
		if kept := r.dedupe(ctx, pr, body, current); kept != "" {
			url = kept
		}
	}
	return url, nil
}

// currentHead is the pull request's head commit now, "" when unknown.
func (r *runner) currentHead(ctx context.Context, pr int) string {
	p, err := r.gh.PullRequest(ctx, pr)
	if err != nil || p == nil {
		return ""
	}
	return p.HeadSHA
}

func headOf(body string) string {
	if m, ok := prcomment.ParseMarker(body); ok {
		return m.HeadSHA
	}
	return ""
}

// dedupe resolves a race in which two jobs both created the comment: the
// oldest visible one is kept, every newer one is minimized as outdated.
// The kept one gets the plan of the current head when one of the racers
// posted it, else body. It returns the kept comment's URL.
func (r *runner) dedupe(ctx context.Context, pr int, body, current string) string {
	mine, err := r.ownMarkedComments(ctx, pr)
	if err != nil {
		return ""
	}
	var visible []githubapi.Comment
	for _, c := range mine {
		if !c.Minimized {
			visible = append(visible, c)
		}
	}
	if len(visible) < 2 {
		return ""
	}
	if current != "" && headOf(body) != current {
		for _, c := range visible {
			if headOf(c.Body) == current {
				body = c.Body
				break
			}
		}
	}
	keep := visible[0]
	if keep.Body != body {
		if c, err := r.gh.EditIssueComment(ctx, keep.ID, body); err == nil {
			keep.URL = c.URL
		}
	}
	for _, c := range visible[1:] {
		if err := r.gh.MinimizeComment(ctx, c.NodeID); err != nil {
			r.gha.Warningf("could not minimize duplicate comment %d: %v", c.ID, err)
		}
	}
	return keep.URL
}
