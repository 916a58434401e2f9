package maplibre

// Expression validation mirrors TryValidateExpression /
// TryValidateExpressionArray in MapLibreStyleNormalizer.cs. All input is
// canonical (see canonical).

// isExpression mirrors IsExpression: a non-empty array whose first element
// is an accepted operator string.
func isExpression(v any) bool {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return false
	}
	op, ok := a[0].(string)
	return ok && isOperator(op)
}

// unsupportedOperator reports an array whose first element is a string
// that is not an accepted operator, naming the operator's pointer. It is
// used where the server would otherwise say only "must be a … or
// expression", to make the message say which operator is at fault.
func unsupportedOperator(v any, path string, c *collector) bool {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return false
	}
	op, ok := a[0].(string)
	if !ok || isOperator(op) {
		return false
	}
	reportOperator(op, index(path, 0), c)
	return true
}

func reportOperator(op, path string, c *collector) {
	c.add(path, "expression operator %q is not accepted by Honua's MapLibre normaliser (allowed: %s)",
		op, allowedList(ExpressionOperators))
}

// checkExpression validates any expression argument: scalars and null
// are accepted, arrays are expressions, objects are rejected.
func checkExpression(v any, path string, c *collector) {
	switch x := v.(type) {
	case []any:
		checkExpressionArray(x, path, c)
	case map[string]any:
		c.add(path, "an object is not accepted inside a MapLibre expression (use a literal or an expression array)")
	}
}

func checkExpressionArray(items []any, path string, c *collector) {
	if len(items) == 0 {
		c.add(path, "a MapLibre expression must not be an empty array")
		return
	}
	op, ok := items[0].(string)
	if !ok {
		c.add(index(path, 0), "a MapLibre expression must start with an operator string, not %s", describe(items[0]))
		return
	}
	if blank(op) || !isOperator(op) {
		reportOperator(op, index(path, 0), c)
		return
	}
	n := len(items)
	switch op {
	case "get", "has":
		if s, ok := itemString(items, 1); n != 2 || !ok || blank(s) {
			c.add(path, "expression %q must have a single non-empty string field argument", op)
		}
	case "!", "to-number", "to-string", "typeof":
		fixedArity(items, op, 1, path, c, true)
	case "==", "!=", "<", "<=", ">", ">=":
		fixedArity(items, op, 2, path, c, true)
	case "literal":
		// The argument of literal is data, never an expression.
		fixedArity(items, op, 1, path, c, false)
	case "all", "any", "coalesce", "concat":
		variadic(items, op, 1, path, c)
	case "+", "-", "*", "/":
		variadic(items, op, 2, path, c)
	case "case":
		if n < 4 || n%2 != 0 {
			c.add(path, "expression \"case\" must have condition/output pairs and a fallback")
			return
		}
		checkArgs(items, 1, path, c)
	case "match":
		if n < 5 || n%2 == 0 {
			c.add(path, "expression \"match\" must have an input, label/output pairs and a fallback")
			return
		}
		// Labels (items 2, 4, …) are not validated: they may be literal
		// arrays of values.
		checkExpression(items[1], index(path, 1), c)
		for i := 3; i < n-1; i += 2 {
			checkExpression(items[i], index(path, i), c)
		}
		checkExpression(items[n-1], index(path, n-1), c)
	case "step":
		if n < 5 || (n-3)%2 != 0 {
			c.add(path, "expression \"step\" must have an input, a default output and stop/output pairs")
			return
		}
		checkArgs(items, 1, path, c)
	case "interpolate":
		if n < 5 || (n-3)%2 != 0 {
			c.add(path, "expression \"interpolate\" must have an interpolation, an input and stop/output pairs")
			return
		}
		checkInterpolation(items[1], index(path, 1), c)
		// The input is validated as an expression, so ["zoom"] (not an
		// accepted operator) is rejected here, as the server does.
		checkArgs(items, 2, path, c)
	}
}

func itemString(items []any, i int) (string, bool) {
	if i >= len(items) {
		return "", false
	}
	s, ok := items[i].(string)
	return s, ok
}

func fixedArity(items []any, op string, args int, path string, c *collector, children bool) {
	if len(items) != args+1 {
		c.add(path, "expression %q must have exactly %d argument(s), has %d", op, args, len(items)-1)
		return
	}
	if children {
		checkArgs(items, 1, path, c)
	}
}

func variadic(items []any, op string, minArgs int, path string, c *collector) {
	if len(items) < minArgs+1 {
		c.add(path, "expression %q must have at least %d argument(s), has %d", op, minArgs, len(items)-1)
		return
	}
	checkArgs(items, 1, path, c)
}

func checkArgs(items []any, from int, path string, c *collector) {
	for i := from; i < len(items); i++ {
		checkExpression(items[i], index(path, i), c)
	}
}

// checkInterpolation mirrors TryValidateInterpolationSpec: ["linear"] or
// ["exponential", base] with a finite base > 0.
func checkInterpolation(spec any, path string, c *collector) {
	a, _ := spec.([]any)
	if len(a) > 0 {
		switch kind, _ := a[0].(string); {
		case kind == "linear" && len(a) == 1:
			return
		case kind == "exponential" && len(a) == 2:
			if b, ok := finite(a[1]); ok && b > 0 {
				return
			}
		}
	}
	c.add(path, "interpolation must be [\"linear\"] or [\"exponential\", base] with base > 0 (Honua does not accept cubic-bezier)")
}
