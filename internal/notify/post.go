package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// userAgent is the User-Agent of every request.
const userAgent = "honua-gitops"

// maxResponse bounds how much of a response is read (and discarded).
const maxResponse = 64 << 10

// post sends body as JSON to target with the extra headers. Its errors never
// include target (it may carry a token): only what happened and what to do.
func (s sender) post(ctx context.Context, target string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("the url is not valid (%w); check the channel's url", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := s.d.httpClient().Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("could not reach it (%w); check that it is reachable", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("it answered %s; check the receiver and the channel's settings", resp.Status)
	}
	return nil
}

// marshal encodes v as JSON without HTML escaping and without the trailing
// newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the body: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// cleanEvent returns e with clean applied to every text field.
func cleanEvent(e Event, clean func(string) string) Event {
	e.Type = EventType(clean(string(e.Type)))
	e.Environment = clean(e.Environment)
	e.Deployment = clean(e.Deployment)
	e.Kind = clean(e.Kind)
	e.Verdict = typedClean(e.Verdict, clean)
	if e.Rules != nil {
		rules := make([]string, len(e.Rules))
		for i, r := range e.Rules {
			rules[i] = clean(r)
		}
		e.Rules = rules
	}
	e.PlanHash = clean(e.PlanHash)
	e.Message = clean(e.Message)
	e.Actor = clean(e.Actor)
	e.Repository = clean(e.Repository)
	e.Commit = clean(e.Commit)
	e.RunURL = clean(e.RunURL)
	return e
}

func typedClean[T ~string](v T, clean func(string) string) T { return T(clean(string(v))) }
