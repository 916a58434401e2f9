package plan

// Outside returns the changes of p that are not operations of reviewed:
// the same resource, written (created or updated) in both or deleted in
// both. Callers compute both plans from the same desired state, so a write
// in both has the same target value; what differs is only how much of the
// reviewed plan already landed (a create that landed is now an update, or
// gone from the plan).
func (p *Plan) Outside(reviewed *Plan) []Change {
	type key struct{ kind, namespace, name string }
	deletes := make(map[key]bool, len(reviewed.Changes))
	for _, c := range reviewed.Changes {
		deletes[key{c.Kind, c.Namespace, c.Name}] = c.Action == Delete
	}
	var out []Change
	for _, c := range p.Changes {
		del, ok := deletes[key{c.Kind, c.Namespace, c.Name}]
		if !ok || del != (c.Action == Delete) {
			out = append(out, c)
		}
	}
	return out
}
