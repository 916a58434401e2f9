package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

func TestWebhook(t *testing.T) {
	const (
		hmacKey     = "hmac-key-0123456789"
		callerValue = "caller-secret-abcdef"
	)
	tests := []struct {
		name    string
		secret  string
		message string
		want    string
	}{
		{
			name:    "signed",
			secret:  "${secret:HOOK_KEY}",
			message: "apply failed: <&> token " + callerValue + " and key " + hmacKey,
			want:    `{"type":"failed","environment":"production","deployment":"d-42","kind":"apply","summary":{"create":1,"update":2,"delete":3,"unchanged":4},"verdict":"needs-approval","rules":["deletes need approval"],"planHash":"p-abc","message":"apply failed: <&> token *** and key ***","actor":"alice","repository":"honua-io/maps","commit":"deadbeef","runUrl":"https://github.com/honua-io/maps/actions/runs/1","at":"2026-12-04T21:00:00Z"}`,
		},
		{
			name:    "unsigned",
			message: "apply failed",
			want:    `{"type":"failed","environment":"production","deployment":"d-42","kind":"apply","summary":{"create":1,"update":2,"delete":3,"unchanged":4},"verdict":"needs-approval","rules":["deletes need approval"],"planHash":"p-abc","message":"apply failed","actor":"alice","repository":"honua-io/maps","commit":"deadbeef","runUrl":"https://github.com/honua-io/maps/actions/runs/1","at":"2026-12-04T21:00:00Z"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got, _ := receiver(t, http.StatusNoContent)
			d, w := newDispatcher(map[string]string{"HOOK_URL": srv.URL + "/hook", "HOOK_KEY": hmacKey}, []string{callerValue},
				Channel{Type: Webhook, URL: "${secret:HOOK_URL}", Secret: tt.secret, Name: "notifications[0] (webhook)"})
			e := testEvent()
			e.Message = tt.message
			d.Send(t.Context(), e)
			if ws := w.list(); len(ws) != 0 {
				t.Fatalf("warnings = %q, want none", ws)
			}
			r := <-got
			if string(r.body) != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", r.body, tt.want)
			}
			for _, s := range []string{hmacKey, callerValue} {
				if strings.Contains(string(r.body), s) {
					t.Errorf("body contains the secret %q", s)
				}
			}
			for k, v := range map[string]string{
				"Content-Type":         "application/json",
				"User-Agent":           "honua-gitops",
				"X-Honua-Gitops-Event": "failed",
			} {
				if g := r.header.Get(k); g != v {
					t.Errorf("%s = %q, want %q", k, g, v)
				}
			}
			sig := r.header.Get("X-Honua-Gitops-Signature")
			if tt.secret == "" {
				if _, ok := r.header["X-Honua-Gitops-Signature"]; ok {
					t.Errorf("signature header %q sent without a secret", sig)
				}
				return
			}
			mac := hmac.New(sha256.New, []byte(hmacKey))
			mac.Write(r.body)
			if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); sig != want {
				t.Errorf("signature = %q, want %q", sig, want)
			}
		})
	}
}

func TestWebhookNon2xx(t *testing.T) {
	srv, _, n := receiver(t, http.StatusInternalServerError)
	token := "url-token-0123456789abcdef"
	d, w := newDispatcher(map[string]string{"HOOK_URL": srv.URL + "/hooks/" + token}, nil,
		Channel{Type: Webhook, URL: "${secret:HOOK_URL}", Name: "notifications[0] (webhook)"})
	d.Send(t.Context(), testEvent())
	got := w.list()
	want := "notifications[0] (webhook): not sent: it answered 500 Internal Server Error; check the receiver and the channel's settings"
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings = %q, want [%q]", got, want)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}

func TestWebhookUnreachableNamesNoURL(t *testing.T) {
	token := "url-token-0123456789abcdef"
	d, w := newDispatcher(map[string]string{"HOOK_URL": "http://127.0.0.1:1/hooks/" + token}, nil,
		Channel{Type: Webhook, URL: "${secret:HOOK_URL}", Name: "notifications[0] (webhook)"})
	d.Send(t.Context(), testEvent())
	got := w.list()
	if len(got) != 1 || !strings.HasPrefix(got[0], "notifications[0] (webhook): not sent: could not reach it") {
		t.Fatalf("warnings = %q, want one saying it could not reach the webhook", got)
	}
	if strings.Contains(got[0], token) || strings.Contains(got[0], "/hooks/") {
		t.Errorf("warning %q shows the url", got[0])
	}
}
