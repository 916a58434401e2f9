package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// Webhook headers.
const (
	// EventHeader names the event type of a webhook delivery.
	EventHeader = "X-Honua-Gitops-Event"
	// SignatureHeader carries "sha256=" and the lowercase hex
	// HMAC-SHA256 of the raw body, keyed with the channel's secret.
	SignatureHeader = "X-Honua-Gitops-Signature"
)

// webhook POSTs the event as JSON, signed when the channel has a secret.
func (s sender) webhook(ctx context.Context, e Event) error {
	body, err := marshal(cleanEvent(e, s.clean))
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set(EventHeader, s.clean(string(e.Type)))
	if s.c.Secret != "" {
		h.Set(SignatureHeader, Sign([]byte(s.c.Secret), body))
	}
	return s.post(ctx, s.c.URL, body, h)
}

// Sign returns the SignatureHeader value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of body keyed with key.
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
