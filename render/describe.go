package render

import (
	"fmt"
	"strings"
)

// Describe names the object in error messages: its target, kind,
// namespace/name, environment and output path, e.g. "istio VirtualService
// shop-prod/orders for env prod (prod/istio/orders.yaml)". Parts the object
// does not have are left out.
func (o Object) Describe() string {
	var b strings.Builder
	b.WriteString(string(o.Target))
	if o.ID.Kind != "" {
		b.WriteString(" " + o.ID.Kind)
	}
	if o.ID.Name != "" {
		b.WriteString(" ")
		if o.ID.Namespace != "" {
			b.WriteString(o.ID.Namespace + "/")
		}
		b.WriteString(o.ID.Name)
	}
	if o.Env != "" {
		b.WriteString(" for env " + o.Env)
	}
	if o.Path != "" {
		fmt.Fprintf(&b, " (%s)", o.Path)
	}
	return strings.TrimSpace(b.String())
}
