package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// defaultSMTPPort is the submission port, used when SMTP names no port.
const defaultSMTPPort = "587"

// email sends the event as a multipart/alternative message over SMTP. The
// connection must be upgraded with STARTTLS before anything else is sent:
// credentials and content are never sent in clear.
func (s sender) email(ctx context.Context, e Event) error {
	addr := s.c.SMTP
	if addr == "" {
		return errors.New("no smtp server is configured; set the channel's smtp (host:port)")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host, addr = addr, net.JoinHostPort(addr, defaultSMTPPort)
	}
	from, err := mail.ParseAddress(s.c.From)
	if err != nil {
		return fmt.Errorf("from %q is not an email address (%w); check the channel's from", s.c.From, err)
	}
	if len(s.c.To) == 0 {
		return errors.New("no recipients; set the channel's to")
	}
	var to []*mail.Address
	for _, t := range s.c.To {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return fmt.Errorf("to %q is not an email address (%w); check the channel's to", t, err)
		}
		to = append(to, a)
	}
	msg, err := composeEmail(cleanEvent(e, s.clean), from, to, s.d.now())
	if err != nil {
		return err
	}

	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("could not reach %s (%w); check the channel's smtp", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("%s did not greet as an SMTP server (%w); check the channel's smtp", addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		_ = c.Quit()
		return fmt.Errorf("%s does not offer STARTTLS, and neither credentials nor content are ever sent in clear; use a server (or port) that supports STARTTLS", addr)
	}
	cfg := &tls.Config{}
	if s.d.TLS != nil {
		cfg = s.d.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if err := c.StartTLS(cfg); err != nil {
		return fmt.Errorf("STARTTLS with %s failed (%w); check the server's certificate", addr, err)
	}
	if s.c.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			_ = c.Quit()
			return fmt.Errorf("%s does not offer AUTH, but a username is set; remove the username or use a server that authenticates", addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.c.Username, s.c.Password, host)); err != nil {
			return fmt.Errorf("%s refused the credentials (%w); check the channel's username and password", addr, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("%s refused the sender (%w); check the channel's from", addr, err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("%s refused the recipient %s (%w); check the channel's to", addr, a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("%s refused the message (%w)", addr, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("sending the message to %s: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s refused the message (%w)", addr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("closing the session with %s: %w", addr, err)
	}
	return nil
}

// fact is one labelled line of an email.
type fact struct{ Label, Value string }

// emailView is what the email templates show.
type emailView struct {
	Title   string
	Message string
	Facts   []fact
	Rules   []string
	RunURL  string
}

func newEmailView(e Event) emailView {
	v := emailView{
		Title:   fmt.Sprintf("honua-gitops: %s %s", e.Environment, e.Type),
		Message: e.Message,
		Rules:   e.Rules,
		RunURL:  e.RunURL,
	}
	add := func(label, value string) {
		if value != "" {
			v.Facts = append(v.Facts, fact{label, value})
		}
	}
	add("Environment", e.Environment)
	add("Deployment", e.Deployment)
	add("Kind", e.Kind)
	add("Changes", fmt.Sprintf("+%d ~%d -%d", e.Summary.Create, e.Summary.Update, e.Summary.Delete))
	add("Verdict", string(e.Verdict))
	add("Repository", e.Repository)
	add("Commit", e.Commit)
	add("Actor", e.Actor)
	add("Plan", e.PlanHash)
	if !e.At.IsZero() {
		add("At", e.At.UTC().Format(time.RFC3339))
	}
	return v
}

const emailHTML = `<!DOCTYPE html>
<html><body>
<h2>{{.Title}}</h2>
<p>{{.Message}}</p>
<table>
{{- range .Facts}}
<tr><th align="left">{{.Label}}</th><td>{{.Value}}</td></tr>
{{- end}}
</table>
{{- if .Rules}}
<ul>
{{- range .Rules}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .RunURL}}
<p><a href="{{.RunURL}}">View the run</a></p>
{{- end}}
</body></html>
`

// emailText renders the text/plain part.
func emailText(v emailView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", v.Title)
	if v.Message != "" {
		fmt.Fprintf(&b, "%s\n\n", v.Message)
	}
	for _, f := range v.Facts {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if len(v.Rules) > 0 {
		b.WriteString("\nRules:\n")
		for _, r := range v.Rules {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
	}
	if v.RunURL != "" {
		fmt.Fprintf(&b, "\nView the run: %s\n", v.RunURL)
	}
	return b.String()
}

// composeEmail returns the whole message (headers and body, CRLF line
// ends) for e, whose text is already cleaned of secrets.
func composeEmail(e Event, from *mail.Address, to []*mail.Address, now time.Time) ([]byte, error) {
	v := newEmailView(e)
	tmpl, err := htmltemplate.New("email").Parse(emailHTML)
	if err != nil {
		return nil, fmt.Errorf("parsing the email template: %w", err)
	}
	var html bytes.Buffer
	if err := tmpl.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("rendering the email: %w", err)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ typ, text string }{
		{"text/plain; charset=utf-8", emailText(v)},
		{"text/html; charset=utf-8", html.String()},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("composing the email: %w", err)
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(crlf(part.text))); err != nil {
			return nil, fmt.Errorf("composing the email: %w", err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("composing the email: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("composing the email: %w", err)
	}

	recipients := make([]string, len(to))
	for i, a := range to {
		recipients[i] = a.String()
	}
	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", strings.Join(recipients, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", fmt.Sprintf("[honua-gitops] %s: %s", e.Environment, e.Type)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// messageID returns a new Message-ID in the domain of the sender.
func messageID(from string) string {
	domain := "honua-gitops.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// crlf ends every line of s with CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
