// Package prcomment builds the one sticky pull-request comment of
// honua-gitops: a hidden marker recording what was reviewed, a lifecycle
// table with one row per environment, the plan details (from
// render.Markdown) within GitHub's comment size limit, what was applied,
// and a job summary that carries the details that did not fit.
//
// Everything here is pure: Render reads no clock, no environment and no
// network, so the same Input always gives the same bytes.
package prcomment

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// MarkerPrefix starts the hidden marker. The full marker is MarkerPrefix +
// compact JSON + " -->", on the comment's first line.
const MarkerPrefix = "<!-- honua-gitops:pr "

// markerSuffix ends the marker.
const markerSuffix = " -->"

// MarkerVersion is the version of the marker's JSON form; ParseMarker
// accepts this version only.
const MarkerVersion = 1

// Status is where one environment is in the comment's lifecycle.
type Status string

// Statuses, in lifecycle order.
const (
	Planned   Status = "planned"
	NoChanges Status = "no-changes"
	Applying  Status = "applying"
	Applied   Status = "applied"
	Failed    Status = "failed"
	Refused   Status = "refused"
	Invalid   Status = "invalid"
)

// EnvState is what the marker records about one environment.
type EnvState struct {
	// Hash is the plan hash reviewed.
	Hash string `json:"hash"`
	// StateRevision is the state-branch commit the plan was computed
	// against.
	StateRevision string `json:"state,omitempty"`
	Status        Status `json:"status"`
	DeploymentID  string `json:"deployment,omitempty"`
	// Message is a one-line remark, e.g. the failure reason.
	Message string `json:"message,omitempty"`
}

// Marker is the comment's hidden record: per environment, the plan hash
// and state revision that were reviewed, so the merge job applies exactly
// that, and the lifecycle status.
type Marker struct {
	Version int    `json:"v"`
	PR      int    `json:"pr"`
	HeadSHA string `json:"head"`
	// Supersedes is the head commit of the plan this one replaced.
	Supersedes string              `json:"supersedes,omitempty"`
	Envs       map[string]EnvState `json:"envs"`
	UpdatedAt  time.Time           `json:"at"`
}

// ParseMarker finds the first well-formed marker anywhere in body and
// decodes it. It returns false when there is none, or when every marker
// found is malformed or of another version. It never panics.
func ParseMarker(body string) (*Marker, bool) {
	rest := body
	for {
		i := strings.Index(rest, MarkerPrefix)
		if i < 0 {
			return nil, false
		}
		rest = rest[i+len(MarkerPrefix):]
		end := strings.Index(rest, "-->")
		if end < 0 {
			return nil, false
		}
		if m, ok := decodeMarker(rest[:end]); ok {
			return m, true
		}
	}
}

// decodeMarker decodes the JSON of one marker.
func decodeMarker(s string) (*Marker, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return nil, false
	}
	var m Marker
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, false
	}
	if m.Version != MarkerVersion {
		return nil, false
	}
	if m.Envs == nil {
		m.Envs = map[string]EnvState{}
	}
	return &m, true
}

// String returns the marker line: MarkerPrefix, the marker as compact
// JSON, " -->". The JSON never contains "-->" or "--": encoding/json
// escapes '<', '>' and '&' (HTML escaping stays on), and every '-' that
// follows another '-' is written as \u002d, which is only possible inside
// JSON strings. Map keys are sorted, so the line is deterministic.
func (m *Marker) String() string {
	data, err := json.Marshal(m)
	if err != nil {
		// Only an out-of-range UpdatedAt (year outside 0..9999) fails.
		cp := *m
		cp.UpdatedAt = time.Time{}
		data, _ = json.Marshal(&cp)
	}
	data = bytes.ReplaceAll(data, []byte("--"), []byte(`-\u002d`))
	return MarkerPrefix + string(data) + markerSuffix
}
