package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
)

// decodeRuleKey decodes one rule key into r and marks it set.
func decodeRuleKey(d *diag.List, r *Rules, e document.Entry) {
	if r.set == nil {
		r.set = map[string]bool{}
	}
	r.set[e.Key] = true
	v := e.Value
	switch e.Key {
	case "blackouts":
		r.Blackouts = nil
		eachMap(d, e, func(it *document.Node) { r.Blackouts = appendIf(r.Blackouts, decodeBlackout(d, it)) })
	case "windows":
		r.Windows = nil
		eachMap(d, e, func(it *document.Node) { r.Windows = appendIf(r.Windows, decodeWindow(d, it)) })
	case "approvals":
		r.Approvals = nil
		eachMap(d, e, func(it *document.Node) { r.Approvals = appendIf(r.Approvals, decodeApproval(d, it)) })
	case "warnings":
		r.Warnings = nil
		eachMap(d, e, func(it *document.Node) { r.Warnings = appendIf(r.Warnings, decodeWarning(d, it)) })
	case "limits":
		r.Limits = decodeLimits(d, v)
	case "drift":
		s, ok := v.String()
		if !ok || (s != "fail" && s != "warn" && s != "overwrite") {
			d.Addf(v.Pos, "use fail, warn or overwrite", "drift must be fail, warn or overwrite, got %s", describeValue(v))
			return
		}
		r.Drift = s
	case "autoRollback":
		r.AutoRollback = boolean(d, e)
	case "holdAfterRollback":
		r.HoldAfterRollback = boolean(d, e)
	case "healthChecks":
		r.HealthChecks = decodeHealthChecks(d, v)
	case "notifications":
		r.Notifications = decodeNotifications(d, v)
	}
}

// item pairs a decoded value with whether it is valid.
type item[T any] struct {
	v  T
	ok bool
}

func appendIf[T any](list []T, it item[T]) []T {
	if it.ok {
		return append(list, it.v)
	}
	return list
}

// eachMap calls f for each mapping of the list e holds.
func eachMap(d *diag.List, e document.Entry, f func(*document.Node)) {
	if e.Value.IsNull() {
		return
	}
	if e.Value.Kind != document.List {
		d.Addf(e.Value.Pos, "", "%s must be a list, got %s", e.Key, e.Value.TypeName())
		return
	}
	for _, it := range e.Value.Items {
		if it.Kind != document.Map {
			d.Addf(it.Pos, "", "%s entries must be mappings, got %s", e.Key, it.TypeName())
			continue
		}
		f(it)
	}
}

// fields checks that a mapping has only known keys and the required ones.
func fields(d *diag.List, n *document.Node, what string, known, required []string) bool {
	ok := true
	for _, e := range n.Entries {
		if !slices.Contains(known, e.Key) {
			d.Addf(e.KeyPos, "known keys: "+strings.Join(known, ", "), "%s: unknown key %q", what, e.Key)
			ok = false
		}
	}
	for _, k := range required {
		if n.Get(k) == nil {
			d.Addf(n.Pos, "", "%s needs %s", what, k)
			ok = false
		}
	}
	return ok
}

func decodeBlackout(d *diag.List, n *document.Node) item[Blackout] {
	b := Blackout{Pos: n.Pos}
	ok := fields(d, n, "blackout", []string{"name", "from", "to", "reason"}, []string{"from", "to"})
	b.Name, _ = optString(d, n, "name")
	b.Reason, _ = optString(d, n, "reason")
	for _, k := range []string{"from", "to"} {
		v := n.Get(k)
		if v == nil {
			continue
		}
		s, isStr := v.String()
		t, err := time.Parse(time.RFC3339, s)
		if !isStr || err != nil {
			d.Addf(v.Pos, "write an RFC 3339 instant, for example 2026-12-21T00:00:00Z", "blackout %s must be an RFC 3339 instant, got %s", k, describeValue(v))
			ok = false
			continue
		}
		if k == "from" {
			b.From = t
		} else {
			b.To = t
		}
	}
	if ok && !b.From.Before(b.To) {
		d.Addf(n.Get("to").Pos, "", "blackout to (%s) must be after from (%s)", b.To.Format(time.RFC3339), b.From.Format(time.RFC3339))
		ok = false
	}
	return item[Blackout]{b, ok}
}

var clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

