package policy

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Condition is a parsed `when` expression: clauses of `<metric> <op>
// <value>` joined by ` and `, all of which must hold.
type Condition struct {
	// Expr is the expression as written.
	Expr    string
	clauses []clause
}

type clause struct {
	metric string
	op     string
	num    int
	text   string
}

// Metrics a condition may test.
var (
	countMetrics = []string{"creates", "updates", "deletes", "changes"}
	allOps       = []string{">=", "<=", "==", "!=", ">", "<"}
	equalityOps  = []string{"==", "!="}
	metricNames  = "creates, updates, deletes, changes, risk, kind, resource"
)

// ParseCondition parses a `when` expression.
func ParseCondition(expr string) (Condition, error) {
	c := Condition{Expr: expr}
	if strings.TrimSpace(expr) == "" {
		return c, fmt.Errorf("condition is empty")
	}
	for part := range strings.SplitSeq(expr, " and ") {
		cl, err := parseClause(strings.TrimSpace(part))
		if err != nil {
			return c, err
		}
		c.clauses = append(c.clauses, cl)
	}
	return c, nil
}

func parseClause(s string) (clause, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return clause{}, fmt.Errorf("%q is not `<metric> <op> <value>`", s)
	}
	cl := clause{metric: f[0], op: f[1], text: f[2]}
	switch {
	case slices.Contains(countMetrics, cl.metric):
		if !slices.Contains(allOps, cl.op) {
			return cl, fmt.Errorf("%s: unknown operator %q (use > >= < <= == !=)", cl.metric, cl.op)
		}
		n, err := strconv.Atoi(cl.text)
		if err != nil || n < 0 {
			return cl, fmt.Errorf("%s: %q is not a whole number", cl.metric, cl.text)
		}
		cl.num = n
	case cl.metric == "risk":
		if !slices.Contains(allOps, cl.op) {
			return cl, fmt.Errorf("risk: unknown operator %q (use > >= < <= == !=)", cl.op)
		}
		r := plan.Risk(cl.text)
		if r.Rank() == 0 {
			return cl, fmt.Errorf("risk: %q is not low, medium or high", cl.text)
		}
		cl.num = r.Rank()
	case cl.metric == "kind":
		if !slices.Contains(equalityOps, cl.op) {
			return cl, fmt.Errorf("kind: operator %q not allowed (use == or !=)", cl.op)
		}
		k := resource.LookupKind(cl.text)
		if k == nil {
			return cl, fmt.Errorf("kind: unknown kind %q (known: %s)", cl.text, strings.Join(resource.KindNames(), ", "))
		}
		cl.text = k.Name
	case cl.metric == "resource":
		if !slices.Contains(equalityOps, cl.op) {
			return cl, fmt.Errorf("resource: operator %q not allowed (use == or !=)", cl.op)
		}
		if err := checkGlob(cl.text); err != nil {
			return cl, fmt.Errorf("resource: %w", err)
		}
	default:
		return cl, fmt.Errorf("unknown metric %q (known: %s)", cl.metric, metricNames)
	}
	return cl, nil
}

// checkGlob checks a Kind/namespace/name glob.
func checkGlob(g string) error {
	if strings.Count(g, "/") != 2 {
		return fmt.Errorf("%q is not a Kind/namespace/name glob", g)
	}
	if _, err := path.Match(g, ""); err != nil {
		return fmt.Errorf("%q: %w", g, err)
	}
	return nil
}

// Match reports whether every clause holds for p (a nil plan has no
// changes).
func (c Condition) Match(p *plan.Plan) bool {
	if len(c.clauses) == 0 {
		return false
	}
	for _, cl := range c.clauses {
		if !cl.match(p) {
			return false
		}
	}
	return true
}

func (cl clause) match(p *plan.Plan) bool {
	var changes []plan.Change
	if p != nil {
		changes = p.Changes
	}
	switch cl.metric {
	case "creates", "updates", "deletes", "changes":
		return compare(count(changes, cl.metric), cl.op, cl.num)
	case "risk":
		var r plan.Risk
		if p != nil {
			r = p.MaxRisk()
		}
		return compare(r.Rank(), cl.op, cl.num)
	}
	any := false
	for _, ch := range changes {
		if cl.metric == "kind" && ch.Kind == cl.text {
			any = true
		}
		if cl.metric == "resource" {
			if ok, _ := path.Match(cl.text, ch.Subject()); ok {
				any = true
			}
		}
	}
	if cl.op == "==" {
		return any
	}
	return !any
}

// count counts the changes a count metric names.
func count(changes []plan.Change, metric string) int {
	if metric == "changes" {
		return len(changes)
	}
	action := map[string]plan.Action{"creates": plan.Create, "updates": plan.Update, "deletes": plan.Delete}[metric]
	n := 0
	for _, c := range changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

func compare(a int, op string, b int) bool {
	switch op {
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case "==":
		return a == b
	case "!=":
		return a != b
	}
	return false
}
