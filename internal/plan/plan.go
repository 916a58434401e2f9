// Package plan is the plan as data: what would change in one environment,
// resource by resource and field by field, with risk and drift, and a
// canonical hash of the operations. Rendering lives in package render;
// computing in Compute.
package plan

// FormatVersion is the version of the plan's JSON form.
const FormatVersion = 1

// Action is what apply does to a resource.
type Action string

// Actions.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Symbol is the one-character marker used in text renderings.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	}
	return "?"
}

// Risk grades a change for reviewers and, later, for policies.
type Risk string

// Risk levels, from least to most dangerous.
const (
	Low    Risk = "low"
	Medium Risk = "medium"
	High   Risk = "high"
)

// Rank orders risks so the worst can be found.
func (r Risk) Rank() int {
	switch r {
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	}
	return 0
}

// Op is what happens at one path, as in JSON Patch.
type Op string

// Field operations.
const (
	OpAdd     Op = "add"
	OpRemove  Op = "remove"
	OpReplace Op = "replace"
	// OpMove moves a list element from From to Path; Before and After are
	// its positions in the old and the new list.
	OpMove Op = "move"
)

// Sensitive is shown instead of a secret or secret placeholder.
const Sensitive = "(sensitive)"

// FieldChange is one changed value. Path is a JSON pointer from the resource
// root (/spec/srid). Before is null for add and After null for remove (Op
// tells a removed key from a null value); both hold Sensitive, never a
// value, when the field is sensitive. An update's changes replay in order as
// a JSON Patch: an add or remove at a list index inserts or removes that
// element.
type FieldChange struct {
	Path      string `json:"path"`
	Op        Op     `json:"op"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// From is where a move takes the element from (a JSON pointer).
	From string `json:"from,omitempty"`
	// Key names the list element the change is in, for lists whose
	// elements have an identity key ({"name": "situs_address"} in a Layer's
	// fields); Path keeps the element's index.
	Key map[string]any `json:"key,omitempty"`
	// DisplayPath is Path with each keyed element's index written as
	// [key=value] (/spec/fields[name=situs_address]/alias), for people.
	DisplayPath string `json:"displayPath,omitempty"`
	// SecretsBefore and SecretsAfter name the ${secret:NAME} placeholders
	// of a sensitive value, so that reviewers see which secret is used and
	// when it changes; the names are not secret, their values are.
	SecretsBefore []string `json:"secretsBefore,omitempty"`
	SecretsAfter  []string `json:"secretsAfter,omitempty"`
}

// Change is one resource operation.
type Change struct {
	Action    Action `json:"action"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Risk      Risk   `json:"risk"`
	// Reasons explain the risk in words.
	Reasons []string      `json:"reasons,omitempty"`
	Changes []FieldChange `json:"changes"`
	// RecordOnly is set when none of the environment's targets can hold
	// the change (a Theme on Generation 2 servers): apply writes nothing
	// for it and only records it. It is known once the targets were read.
	RecordOnly bool `json:"recordOnly,omitempty"`
}

// Subject renders the change's resource as Kind/namespace/name.
func (c Change) Subject() string { return c.Kind + "/" + c.Namespace + "/" + c.Name }

// DriftType says how live state differs from recorded state.
type DriftType string

// Drift types; the first three are Honua's own names.
const (
	// SpecDrift: the live resource differs from what was last applied.
	SpecDrift DriftType = "spec-drift"
	// Missing: a resource that was applied is gone from the server.
	Missing DriftType = "missing"
	// Unmanaged: the server already has a resource this plan would create;
	// apply takes it over.
	Unmanaged DriftType = "unmanaged"
)

// Drift is a difference between recorded and live state.
type Drift struct {
	Type      DriftType     `json:"type"`
	Kind      string        `json:"kind"`
	Namespace string        `json:"namespace"`
	Name      string        `json:"name"`
	Changes   []FieldChange `json:"changes,omitempty"`
	// Observed marks drift of a resource imported as observed, not owned
	// (import --observe): reported, never repaired or guarded against.
	Observed bool `json:"observed,omitempty"`
}

// Subject renders the drifted resource as Kind/namespace/name.
func (d Drift) Subject() string { return d.Kind + "/" + d.Namespace + "/" + d.Name }

// Summary counts resources by action.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// Total is the number of resources that change.
func (s Summary) Total() int { return s.Create + s.Update + s.Delete }

// RecordedState says what the plan was computed against.
type RecordedState struct {
	// Source describes where recorded state was read (a file, a git ref, the
	// local state store).
	Source string `json:"source"`
	// Revision identifies the recorded state (a commit), when known.
	Revision string `json:"revision,omitempty"`
	// Empty is true when nothing had been applied yet.
	Empty bool `json:"empty"`
}

// Plan is the plan of one environment.
type Plan struct {
	FormatVersion int           `json:"formatVersion"`
	Environment   string        `json:"environment"`
	Summary       Summary       `json:"summary"`
	Changes       []Change      `json:"changes"`
	Drift         []Drift       `json:"drift"`
	LiveRead      bool          `json:"liveStateRead"`
	Recorded      RecordedState `json:"recordedState"`
	// Hash is the lowercase hex SHA-256 of the canonical operations: stable
	// across runs, file layouts and whether live state was read.
	Hash string `json:"hash"`
	// Notes are plain-language remarks for reviewers.
	Notes []string `json:"notes,omitempty"`
	// Blocked lists the changes a target's server cannot make at all
	// (Generation 2: a rename, a geometry change after publish): apply
	// refuses that target before any write.
	Blocked []Blocker `json:"blocked,omitempty"`
	// Observed names (Kind/namespace/name) the desired resources that are
	// observed, not owned: the plan has no operation for them, only notes.
	Observed []string `json:"observed,omitempty"`
	// Verdict is what the environment's policy says of the plan; nil
	// until it was evaluated (package policy).
	Verdict *Verdict `json:"verdict,omitempty"`
}

// Blocker is one change a target cannot make, and what to do instead.
type Blocker struct {
	// Subject is the resource, as Kind/namespace/name.
	Subject string `json:"subject"`
	Reason  string `json:"reason"`
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 }

// MaxRisk returns the highest risk of any change, or "" without changes.
func (p *Plan) MaxRisk() Risk {
	var worst Risk
	for _, c := range p.Changes {
		if c.Risk.Rank() > worst.Rank() {
			worst = c.Risk
		}
	}
	return worst
}

// Set is several environments' plans: the JSON form of `plan --all`.
type Set struct {
	FormatVersion int     `json:"formatVersion"`
	Plans         []*Plan `json:"plans"`
}

// HasChanges reports whether any plan has changes.
func (s *Set) HasChanges() bool {
	for _, p := range s.Plans {
		if p.HasChanges() {
			return true
		}
	}
	return false
}
