package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

const (
	apiKey = "conformance-key"
	admin  = "/api/v1/admin"
	resAPI = admin + "/metadata/resources"
)

// server is an emulator listening on 127.0.0.1:0 for one test.
type server struct {
	t      *testing.T
	url    string
	run    *emulator.Running
	client *http.Client
}

// start runs an emulator with the test key, after applying mods to its
// options, and stops it when the test ends.
func start(t *testing.T, mods ...func(*emulator.Options)) *server {
	t.Helper()
	opts := emulator.Options{APIKey: apiKey}
	for _, m := range mods {
		m(&opts)
	}
	run, err := emulator.Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	return &server{
		t:   t,
		url: run.URL,
		run: run,
		// No keep-alive: a dropped connection must not be retried on a
		// pooled one, and each request is seen exactly once.
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
	}
}

func community(o *emulator.Options) { o.Edition = emulator.EditionCommunity }

func gating(status int) func(*emulator.Options) {
	return func(o *emulator.Options) { o.GatingStatus = status }
}

// response is a complete HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// hdr is a request header.
type hdr struct{ key, value string }

// noAuth marks a request sent without the API key.
var noAuth = hdr{key: "X-API-Key", value: ""}

func ifMatch(v string) hdr { return hdr{"If-Match", v} }

// try sends a request and returns transport errors to the caller. body is
// sent as is when it is a string or []byte, and as JSON otherwise.
func (s *server) try(method, path string, body any, headers ...hdr) (response, error) {
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(s.t, err)
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(s.t.Context(), method, s.url+path, rdr)
	require.NoError(s.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-API-Key", apiKey)
	for _, h := range headers {
		if h.value == "" {
			req.Header.Del(h.key)
			continue
		}
		req.Header.Set(h.key, h.value)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// do sends a request that must get an answer.
func (s *server) do(method, path string, body any, headers ...hdr) response {
	s.t.Helper()
	r, err := s.try(method, path, body, headers...)
	require.NoError(s.t, err, "%s %s", method, path)
	return r
}

// obj decodes the body as a JSON object.
func (r response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// data checks the status and the success envelope, and returns data.
func (r response) data(t *testing.T, status int) any {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	env := r.obj(t)
	requireEnvelope(t, env)
	require.Equal(t, true, env["success"])
	return env["data"]
}

// dataObj is data for an object payload.
func (r response) dataObj(t *testing.T, status int) map[string]any {
	t.Helper()
	d, ok := r.data(t, status).(map[string]any)
	require.True(t, ok, "data is not an object: %s", r.body)
	return d
}

// failure checks an error envelope (success false) and returns its message.
func (r response) failure(t *testing.T, status int) string {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	require.Contains(t, r.header.Get("Content-Type"), "application/json")
	env := r.obj(t)
	requireEnvelope(t, env)
	require.Equal(t, false, env["success"])
	msg, _ := env["message"].(string)
	require.NotEmpty(t, msg)
	return msg
}

// problem checks a problem+json answer and returns it.
func (r response) problem(t *testing.T, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	require.Contains(t, r.header.Get("Content-Type"), "application/problem+json")
	p := r.obj(t)
	require.EqualValues(t, status, p["status"])
	require.NotEmpty(t, p["title"])
	return p
}

// empty checks a status with an empty body.
func (r response) empty(t *testing.T, status int) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	require.Empty(t, r.body)
}

// requireEnvelope checks the four envelope keys are present.
func requireEnvelope(t *testing.T, env map[string]any) {
	t.Helper()
	for _, k := range []string{"success", "data", "message", "timestamp"} {
		require.Contains(t, env, k, "envelope key %q", k)
	}
	ts, _ := env["timestamp"].(string)
	_, err := time.Parse(time.RFC3339Nano, ts)
	require.NoError(t, err, "timestamp %q", env["timestamp"])
}

// keys returns the key set of an object.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// res builds a resource envelope. spec nil gives a valid spec for the kind.
func res(kind, ns, name string, spec map[string]any) map[string]any {
	if spec == nil {
		spec = validSpec(kind)
	}
	meta := map[string]any{"name": name}
	if ns != "-" { // "-" omits the namespace
		meta["namespace"] = ns
	}
	return map[string]any{"apiVersion": "honua.io/v1alpha1", "kind": kind, "metadata": meta, "spec": spec}
}

// layer is a valid Layer in namespace default.
func layer(name string) map[string]any { return res("Layer", "default", name, nil) }

// validSpec returns a spec with exactly the keys the contract requires.
func validSpec(kind string) map[string]any {
	switch strings.ToLower(kind) {
	case "service":
		return map[string]any{"description": "d", "srid": 4326}
	case "layer":
		return map[string]any{"tableName": "t", "schemaName": "public", "geometryType": "Polygon", "srid": 4326}
	case "relationship":
		return map[string]any{"originLayerId": "a", "relatedLayerId": "b", "name": "r", "relationshipType": "oneToMany", "originForeignKey": "id", "destinationForeignKey": "a_id"}
	case "style":
		return map[string]any{"layerId": "a", "style": map[string]any{"version": 8}}
	case "connection":
		return map[string]any{"name": "c", "host": "db", "databaseName": "gis"}
	case "maptemplate":
		return map[string]any{"name": "m", "category": "basic"}
	case "theme":
		return map[string]any{"name": "th"}
	}
	return map[string]any{}
}

// withSpec returns a copy of r with spec key k set to v.
func withSpec(r map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range r {
		out[key] = val
	}
	spec := map[string]any{}
	for key, val := range r["spec"].(map[string]any) {
		spec[key] = val
	}
	spec[k] = v
	out["spec"] = spec
	return out
}

// applyBody is a manifest apply request.
func applyBody(dryRun, prune bool, resources ...map[string]any) map[string]any {
	list := make([]any, len(resources))
	for i, r := range resources {
		list[i] = r
	}
	return map[string]any{"resources": list, "dryRun": dryRun, "prune": prune}
}

// entry is a decoded apply entry.
type entry struct {
	Action   string  `json:"action"`
	Resource ident   `json:"resource"`
	Message  *string `json:"message"`
}

type ident struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (i ident) String() string { return i.Kind + "/" + i.Namespace + "/" + i.Name }

// applyResult is a decoded apply result, checked for the keys clients need
// and for summary counts equal to the entries (Appendix A.2, A.12).
type applyResult struct {
	DryRun  bool           `json:"dryRun"`
	Summary map[string]int `json:"summary"`
	Entries []entry        `json:"entries"`
}

// apply posts a manifest and decodes a 200 answer.
func (s *server) apply(body map[string]any) applyResult {
	s.t.Helper()
	r := s.do(http.MethodPost, admin+"/manifest/apply", body)
	return decodeApply(s.t, r)
}

func decodeApply(t *testing.T, r response) applyResult {
	t.Helper()
	d := r.dataObj(t, http.StatusOK)
	require.Contains(t, d, "dryRun")
	sum, ok := d["summary"].(map[string]any)
	require.True(t, ok)
	require.ElementsMatch(t, []string{"created", "updated", "deleted", "skipped"}, keys(sum))
	for _, e := range d["entries"].([]any) {
		em := e.(map[string]any)
		require.Contains(t, em, "message", "entries[].message must be present, null when empty")
		require.ElementsMatch(t, []string{"kind", "namespace", "name"}, keys(em["resource"].(map[string]any)))
	}
	raw, err := json.Marshal(d)
	require.NoError(t, err)
	var out applyResult
	require.NoError(t, json.Unmarshal(raw, &out))
	counts := map[string]int{}
	for _, e := range out.Entries {
		counts[e.Action]++
	}
	require.Equal(t, map[string]int{
		"created": counts["create"], "updated": counts["update"],
		"deleted": counts["delete"], "skipped": counts["skip"],
	}, out.Summary, "summary counts equal entry counts")
	return out
}

// actions renders entries as "action Kind/ns/name [message]" lines.
func (a applyResult) actions() []string {
	out := make([]string, len(a.Entries))
	for i, e := range a.Entries {
		out[i] = e.Action + " " + e.Resource.String()
		if e.Message != nil {
			out[i] += " [" + *e.Message + "]"
		}
	}
	return out
}

// get fetches one resource; ok is false on 404.
func (s *server) get(kind, ns, name string) (map[string]any, string, bool) {
	s.t.Helper()
	r := s.do(http.MethodGet, resAPI+"/"+kind+"/"+ns+"/"+name, nil)
	if r.status == http.StatusNotFound {
		return nil, "", false
	}
	return r.dataObj(s.t, http.StatusOK), r.header.Get("ETag"), true
}

// create posts a resource and returns its ETag.
func (s *server) create(r map[string]any) string {
	s.t.Helper()
	resp := s.do(http.MethodPost, resAPI, r)
	resp.data(s.t, http.StatusCreated)
	return resp.header.Get("ETag")
}

// list returns the bare array of GET /metadata/resources.
func (s *server) list(query string) []any {
	s.t.Helper()
	d := s.do(http.MethodGet, resAPI+query, nil).data(s.t, http.StatusOK)
	arr, ok := d.([]any)
	require.True(s.t, ok, "data of a list is a bare array")
	return arr
}

// names lists "Kind/ns/name" of resource objects.
func names(items []any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		m := it.(map[string]any)
		meta := m["metadata"].(map[string]any)
		out[i] = m["kind"].(string) + "/" + meta["namespace"].(string) + "/" + meta["name"].(string)
	}
	return out
}

func annotations(r map[string]any) map[string]any {
	a, _ := r["metadata"].(map[string]any)["annotations"].(map[string]any)
	return a
}
