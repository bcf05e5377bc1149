package istio

import (
	"errors"
	"fmt"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// errorf returns the diagnostic of a spec value at the service's field (a
// path relative to the service, e.g. "resilience.rateLimit.burst") that
// the Istio target cannot express in this environment.
func (e *envRender) errorf(svc *schema.Service, field, format string, args ...any) *diag.Diagnostic {
	rel := parseField(field)
	return &diag.Diagnostic{
		Pos:          svc.PosOf(rel),
		Path:         fieldpath.New("services", svc.Name).Append(rel...),
		Message:      fmt.Sprintf(format, args...),
		Environments: []string{e.env.Name},
	}
}

// envErrorf returns the diagnostic of an environment value (a model path
// such as "environments.prod.canary.steps") met while rendering svc.
func (e *envRender) envErrorf(svc *schema.Service, field, format string, args ...any) *diag.Diagnostic {
	path := parseField(field)
	pos, ok := e.model.PosOf(path)
	if !ok {
		pos = e.env.Pos
	}
	return &diag.Diagnostic{
		Pos:          pos,
		Path:         path,
		Message:      fmt.Sprintf(format, args...),
		Environments: []string{e.env.Name},
	}
}

// parseField reads a field path written in this package.
func parseField(field string) fieldpath.Path {
	p, err := fieldpath.Parse(field)
	if err != nil {
		return fieldpath.New(field)
	}
	return p
}

// errorList collects the errors of a render in the order they were found
// (environments in the order asked, services by name).
type errorList []error

func (l *errorList) add(err error) { *l = append(*l, err) }

// err returns nil, or the spec mistakes as one *diag.List (sorted; one
// mistake met in several environments is one diagnostic listing them),
// joined with any other errors.
func (l errorList) err(dir string) error {
	if len(l) == 0 {
		return nil
	}
	list := &diag.List{Dir: dir}
	var other []error
	for _, err := range l {
		var d *diag.Diagnostic
		if errors.As(err, &d) {
			list.Add(d)
			continue
		}
		other = append(other, err)
	}
	if err := list.Err(); err != nil {
		other = append(other, err)
	}
	return errors.Join(other...)
}
