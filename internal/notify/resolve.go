package notify

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// resolved is a channel with its placeholders replaced by values, and the
// values that must never leave the process in text: the resolved ones
// (a literal value, which configuration does not allow, is not masked).
type resolved struct {
	Channel
	values []string
}

// resolve replaces the ${secret:NAME} placeholders of c's URL, Secret,
// RoutingKey and Password using lookup. It returns the names that are not
// set (lookup is nil, or answers false or ""), in order of first use.
func resolve(c Channel, lookup func(string) (string, bool)) (resolved, []string) {
	r := resolved{Channel: c}
	var missing []string
	one := func(s string) string {
		for _, name := range secret.Refs(s) {
			var v string
			ok := false
			if lookup != nil {
				v, ok = lookup(name)
			}
			if !ok || v == "" {
				if !slices.Contains(missing, name) {
					missing = append(missing, name)
				}
				continue
			}
			r.values = append(r.values, v)
			s = strings.ReplaceAll(s, secret.Marker+name+"}", v)
		}
		return s
	}
	r.URL = one(c.URL)
	r.Secret = one(c.Secret)
	r.RoutingKey = one(c.RoutingKey)
	r.Password = one(c.Password)
	if len(missing) > 0 {
		return resolved{Channel: c}, missing
	}
	for _, f := range []struct{ raw, value string }{
		{c.Secret, r.Secret}, {c.RoutingKey, r.RoutingKey}, {c.Password, r.Password},
	} {
		if f.raw != f.value {
			r.values = append(r.values, f.value)
		}
	}
	if c.URL != r.URL {
		r.values = append(r.values, urlSecrets(r.URL)...)
	}
	return r, missing
}

// urlSecrets returns the parts of a webhook URL that carry its credential:
// the whole URL, its password, its query values and its long path segments
// (a Slack webhook's token is its last segment).
func urlSecrets(raw string) []string {
	if raw == "" {
		return nil
	}
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	if p, ok := u.User.Password(); ok {
		out = append(out, p)
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if len(seg) >= 16 {
			out = append(out, seg)
		}
	}
	return out
}

// masker replaces a channel's secret values in text.
type masker []string

// masker returns the masker of r's secret values, longest first so a value
// containing another is masked whole.
func (r resolved) masker() masker {
	var m masker
	for _, v := range r.values {
		if v != "" && !slices.Contains(m, v) {
			m = append(m, v)
		}
	}
	slices.SortFunc(m, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return m
}

// mask returns s with every value of m replaced by redact.Mask.
func (m masker) mask(s string) string {
	for _, v := range m {
		s = strings.ReplaceAll(s, v, redact.Mask)
	}
	return s
}

// missingText says which placeholders are not set.
func missingText(names []string) string {
	refs := make([]string, len(names))
	for i, n := range names {
		refs[i] = secret.Marker + n + "}"
	}
	if len(refs) == 1 {
		return refs[0] + " is"
	}
	return strings.Join(refs, ", ") + " are"
}
