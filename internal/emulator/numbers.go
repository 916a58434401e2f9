package emulator

import (
	"encoding/json"
	"strings"
)

// maxExponent bounds the exponents the normaliser expands; larger ones are
// kept as written rather than expanded into thousands of digits.
const maxExponent = 1000

// normalizeNumbers returns a copy of v in which every json.Number is
// rewritten the way Honua's store (PostgreSQL jsonb) writes it back: plain
// decimal notation with the scale the text implies, so 1.50e1 becomes 15.0
// and 1e2 becomes 100 (Appendix B.3). Spec hashes taken at apply time use the
// text as written, so such a spec plans as an update forever.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalizeNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizeNumbers(e)
		}
		return out
	case json.Number:
		return json.Number(normalizeNumber(string(t)))
	default:
		return v
	}
}

// normalizeNumber rewrites one JSON number literal in PostgreSQL numeric
// output form. Input that is not a JSON number is returned unchanged.
func normalizeNumber(s string) string {
	neg, intPart, frac, exp, ok := splitNumber(s)
	if !ok || exp > maxExponent || exp < -maxExponent {
		return s
	}
	digits := intPart + frac
	shift := exp - len(frac) // value = digits × 10^shift
	var whole, fraction string
	if shift >= 0 {
		whole = digits + strings.Repeat("0", shift)
	} else {
		scale := -shift
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		whole, fraction = digits[:len(digits)-scale], digits[len(digits)-scale:]
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if fraction != "" {
		out += "." + fraction
	}
	if neg && strings.Trim(whole+fraction, "0") != "" {
		out = "-" + out
	}
	return out
}

// splitNumber splits a JSON number literal into sign, integer digits,
// fraction digits and exponent.
func splitNumber(s string) (neg bool, intPart, frac string, exp int, ok bool) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ = strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return false, "", "", 0, false
	}
	if hasExp {
		sign := 1
		switch {
		case strings.HasPrefix(expText, "+"):
			expText = expText[1:]
		case strings.HasPrefix(expText, "-"):
			sign, expText = -1, expText[1:]
		}
		if expText == "" || !allDigits(expText) || len(expText) > 6 {
			return false, "", "", 0, false
		}
		for _, c := range expText {
			exp = exp*10 + int(c-'0')
		}
		exp *= sign
	}
	return neg, intPart, frac, exp, true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
