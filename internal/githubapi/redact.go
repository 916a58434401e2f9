package githubapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// redactTransport masks secret values in request bodies before they leave
// the process, whatever built the body.
type redactTransport struct {
	base   http.RoundTripper
	redact func([]byte) []byte
}

func (t *redactTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("github: read request body: %w", err)
	}
	data = t.redact(data)
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return t.base.RoundTrip(r)
}
