package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// params holds the values of a route's {placeholders}.
type params map[string]string

// handlerFunc is a route handler.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p params)

// route is one method and path pattern. Literal segments match
// case-insensitively, as ASP.NET routing does; {name} segments match one
// non-empty, path-unescaped segment.
type route struct {
	method string
	segs   []string
	public bool // served without authentication
	h      handlerFunc
}

// router matches requests to routes. Routes registered first win, so
// literal routes are registered before overlapping parameterised ones.
type router struct {
	routes []route
}

func (rt *router) handle(method, pattern string, public bool, h handlerFunc) {
	rt.routes = append(rt.routes, route{method: method, segs: splitPath(pattern), public: public, h: h})
}

// match finds the route for the request. When the path matches but the
// method does not, it returns the allowed methods instead.
func (rt *router) match(r *http.Request) (found *route, p params, allowed []string) {
	segs := splitPath(r.URL.EscapedPath())
	for i := range rt.routes {
		rte := &rt.routes[i]
		vals, ok := rte.matchPath(segs)
		if !ok {
			continue
		}
		if rte.method == r.Method {
			return rte, vals, nil
		}
		if !slices.Contains(allowed, rte.method) {
			allowed = append(allowed, rte.method)
		}
	}
	return nil, nil, allowed
}

func (rte *route) matchPath(segs []string) (params, bool) {
	if len(segs) != len(rte.segs) {
		return nil, false
	}
	var vals params
	for i, pat := range rte.segs {
		if name, ok := strings.CutPrefix(pat, "{"); ok {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			if vals == nil {
				vals = params{}
			}
			vals[strings.TrimSuffix(name, "}")] = v
			continue
		}
		if !strings.EqualFold(pat, segs[i]) {
			return nil, false
		}
	}
	return vals, true
}

// splitPath splits an escaped path into segments; a trailing slash yields a
// final empty segment, so "/a/" and "/a" are different paths.
func splitPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}
