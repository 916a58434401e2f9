package honua

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// maxTextLen bounds each piece of server text kept in an error.
const maxTextLen = 1000

// envelopeMode says how strictly an answer must be wrapped.
type envelopeMode int

const (
	// envelopeData requires {success: true, data: <non-null>}.
	envelopeData envelopeMode = iota
	// envelopeNullData requires success true and allows data null
	// (DELETE answers {success:true, data:null, message:"Resource deleted."}).
	envelopeNullData
	// envelopeOrBare accepts an envelope or, when the body has no
	// "success" key, the body itself as the data. Used for the discovery
	// documents, whose wrapping varies across Honua generations.
	envelopeOrBare
)

// unwrap checks Honua's {success, data, message, timestamp} envelope and
// returns data.
func (c *Client) unwrap(req request, ans *answer, mode envelopeMode) (json.RawMessage, error) {
	fail := func(format string, args ...any) error {
		return &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status, Reason: fmt.Sprintf(format, args...)}
	}
	body := bytes.TrimSpace(ans.body)
	if len(body) == 0 {
		return nil, fail("the body is empty; want a JSON envelope {success, data}")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fail("the body is not a JSON object (Content-Type %q); is the URL a Honua server?", ans.header.Get("Content-Type"))
	}
	rawSuccess, wrapped := top["success"]
	if !wrapped {
		if mode == envelopeOrBare {
			return body, nil
		}
		return nil, fail("the body is not a Honua envelope {success, data}")
	}
	var success bool
	if err := json.Unmarshal(rawSuccess, &success); err != nil {
		return nil, fail("the envelope's success is not a boolean")
	}
	if !success {
		var msg string
		_ = json.Unmarshal(top["message"], &msg)
		if msg = clip(c.scrub(msg)); msg != "" {
			return nil, fail("the envelope says success false: %s", msg)
		}
		return nil, fail("the envelope says success false")
	}
	data := bytes.TrimSpace(top["data"])
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		if mode == envelopeNullData {
			return nil, nil
		}
		return nil, fail("the envelope carries no data")
	}
	return data, nil
}

// decodeData unwraps the envelope and decodes data into v.
func (c *Client) decodeData(req request, ans *answer, mode envelopeMode, v any) error {
	data, err := c.unwrap(req, ans, mode)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status,
			Reason: "data does not have the expected shape: " + jsonErrorText(err)}
	}
	return nil
}

// jsonErrorText describes a decoding error without quoting the input.
func jsonErrorText(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		if te.Field != "" {
			return fmt.Sprintf("%s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		return fmt.Sprintf("a JSON %s where %s was expected", te.Value, te.Type)
	}
	return err.Error()
}

// errorBody is what the client reads from an error answer: a problem
// document ({title, status, detail}), an envelope with success false
// ({message}), or an SDK-style {error: {message}}.
type errorBody struct {
	Title   string          `json:"title"`
	Detail  string          `json:"detail"`
	Message string          `json:"message"`
	Error   json.RawMessage `json:"error"`
}

// apiError turns a non-2xx answer into an *APIError, reading the server's
// text in the order detail, message, title, error.message.
func (c *Client) apiError(req request, ans *answer) *APIError {
	e := &APIError{
		Method:   req.method,
		Endpoint: c.endpoint(req),
		Status:   ans.status,
		Hint:     hintFor(ans.status, req.resource),
		Attempts: ans.attempts,
	}
	if isJSON(ans.header.Get("Content-Type"), ans.body) {
		var b errorBody
		if json.Unmarshal(ans.body, &b) == nil {
			e.Title, e.Detail, e.Message = clip(c.scrub(b.Title)), clip(c.scrub(b.Detail)), clip(c.scrub(b.Message))
			if e.Detail == "" && e.Message == "" && e.Title == "" {
				e.Message = clip(c.scrub(errorMessage(b.Error)))
			}
		}
	} else if mt, _, _ := mime.ParseMediaType(ans.header.Get("Content-Type")); mt == "text/plain" {
		line, _, _ := strings.Cut(strings.TrimSpace(string(ans.body)), "\n")
		if len(line) <= 200 {
			e.Message = c.scrub(strings.TrimSpace(line))
		}
	}
	if ans.status == http.StatusTooManyRequests || ans.status == http.StatusServiceUnavailable {
		if d, ok := parseRetryAfter(ans.header.Get("Retry-After"), c.now()); ok {
			e.RetryAfter = d
		}
	}
	if ans.status >= 300 && ans.status < 400 {
		e.Hint = c.scrub(redirectHint(ans.header.Get("Location")))
	}
	return e
}

// errorMessage reads error.message, or error itself when it is a string.
func errorMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.Message
}