func decodeWindow(d *diag.List, n *document.Node) item[Window] {
	w := Window{Pos: n.Pos}
	ok := fields(d, n, "window", []string{"days", "from", "to", "timezone"}, []string{"days", "from", "to", "timezone"})
	if v := n.Get("days"); v != nil {
		if v.Kind != document.List || len(v.Items) == 0 {
			d.Addf(v.Pos, "for example [mon, tue, wed, thu]", "window days must be a list of days, got %s", v.TypeName())
			ok = false
		} else {
			for _, it := range v.Items {
				s, _ := it.String()
				i := slices.Index(dayNames, strings.ToLower(s))
				if i < 0 {
					d.Addf(it.Pos, "use mon, tue, wed, thu, fri, sat or sun", "unknown day %s", describeValue(it))
					ok = false
					continue
				}
				w.Days = append(w.Days, time.Weekday(i))
			}
		}
	}
	for _, k := range []string{"from", "to"} {
		v := n.Get(k)
		if v == nil {
			continue
		}
		s, _ := v.String()
		m := clockRe.FindStringSubmatch(s)
		if m == nil {
			d.Addf(v.Pos, `write HH:MM in quotes, for example "09:00"`, "window %s must be a time of day HH:MM, got %s", k, describeValue(v))
			ok = false
			continue
		}
		var h, mi int
		fmt.Sscanf(m[1]+" "+m[2], "%d %d", &h, &mi)
		if k == "from" {
			w.From = h*60 + mi
		} else {
			w.To = h*60 + mi
		}
	}
	if v := n.Get("timezone"); v != nil {
		s, _ := v.String()
		loc, err := time.LoadLocation(s)
		if s == "" || strings.EqualFold(s, "local") || err != nil {
			d.Addf(v.Pos, "use an IANA time zone name, for example America/New_York or UTC", "unknown time zone %s", describeValue(v))
			ok = false
		} else {
			w.Timezone, w.Location = s, loc
		}
	}
	return item[Window]{w, ok}
}

var approverRe = regexp.MustCompile(`^(team:[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*|user:[A-Za-z0-9][A-Za-z0-9-]*)$`)

func decodeApproval(d *diag.List, n *document.Node) item[ApprovalRule] {
	a := ApprovalRule{Pos: n.Pos, Require: 1}
	ok := fields(d, n, "approval", []string{"when", "require", "from"}, []string{"when"})
	a.When, ok = condition(d, n, ok)
	if v := n.Get("require"); v != nil {
		i, isInt := v.Value.(int64)
		if v.Kind != document.Scalar || !isInt || i < 1 || i > 100 {
			d.Addf(v.Pos, "write a whole number of at least 1", "require must be a whole number of at least 1, got %s", describeValue(v))
			ok = false
		} else {
			a.Require = int(i)
		}
	}
	if v := n.Get("from"); v != nil {
		if v.Kind != document.List {
			d.Addf(v.Pos, "for example [team:riverton/gis-leads, user:alice]", "approval from must be a list, got %s", v.TypeName())
			ok = false
		} else {
			for _, it := range v.Items {
				s, _ := it.String()
				if !approverRe.MatchString(s) {
					d.Addf(it.Pos, "write team:org/slug or user:login", "approver %s is not team:org/slug or user:login", describeValue(it))
					ok = false
					continue
				}
				a.From = append(a.From, s)
			}
		}
	}
	return item[ApprovalRule]{a, ok}
}

func decodeWarning(d *diag.List, n *document.Node) item[WarnRule] {
	w := WarnRule{Pos: n.Pos}
	ok := fields(d, n, "warning", []string{"when", "reason"}, []string{"when"})
	w.When, ok = condition(d, n, ok)
	w.Reason, _ = optString(d, n, "reason")
	return item[WarnRule]{w, ok}
}

// condition parses n's when; ok is and-ed with its validity.
func condition(d *diag.List, n *document.Node, ok bool) (Condition, bool) {
	v := n.Get("when")
	if v == nil {
		return Condition{}, false
	}
	s, isStr := v.String()
	if !isStr {
		d.Addf(v.Pos, `for example "deletes > 0"`, "when must be a string, got %s", v.TypeName())
		return Condition{}, false
	}
	c, err := ParseCondition(s)
	if err != nil {
		d.Addf(v.Pos, "write <metric> <op> <value> clauses joined by and; metrics: "+metricNames, "when: %v", err)
		return c, false
	}
	return c, ok
}

