package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultTimeout bounds the delivery to one channel when Dispatcher.Timeout
// is zero, and is the default HTTP client's timeout.
const DefaultTimeout = 10 * time.Second

// DefaultPagerDutyURL is the PagerDuty Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// grace is how long Send waits past Timeout for a channel whose delivery
// has not yet noticed its deadline, before it stops waiting for it.
const grace = time.Second

// Dispatcher delivers events to notification channels. Its zero value, with
// Channels set, is ready to use; it is safe for concurrent use as long as
// its fields are not changed while it sends.
type Dispatcher struct {
	// Channels are the channels to deliver to, in the order warnings name
	// them.
	Channels []Channel
	// Secrets resolves ${secret:NAME} placeholders; nil resolves none.
	Secrets func(name string) (string, bool)
	// Redact masks secret values in any text that leaves the process (the
	// caller's redactor); nil masks nothing. The resolved channel secrets
	// are masked in addition.
	Redact func(string) string
	// Warn receives a warning for people (a failed or skipped channel);
	// nil drops them.
	Warn func(msg string)
	// HTTP sends webhook, Slack and PagerDuty requests; nil uses a client
	// with a 10 s timeout.
	HTTP *http.Client
	// TLS configures SMTP STARTTLS; nil uses the system roots. ServerName
	// is set from the SMTP host when empty.
	TLS *tls.Config
	// PagerDutyURL is the Events API v2 endpoint; "" is
	// DefaultPagerDutyURL.
	PagerDutyURL string
	// Timeout bounds the delivery to each channel; zero is DefaultTimeout.
	Timeout time.Duration
	// Now is the clock for an email's Date; nil is time.Now.
	Now func() time.Time
}

// Send delivers e to every channel that wants e.Type (Channel.Wants), all at
// once. It never returns an error, never panics because of a channel, and
// never blocks much longer than Timeout: each failure or skip is one Warn
// line naming the channel and saying what to do, with secrets redacted.
// Warnings come in the order of Channels, from the calling goroutine.
func (d *Dispatcher) Send(ctx context.Context, e Event) {
	timeout := d.timeout()
	type result struct {
		i    int
		warn string
	}
	results := make(chan result, len(d.Channels))
	pending := 0
	for i, c := range d.Channels {
		if !c.Wants(e.Type) {
			continue
		}
		pending++
		go func() {
			results <- result{i, d.deliver(ctx, timeout, c, e)}
		}()
	}
	warns := make([]string, len(d.Channels))
	done := make([]bool, len(d.Channels))
	stop := time.NewTimer(timeout + grace)
	defer stop.Stop()
collect:
	for pending > 0 {
		select {
		case r := <-results:
			warns[r.i], done[r.i] = r.warn, true
			pending--
		case <-stop.C:
			break collect
		}
	}
	for i, c := range d.Channels {
		switch {
		case !c.Wants(e.Type):
		case !done[i]:
			d.warn(fmt.Sprintf("%s: not sent within %s; check that it is reachable and answers promptly", channelName(c), timeout))
		case warns[i] != "":
			d.warn(warns[i])
		}
	}
}

// deliver sends e to c and returns the warning for people, or "".
func (d *Dispatcher) deliver(ctx context.Context, timeout time.Duration, c Channel, e Event) (warn string) {
	name := channelName(c)
	var m masker
	defer func() {
		if p := recover(); p != nil {
			warn = d.redact(m, fmt.Sprintf("%s: not sent: internal error (%v); please report it", name, p))
		}
	}()
	r, missing := resolve(c, d.Secrets)
	m = r.masker()
	if len(missing) > 0 {
		return d.redact(m, fmt.Sprintf("%s: %s not set; skipped", name, missingText(missing)))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	clean := func(s string) string { return d.redact(m, s) }
	s := sender{d: d, c: r.Channel, clean: clean}
	var err error
	switch c.Type {
	case Webhook:
		err = s.webhook(ctx, e)
	case Slack:
		err = s.slack(ctx, e)
	case Email:
		err = s.email(ctx, e)
	case PagerDuty:
		err = s.pagerDuty(ctx, e)
	default:
		return clean(fmt.Sprintf("%s: unknown channel type %q; skipped (use webhook, slack, email or pagerduty)", name, c.Type))
	}
	switch {
	case err == nil:
		return ""
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return clean(fmt.Sprintf("%s: not sent within %s; check that it is reachable and answers promptly", name, timeout))
	case ctx.Err() != nil:
		return clean(fmt.Sprintf("%s: not sent: %v", name, ctx.Err()))
	default:
		return clean(fmt.Sprintf("%s: not sent: %v", name, err))
	}
}

// isTimeout reports whether err is a network timeout (a connection's
// deadline, set from the channel's, may pass just before the context's).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sender delivers to one channel whose placeholders are resolved.
type sender struct {
	d *Dispatcher
	// c is the channel with URL, Secret, RoutingKey and Password resolved.
	c Channel
	// clean masks secrets in text that leaves the process.
	clean func(string) string
}

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Dispatcher) httpClient() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return &http.Client{Timeout: DefaultTimeout}
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) warn(msg string) {
	if d.Warn != nil {
		d.Warn(msg)
	}
}

// redact masks the caller's secrets, then the channel's.
func (d *Dispatcher) redact(m masker, s string) string {
	if d.Redact != nil {
		s = d.Redact(s)
	}
	return m.mask(s)
}

// channelName is how warnings name c.
func channelName(c Channel) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("notification channel (%s)", c.Type)
}