// redirectHint names where a redirect points, without credentials.
func redirectHint(location string) string {
	if location == "" {
		return hintRedirectNoLocation
	}
	u, err := url.Parse(location)
	if err != nil {
		return hintRedirectNoLocation
	}
	return fmt.Sprintf(hintRedirectFormat, redactedURL(u))
}

// isJSON reports a JSON body: a json media type (application/json,
// application/problem+json), or a body that is a JSON object whatever its
// type says (servers and proxies mislabel them, and Go sniffs text/plain).
func isJSON(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "json") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// clip bounds server text kept in an error and flattens it to one line.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxTextLen {
		return s[:maxTextLen] + "…"
	}
	return s
}

// --- resources on the wire ---

// encodeResource is a resource as the client sends it: r.Object() with
// the namespace always explicit ("default" when empty, Appendix B.4), the
// apiVersion defaulted, the kind, labels and annotations as given.
func encodeResource(r *resource.Resource) (map[string]any, error) {
	if r == nil {
		return nil, fmt.Errorf("resource is nil")
	}
	if err := checkIdentity(r.ID()); err != nil {
		return nil, err
	}
	obj := r.Object()
	if r.APIVersion == "" {
		obj["apiVersion"] = resource.APIVersion
	}
	if md, ok := obj["metadata"].(map[string]any); ok && r.Metadata.Namespace == "" {
		md["namespace"] = resource.DefaultNamespace
	}
	return obj, nil
}

// withNamespace returns id with the namespace made explicit.
func withNamespace(id resource.Identity) resource.Identity {
	if id.Namespace == "" {
		id.Namespace = resource.DefaultNamespace
	}
	return id
}

// checkIdentity refuses identities that cannot name a resource path.
func checkIdentity(id resource.Identity) error {
	id = withNamespace(id)
	for _, p := range []struct{ what, v string }{{"kind", id.Kind}, {"namespace", id.Namespace}, {"name", id.Name}} {
		switch p.v {
		case "":
			return fmt.Errorf("%s: the %s is empty", id, p.what)
		case ".", "..":
			return fmt.Errorf("%s: the %s %q cannot be a URL path segment", id, p.what, p.v)
		}
	}
	return nil
}

// resourcePath is the escaped path of one resource.
func resourcePath(id resource.Identity) string {
	id = withNamespace(id)
	return adminEndpoint("metadata", "resources", id.Kind, id.Namespace, id.Name)
}

// canonicalBody encodes a request body with resource.CanonicalJSON: sorted
// keys, no HTML escaping, canonical numbers.
func canonicalBody(v any) ([]byte, error) {
	b, err := resource.CanonicalJSON(v)
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	return b, nil
}

// decodeObject turns a resource the server returned into an Object. It
// decodes into fresh maps (resource.FromObject normalises the spec in
// place) and keeps what the canonical resource drops: every annotation,
// the identity as stored, and resourceVersion.
func decodeObject(raw json.RawMessage, etag string) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return Object{}, fmt.Errorf("not a JSON object: %s", jsonErrorText(err))
	}
	if obj == nil {
		return Object{}, fmt.Errorf("the resource is null")
	}
	o := Object{ETag: etag}
	o.ID.Kind, _ = obj["kind"].(string)
	if md, ok := obj["metadata"].(map[string]any); ok {
		o.ID.Namespace, _ = md["namespace"].(string)
		o.ID.Name, _ = md["name"].(string)
		o.ResourceVersion = scalarText(md["resourceVersion"])
		if anns, ok := md["annotations"].(map[string]any); ok && len(anns) > 0 {
			o.Annotations = make(map[string]string, len(anns))
			for k, v := range anns {
				if v != nil {
					o.Annotations[k] = scalarText(v)
				}
			}
		}
	}
	r, err := resource.FromObject(obj)
	if err != nil {
		if o.ID.Kind != "" || o.ID.Name != "" {
			return Object{}, fmt.Errorf("%s: %w", o.ID, err)
		}
		return Object{}, err
	}
	o.Resource = r
	return o, nil
}

// decodeObjects decodes a JSON array of resources.
func decodeObjects(raws []json.RawMessage) ([]Object, error) {
	out := make([]Object, 0, len(raws))
	for i, raw := range raws {
		o, err := decodeObject(raw, "")
		if err != nil {
			return nil, fmt.Errorf("resource %d: %w", i, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// scalarText renders a JSON scalar as text ("" for null and containers).
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	}
	return ""
}
