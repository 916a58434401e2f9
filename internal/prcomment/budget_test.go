package prcomment

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

const bigChanges = 5000

// bigInput is a planned comment with one huge environment between two
// small ones.
func bigInput() Input {
	in := baseInput()
	in.Plans = []*plan.Plan{stagingPlan(), bigPlan("production", bigChanges), noChangesPlan()}
	return in
}

func TestBudgetBigPlan(t *testing.T) {
	t.Parallel()
	for _, maxBytes := range []int{0, 8000, 20000, 40000, 60000, GitHubMaxBytes, 1 << 20} {
		t.Run(fmt.Sprint(maxBytes), func(t *testing.T) {
			t.Parallel()
			in := bigInput()
			start := time.Now()
			out, err := Render(in, Options{MaxBytes: maxBytes})
			elapsed := time.Since(start)
			require.NoError(t, err)

			limit := maxBytes
			switch {
			case limit == 0:
				limit = DefaultMaxBytes
			case limit > GitHubMaxBytes:
				limit = GitHubMaxBytes
			}
			assert.LessOrEqual(t, len(out.Body), limit)
			assert.True(t, out.Truncated)
			t.Logf("MaxBytes %d: body %d bytes, summary %d bytes (cut: %v), %v", maxBytes, len(out.Body), len(out.Summary), out.SummaryTruncated, elapsed)

			// The lifecycle table is complete and the marker records every
			// environment's plan.
			for _, p := range in.Plans {
				has(t, out.Body, "| "+p.Environment+" | ")
				has(t, out.Body, "`"+p.Hash[:12]+"`")
			}
			has(t, out.Body, "| production | 📝 planned | +1667 \\~1667 -1666 | ⚠️ high | none |")
			m, ok := ParseMarker(out.Body)
			require.True(t, ok)
			require.Len(t, m.Envs, 3)
			assert.Equal(t, in.Plans[1].Hash, m.Envs["production"].Hash)
			assert.Equal(t, stateRevision, m.Envs["production"].StateRevision)

			has(t, out.Body, "_Full plan: see the [job summary]("+runURL+") and the `"+artifactName+"` artifact._")
			has(t, out.Body, "[Workflow run]("+runURL+")")
			hasNot(t, out.Body, "${secret:")
			hasNot(t, out.Summary, "${secret:")
			assertBalanced(t, out.Body)

			// The details that fit are there: with room for any, the small
			// environment before the big one is shown in full.
			if maxBytes >= 20000 || maxBytes == 0 {
				has(t, out.Body, "#### staging")
				has(t, out.Body, "<code>Layer/default/parcels</code>")
				has(t, out.Body, "more resources are in the job summary and the plan JSON artifact")
			}

			// The summary has every resource, or says it was cut.
			assert.LessOrEqual(t, len(out.Summary), MaxSummaryBytes)
			if out.SummaryTruncated {
				has(t, out.Summary, "_The job summary was cut at 1000000 bytes")
				has(t, out.Summary, "`"+artifactName+"` artifact._")
				assertBalanced(t, out.Summary)
			} else {
				for i := range bigChanges {
					has(t, out.Summary, fmt.Sprintf("<code>Layer/default/layer-%05d</code>", i))
				}
			}
			for _, p := range in.Plans {
				has(t, out.Summary, "| "+p.Environment+" | ", "the summary's table is complete")
			}

			limitTime := time.Second
			if raceEnabled {
				limitTime = 20 * time.Second
			}
			assert.Less(t, elapsed, limitTime)
		})
	}
}

// TestSummaryAllResources: 2,000 changes fit in the summary, which then
// lists every one.
func TestSummaryAllResources(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Plans = []*plan.Plan{bigPlan("production", 2000)}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	require.False(t, out.SummaryTruncated)
	for i := range 2000 {
		require.Contains(t, out.Summary, fmt.Sprintf("<code>Layer/default/layer-%05d</code>", i))
	}
	assert.LessOrEqual(t, len(out.Body), DefaultMaxBytes)
	assert.True(t, out.Truncated)
}

// TestBudgetExactFit: a plan that fits is not truncated, and one byte less
// budget than the full body truncates it and still fits.
func TestBudgetExactFit(t *testing.T) {
	t.Parallel()
	full, err := Render(baseInput(), Options{})
	require.NoError(t, err)
	require.False(t, full.Truncated)

	exact, err := Render(baseInput(), Options{MaxBytes: len(full.Body)})
	require.NoError(t, err)
	assert.False(t, exact.Truncated)
	assert.Equal(t, full.Body, exact.Body)

	for _, n := range []int{len(full.Body) - 1, len(full.Body) - 500, 1500, 1200} {
		less, err := Render(baseInput(), Options{MaxBytes: n})
		require.NoError(t, err)
		assert.True(t, less.Truncated)
		assert.LessOrEqual(t, len(less.Body), n)
		assert.Contains(t, less.Body, "_Full plan: see the")
		assertBalanced(t, less.Body)
	}
}

// TestBudgetManyEnvironments: when the table itself does not fit, rows are
// cut and counted; when not even the marker fits, Render says so.
func TestBudgetManyEnvironments(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Plans = nil
	for i := range 300 {
		p := stagingPlan()
		p.Environment = fmt.Sprintf("env-%03d", i)
		in.Plans = append(in.Plans, p)
	}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(out.Body), DefaultMaxBytes)
	assert.True(t, out.Truncated)
	assert.Regexp(t, `_\d+ more environments are listed in the job summary\._`, out.Body)
	m, ok := ParseMarker(out.Body)
	require.True(t, ok)
	assert.Len(t, m.Envs, 300, "the marker records every environment even when rows are cut")
	has(t, out.Summary, "| env-299 | ")

	_, err = Render(in, Options{MaxBytes: 8000})
	require.ErrorIs(t, err, ErrBudget)
}

// assertBalanced checks that code fences and <details> blocks are closed.
func assertBalanced(t *testing.T, md string) {
	t.Helper()
	var sc mdScanner
	for _, l := range strings.Split(md, "\n") {
		sc.line(l)
	}
	assert.Empty(t, sc.fence, "a code fence is left open")
	assert.Zero(t, sc.details, "a <details> block is left open")
}

func BenchmarkRender5000(b *testing.B) {
	in := bigInput()
	for b.Loop() {
		if _, err := Render(in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
