package statebranch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// The trailers round-trip through the git CLI's own trailer parser and
// through ParseTrailers.
func TestTrailersRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		trailers []statebranch.Trailer
	}{
		{name: "with body", body: "Applied 12 changes to production.\n\nSecond paragraph.", trailers: []statebranch.Trailer{
			{Key: "Honua-Environment", Value: "production"},
			{Key: "Honua-Deployment", Value: "2026-03-01T12-00-00Z-ab12"},
			{Key: "Honua-Plan-Hash", Value: "sha256:0123abcd"},
		}},
		{name: "no body", trailers: []statebranch.Trailer{{Key: "Honua-Environment", Value: "dev"}}},
		{name: "body that looks like trailers", body: "Note: this is prose\nand not a trailer: block", trailers: []statebranch.Trailer{{Key: "Honua-Status", Value: "applied: with colon"}}},
		{name: "empty value", trailers: []statebranch.Trailer{{Key: "Honua-Empty", Value: ""}, {Key: "Honua-Next", Value: "x"}}},
		{name: "unicode value", trailers: []statebranch.Trailer{{Key: "Honua-Actor", Value: "Zoë Müller <zoe@example.com>"}}},
	}
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := s.Commit(context.Background(), read(t, s), statebranch.Commit{
				Subject:  "deploy " + tt.name,
				Body:     tt.body,
				Trailers: tt.trailers,
				Changes:  []statebranch.Change{put("n", strings.Repeat("x", i+1))},
			})
			require.NoError(t, err)

			var want []string
			wantMap := map[string]string{}
			for _, tr := range tt.trailers {
				want = append(want, strings.TrimSpace(tr.Key+": "+tr.Value))
				wantMap[tr.Key] = tr.Value
			}
			got := gittest.Git(t, dir, "log", "-1", "--format=%(trailers:only,unfold)", h.String())
			lines := strings.Split(got, "\n")
			for i := range lines {
				lines[i] = strings.TrimSpace(lines[i])
			}
			assert.Equal(t, want, lines, "git's trailer parser")
			for _, tr := range tt.trailers {
				assert.Equal(t, tr.Value, gittest.Git(t, dir, "log", "-1", "--format=%(trailers:key="+tr.Key+",valueonly)", h.String()))
			}
			assert.Equal(t, "deploy "+tt.name, gittest.Git(t, dir, "log", "-1", "--format=%s", h.String()))

			entries, err := s.Log(context.Background(), h, 1)
			require.NoError(t, err)
			require.Len(t, entries, 1)
			assert.Equal(t, wantMap, entries[0].Trailers)
			assert.Equal(t, wantMap, statebranch.ParseTrailers(gittest.Git(t, dir, "log", "-1", "--format=%B", h.String())))
		})
	}
}

func TestParseTrailers(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want map[string]string
	}{
		{name: "empty", msg: "", want: map[string]string{}},
		{name: "subject only", msg: "deploy\n", want: map[string]string{}},
		{name: "subject is never a trailer", msg: "Key: value\n", want: map[string]string{}},
		{name: "trailers after subject", msg: "deploy\n\nA: 1\nB-2: two words\n", want: map[string]string{"A": "1", "B-2": "two words"}},
		{name: "after body", msg: "deploy\n\nbody\n\nA: 1\n", want: map[string]string{"A": "1"}},
		{name: "last paragraph not all trailers", msg: "deploy\n\nA: 1\nprose\n", want: map[string]string{}},
		{name: "body paragraph ignored", msg: "deploy\n\nX: in body\n\nA: 1\n", want: map[string]string{"A": "1"}},
		{name: "continuation line", msg: "deploy\n\nA: first\n  second\nB: 2\n", want: map[string]string{"A": "first second", "B": "2"}},
		{name: "repeated key keeps last", msg: "deploy\n\nA: 1\nA: 2\n", want: map[string]string{"A": "2"}},
		{name: "key with space is not a trailer", msg: "deploy\n\nNot A: key\n", want: map[string]string{}},
		{name: "CRLF and trailing blank lines", msg: "deploy\r\n\r\nA: 1\r\n\r\n\r\n", want: map[string]string{"A": "1"}},
		{name: "space before colon", msg: "deploy\n\nA : 1\n", want: map[string]string{"A": "1"}},
		{name: "value with colon", msg: "deploy\n\nURL: http://x:1/\n", want: map[string]string{"URL": "http://x:1/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, statebranch.ParseTrailers(tt.msg))
		})
	}
}
