package prcomment

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fullMarker() Marker {
	return Marker{
		Version:    1,
		PR:         42,
		HeadSHA:    headSHA,
		Supersedes: oldHeadSHA,
		Envs: map[string]EnvState{
			"staging":    {Hash: hashStaging, StateRevision: stateRevision, Status: Applied, DeploymentID: "d-7"},
			"production": {Hash: hashProduction, StateRevision: stateRevision, Status: Failed, Message: "target prod-2: 412 Precondition Failed"},
		},
		UpdatedAt: fixedTime,
	}
}

func TestMarkerRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		marker Marker
	}{
		{"full", fullMarker()},
		{"no envs", Marker{Version: 1, PR: 1, HeadSHA: "abc", Envs: map[string]EnvState{}, UpdatedAt: fixedTime}},
		{"zero time", Marker{Version: 1, PR: 7, Envs: map[string]EnvState{"dev": {Hash: "h", Status: Planned}}}},
		{"offset time", Marker{Version: 1, PR: 7, Envs: map[string]EnvState{}, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))}},
		{"hostile message", func() Marker {
			m := fullMarker()
			m.Envs["production"] = EnvState{Hash: "h", Status: Refused, Message: "plan changed --> <!-- honua-gitops:pr {} --> & <b>x</b> ---- \n\u2028 end"}
			m.Envs["a-->b"] = EnvState{Hash: "--", Status: "weird--status"}
			return m
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			line := tc.marker.String()
			require.True(t, strings.HasPrefix(line, MarkerPrefix))
			require.True(t, strings.HasSuffix(line, " -->"))
			inner := strings.TrimSuffix(strings.TrimPrefix(line, MarkerPrefix), " -->")
			assert.NotContains(t, inner, "--", "the JSON must not contain -- (nor -->)")
			assert.NotContains(t, inner, ">")
			assert.NotContains(t, inner, "<")
			assert.NotContains(t, line, "\n")

			got, ok := ParseMarker(line)
			require.True(t, ok)
			assert.Equal(t, tc.marker.Version, got.Version)
			assert.Equal(t, tc.marker.PR, got.PR)
			assert.Equal(t, tc.marker.HeadSHA, got.HeadSHA)
			assert.Equal(t, tc.marker.Supersedes, got.Supersedes)
			assert.Equal(t, tc.marker.Envs, got.Envs)
			assert.True(t, tc.marker.UpdatedAt.Equal(got.UpdatedAt))
			assert.Equal(t, line, got.String())
		})
	}
}

func TestParseMarker(t *testing.T) {
	t.Parallel()
	good := fullMarker()
	line := good.String()
	cases := []struct {
		name string
		body string
		ok   bool
		pr   int
	}{
		{"first line", line + "\n\n### Honua plan\n", true, 42},
		{"after other comments", "<!-- other tool {\"a\":1} -->\n<!-- honua-gitops:something else -->\n" + line + "\ntext <!-- trailing -->", true, 42},
		{"in the middle of a line", "before " + line + " after", true, 42},
		{"crlf", strings.ReplaceAll(line+"\n\nbody\n", "\n", "\r\n"), true, 42},
		{"malformed first, good second", MarkerPrefix + "{\"v\":1,\"pr\": -->\n" + line, true, 42},
		{"absent", "### Honua plan\n\nno marker here <!-- x -->", false, 0},
		{"empty", "", false, 0},
		{"prefix only", MarkerPrefix, false, 0},
		{"unterminated", MarkerPrefix + `{"v":1,"pr":3,"head":"x","envs":{},"at":"2026-03-01T12:00:00Z"}`, false, 0},
		{"malformed json", MarkerPrefix + `{"v":1,"pr":"forty-two"} -->`, false, 0},
		{"not an object", MarkerPrefix + `[1,2,3] -->`, false, 0},
		{"trailing garbage", MarkerPrefix + `{"v":1,"pr":3,"envs":{}} extra -->`, false, 0},
		{"raw --> in a string ends the marker early", MarkerPrefix + `{"v":1,"pr":3,"envs":{"a":{"hash":"h","status":"failed","message":"x --> y"}}} -->`, false, 0},
		{"escaped --> in a string", MarkerPrefix + `{"v":1,"pr":3,"envs":{"a":{"hash":"h","status":"failed","message":"x --\u003e y"}},"at":"2026-03-01T12:00:00Z"} -->`, true, 3},
		{"other version", MarkerPrefix + `{"v":2,"pr":3,"envs":{}} -->`, false, 0},
		{"no version", MarkerPrefix + `{"pr":3,"envs":{}} -->`, false, 0},
		{"null envs", MarkerPrefix + `{"v":1,"pr":3,"envs":null,"at":"2026-03-01T12:00:00Z"} -->`, true, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, ok := ParseMarker(tc.body)
			require.Equal(t, tc.ok, ok)
			if !ok {
				assert.Nil(t, m)
				return
			}
			assert.Equal(t, tc.pr, m.PR)
			assert.NotNil(t, m.Envs)
		})
	}
}

// TestParseMarkerHostileMessage renders a whole comment whose failure
// message tries to close the marker, and parses it back.
func TestParseMarkerHostileMessage(t *testing.T) {
	t.Parallel()
	in := baseInput()
	msg := `boom --> <!-- honua-gitops:pr {"v":1,"pr":666,"envs":{}} --> done`
	in.Marker.Envs = map[string]EnvState{"production": {Status: Failed, Message: msg}}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	m, ok := ParseMarker(out.Body)
	require.True(t, ok)
	assert.Equal(t, 42, m.PR)
	assert.Equal(t, msg, m.Envs["production"].Message)
	assert.Equal(t, hashProduction, m.Envs["production"].Hash, "the hash is filled in from the plan")
	assert.Equal(t, Failed, m.Envs["production"].Status)
	assert.Equal(t, 1, strings.Count(out.Body, MarkerPrefix), "the message is escaped in the table")
}

func TestMarkerStringBadTime(t *testing.T) {
	t.Parallel()
	m := Marker{Version: 1, PR: 1, Envs: map[string]EnvState{}, UpdatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	got, ok := ParseMarker(m.String())
	require.True(t, ok, "an unencodable time is dropped, not the marker")
	assert.True(t, got.UpdatedAt.IsZero())
}
