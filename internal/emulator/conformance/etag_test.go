package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// wantETag is the contract's ETag: a quoted, unpadded base64 SHA-256 of the
// resourceVersion string (Appendix A.5, B.8).
func wantETag(resourceVersion string) string {
	sum := sha256.Sum256([]byte(resourceVersion))
	return `"` + base64.RawStdEncoding.EncodeToString(sum[:]) + `"`
}

func resourceVersion(r map[string]any) string {
	return r["metadata"].(map[string]any)["resourceVersion"].(string)
}

// Appendix A.5: an ETag on GET 200, POST 201 and PUT 200, derived from
// resourceVersion and stable while the resource is unchanged.
func TestETagEmittedAndStable(t *testing.T) {
	t.Parallel()
	s := start(t)
	created := s.do(http.MethodPost, resAPI, layer("a"))
	body := created.dataObj(t, http.StatusCreated)
	postTag := created.header.Get("ETag")
	assert.Equal(t, wantETag(resourceVersion(body)), postTag)
	assert.False(t, strings.HasSuffix(strings.Trim(postTag, `"`), "="), "unpadded")

	for range 2 {
		_, tag, ok := s.get("Layer", "default", "a")
		require.True(t, ok)
		assert.Equal(t, postTag, tag, "stable while unchanged")
	}
	put := s.do(http.MethodPut, resAPI+"/Layer/default/a", withSpec(layer("a"), "srid", 3857), ifMatch(postTag))
	putBody := put.dataObj(t, http.StatusOK)
	assert.Equal(t, wantETag(resourceVersion(putBody)), put.header.Get("ETag"))
	assert.NotEqual(t, postTag, put.header.Get("ETag"))
}

// §1.5, Appendix A.5, B.8: PUT and DELETE need If-Match: 428 without it,
// 412 on a mismatch; "*" matches; weak tags never match. 412 and 428
// problems have the title "Error".
func TestIfMatchRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ifMatch func(etag string) string
		want    int
	}{
		{"missing", func(string) string { return "" }, http.StatusPreconditionRequired},
		{"current", func(e string) string { return e }, http.StatusOK},
		{"star", func(string) string { return "*" }, http.StatusOK},
		{"list containing the current tag", func(e string) string { return wantETag("nope") + ", " + e }, http.StatusOK},
		{"stale", func(string) string { return wantETag("0") }, http.StatusPreconditionFailed},
		{"weak form of the current tag", func(e string) string { return "W/" + e }, http.StatusPreconditionFailed},
		{"any string", func(string) string { return "not-an-etag" }, http.StatusPreconditionFailed},
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		for _, tt := range tests {
			t.Run(method+" "+tt.name, func(t *testing.T) {
				t.Parallel()
				s := start(t)
				etag := s.create(layer("a"))
				var body any
				if method == http.MethodPut {
					body = layer("a")
				}
				r := s.do(method, resAPI+"/Layer/default/a", body, ifMatch(tt.ifMatch(etag)))
				if tt.want == http.StatusOK {
					r.data(t, http.StatusOK)
					return
				}
				assert.Equal(t, "Error", r.problem(t, tt.want)["title"])
			})
		}
	}
}

// Appendix B.8: PUT checks in order 404, 428, 412, 400, 409; DELETE 404,
// 428, 412, 409. A body that cannot be bound is 400 with an empty body
// before any of them.
func TestPreconditionOrder(t *testing.T) {
	t.Parallel()
	invalidBody := res("Layer", "default", "a", map[string]any{"tableName": "t"}) // lacks required keys
	tests := []struct {
		name     string
		method   string
		resource string
		body     any
		headers  []hdr
		want     int
		shape    string // empty | problem | failure
	}{
		{"PUT missing resource beats missing If-Match", http.MethodPut, "nope", layer("nope"), nil, 404, "empty"},
		{"PUT missing If-Match beats invalid body", http.MethodPut, "a", invalidBody, nil, 428, "problem"},
		{"PUT stale If-Match beats invalid body", http.MethodPut, "a", invalidBody, []hdr{ifMatch(wantETag("0"))}, 412, "problem"},
		{"PUT invalid body after preconditions", http.MethodPut, "a", invalidBody, []hdr{ifMatch("*")}, 400, "failure"},
		{"PUT unbindable body first", http.MethodPut, "nope", `{"resources":`, nil, 400, "empty"},
		{"PUT numeric resourceVersion is a binding error", http.MethodPut, "a",
			`{"apiVersion":"honua.io/v1alpha1","kind":"Layer","metadata":{"name":"a","resourceVersion":7},"spec":{}}`, []hdr{ifMatch("*")}, 400, "empty"},
		{"PUT body for another resource", http.MethodPut, "a", layer("b"), []hdr{ifMatch("*")}, 400, "failure"},
		{"DELETE missing resource beats missing If-Match", http.MethodDelete, "nope", nil, nil, 404, "empty"},
		{"DELETE missing If-Match", http.MethodDelete, "a", nil, nil, 428, "problem"},
		{"DELETE stale If-Match", http.MethodDelete, "a", nil, []hdr{ifMatch(wantETag("0"))}, 412, "problem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			s.create(layer("a"))
			r := s.do(tt.method, resAPI+"/Layer/default/"+tt.resource, tt.body, tt.headers...)
			switch tt.shape {
			case "empty":
				r.empty(t, tt.want)
			case "problem":
				assert.Equal(t, "Error", r.problem(t, tt.want)["title"])
			case "failure":
				r.failure(t, tt.want)
			}
			_, _, ok := s.get("Layer", "default", "a")
			assert.True(t, ok, "a refused write changes nothing")
		})
	}
}

// §1.5: 409 when a POST finds the resource, and on a version race for PUT
// and DELETE (provoked deterministically through the BeforeCommit hook,
// which changes the resource between the precondition check and the write).
func TestConflicts(t *testing.T) {
	t.Parallel()
	t.Run("POST existing", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.create(layer("a"))
		assert.Equal(t, "Resource already exists.", s.do(http.MethodPost, resAPI, layer("a")).failure(t, http.StatusConflict))
	})
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		t.Run(method+" race", func(t *testing.T) {
			t.Parallel()
			var s *server
			var armed atomic.Bool
			s = start(t, func(o *emulator.Options) {
				o.Hooks.BeforeCommit = func(_ context.Context, id emulator.Identity) {
					if armed.CompareAndSwap(true, false) { // once, and not for the racing write itself
						s.do(http.MethodPut, resAPI+"/Layer/default/a", withSpec(layer("a"), "srid", 1), ifMatch("*")).data(t, http.StatusOK)
					}
				}
			})
			aTag := s.create(layer("a"))
			armed.Store(true)
			var body any
			if method == http.MethodPut {
				body = withSpec(layer("a"), "srid", 2)
			}
			s.do(method, resAPI+"/Layer/default/a", body, ifMatch(aTag)).failure(t, http.StatusConflict)
			got, _, ok := s.get("Layer", "default", "a")
			require.True(t, ok, "the racing write won")
			assert.EqualValues(t, 1, got["spec"].(map[string]any)["srid"])
		})
	}
}
