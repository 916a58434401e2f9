package gen2

// Generation names the control plane this driver speaks.
func (d *Driver) Generation() string { return "Generation 2" }
