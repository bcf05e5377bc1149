package istio

import (
	"errors"
	"fmt"

	"github.com/govctl/govctl/schema"
)

// Error is a spec value that the Istio target cannot express for one
// service in one environment, with the position of the value in the
// user's spec. It prints as
//
//	services/orders.cue:18:59: render istio for orders/prod: …
//
// with the file joined to the spec directory, as schema errors print.
type Error struct {
	// Pos is where the offending value is set, relative to the spec
	// directory (schema.Pos convention).
	Pos schema.Pos
	// Dir is the spec directory as the user named it; Error joins it to
	// Pos.File so that the printed position opens from the user's shell.
	Dir string
	// Service and Env name what was being rendered.
	Service string
	Env     string
	// Field is the dotted path of the value at fault, relative to the
	// service (e.g. "resilience.rateLimit.burst") or, for environment
	// values, to the model (e.g. "environments.prod.canary.steps").
	Field string
	// Msg says what is wrong and what would be right.
	Msg string
}

// Error formats the error as "<file:line:col>: render istio for
// <service>/<env>: <message>".
func (e *Error) Error() string {
	prefix := ""
	if p := e.Pos.In(e.Dir); p.File != "" {
		prefix = p.String() + ": "
	}
	return fmt.Sprintf("%srender istio for %s/%s: %s", prefix, e.Service, e.Env, e.Msg)
}

// errorf returns an *Error about the service's field at the dotted path.
func (e *envRender) errorf(svc *schema.Service, field, format string, args ...any) *Error {
	return &Error{
		Pos:     svc.PosOf(field),
		Dir:     e.model.Dir,
		Service: svc.Name,
		Env:     e.env.Name,
		Field:   field,
		Msg:     fmt.Sprintf(format, args...),
	}
}

// envErrorf returns an *Error about an environment value (a model path such
// as "environments.prod.canary.steps") met while rendering svc.
func (e *envRender) envErrorf(svc *schema.Service, field, format string, args ...any) *Error {
	pos, ok := e.model.PosOf(field)
	if !ok {
		pos = e.env.Pos
	}
	return &Error{
		Pos:     pos,
		Dir:     e.model.Dir,
		Service: svc.Name,
		Env:     e.env.Name,
		Field:   field,
		Msg:     fmt.Sprintf(format, args...),
	}
}

// errorList collects the errors of a render in the order they were found
// (environments in the order asked, services by name), which is
// deterministic.
type errorList []error

func (l *errorList) add(err error) { *l = append(*l, err) }

// err returns nil, the only error, or all of them joined (errors.As finds
// the first *Error).
func (l errorList) err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return errors.Join(l...)
}