func decodeLimits(d *diag.List, n *document.Node) Limits {
	var l Limits
	if n.IsNull() {
		return l
	}
	if n.Kind != document.Map {
		d.Addf(n.Pos, "", "limits must be a mapping, got %s", n.TypeName())
		return l
	}
	fields(d, n, "limits", []string{"maxDeletes", "maxChanges", "protected"}, nil)
	for _, k := range []string{"maxDeletes", "maxChanges"} {
		v := n.Get(k)
		if v == nil {
			continue
		}
		i, isInt := v.Value.(int64)
		if v.Kind != document.Scalar || !isInt || i < 0 {
			d.Addf(v.Pos, "write a whole number", "limits.%s must be a whole number of at least 0, got %s", k, describeValue(v))
			continue
		}
		x := int(i)
		if k == "maxDeletes" {
			l.MaxDeletes = &x
		} else {
			l.MaxChanges = &x
		}
	}
	if v := n.Get("protected"); v != nil {
		if v.Kind != document.List {
			d.Addf(v.Pos, "for example [Layer/planning/*]", "limits.protected must be a list, got %s", v.TypeName())
		} else {
			for _, it := range v.Items {
				s, _ := it.String()
				if err := checkGlob(s); err != nil {
					d.Addf(it.Pos, "write Kind/namespace/name, with * and ? as wildcards", "limits.protected: %v", err)
					continue
				}
				l.Protected = append(l.Protected, s)
			}
		}
	}
	return l
}

func decodeHealthChecks(d *diag.List, n *document.Node) *HealthChecks {
	h := &HealthChecks{Enabled: true, RetryFor: DefaultRetryFor, CertExpiryWarningDays: DefaultCertExpiryWarningDays}
	if n.IsNull() {
		return h
	}
	if n.Kind != document.Map {
		d.Addf(n.Pos, "", "healthChecks must be a mapping, got %s", n.TypeName())
		return nil
	}
	fields(d, n, "healthChecks", []string{"enabled", "readyTimeout", "retryFor", "replicas", "certExpiryWarningDays"}, nil)
	for _, e := range n.Entries {
		switch e.Key {
		case "enabled":
			h.Enabled = boolean(d, e)
		case "readyTimeout", "retryFor":
			s, _ := e.Value.String()
			dur, err := time.ParseDuration(s)
			if err != nil || dur <= 0 {
				d.Addf(e.Value.Pos, "write a duration such as 30s or 2m", "healthChecks.%s must be a positive duration, got %s", e.Key, describeValue(e.Value))
				continue
			}
			if e.Key == "readyTimeout" {
				h.ReadyTimeout = dur
			} else {
				h.RetryFor = dur
			}
		case "replicas":
			if e.Value.Kind != document.List {
				d.Addf(e.Value.Pos, "", "healthChecks.replicas must be a list of URLs, got %s", e.Value.TypeName())
				continue
			}
			for _, it := range e.Value.Items {
				s, _ := it.String()
				if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
					d.Addf(it.Pos, "for example https://honua-replica.example.org", "replica %s must be an http:// or https:// URL", describeValue(it))
					continue
				}
				h.Replicas = append(h.Replicas, s)
			}
		case "certExpiryWarningDays":
			i, isInt := e.Value.Value.(int64)
			if e.Value.Kind != document.Scalar || !isInt || i < 0 {
				d.Addf(e.Value.Pos, "write a whole number of days", "healthChecks.certExpiryWarningDays must be a whole number of at least 0, got %s", describeValue(e.Value))
				continue
			}
			h.CertExpiryWarningDays = int(i)
		}
	}
	return h
}

func boolean(d *diag.List, e document.Entry) bool {
	b, ok := e.Value.Value.(bool)
	if !ok || e.Value.Kind != document.Scalar {
		d.Addf(e.Value.Pos, "write true or false", "%s must be a boolean, got %s", e.Key, e.Value.TypeName())
	}
	return b
}

// optString returns the string value of key, if any; a non-string is an error.
func optString(d *diag.List, n *document.Node, key string) (string, bool) {
	v := n.Get(key)
	if v == nil {
		return "", false
	}
	s, ok := v.String()
	if !ok {
		d.Addf(v.Pos, "", "%s must be a string, got %s", key, v.TypeName())
	}
	return s, ok
}

// describeValue quotes a scalar for messages, or names its type.
func describeValue(n *document.Node) string {
	if n != nil && n.Kind == document.Scalar && n.Value != nil {
		return fmt.Sprintf("%q", fmt.Sprint(n.Value))
	}
	return n.TypeName()
}
