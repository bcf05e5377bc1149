package lint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// inputObjects are the rendered objects as AST values, converted once for
// all environments: an object spanning environments (a workflow) is in the
// input of every one, and objects are most of the input.
type inputObjects struct {
	objects []render.Object
	// terms[i] is objects[i] as an InputObject; nil when no environment
	// converted for sees it.
	terms []*ast.Term
}

// convertBatch is how many objects one goroutine of convertObjects
// converts.
const convertBatch = 64

// convertObjects converts the objects the environments see, on at most
// limit goroutines. Each goroutine converts a batch of objects: a new
// goroutine per object would grow the deep stack encoding needs each time.
func convertObjects(ctx context.Context, objects []render.Object, envs []string, limit int) (*inputObjects, error) {
	in := &inputObjects{objects: objects, terms: make([]*ast.Term, len(objects))}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for start := 0; start < len(objects); start += convertBatch {
		g.Go(func() error {
			for i := start; i < min(start+convertBatch, len(objects)); i++ {
				if err := gctx.Err(); err != nil {
					return err
				}
				o := objects[i]
				if !slices.ContainsFunc(envs, func(env string) bool { return inEnvironment(o, env) }) {
					continue
				}
				v, err := astValue(inputObject(o))
				if err != nil {
					return fmt.Errorf("object %s: %w", o.Path, err)
				}
				in.terms[i] = ast.NewTerm(v)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return in, nil
}

// inputValue returns the input document of the environment, with the
// objects it sees (none when in is nil), as the AST value rules read. It
// equals what ast.ValueFromReader reads from the JSON of the document that
// Input returns, which --print-input prints.
func (in *inputObjects) inputValue(r *schema.Resolved, now time.Time) (ast.Value, error) {
	v, err := astValue(inputFor(r, nil, now))
	if err != nil {
		return nil, err
	}
	doc, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("encode input: %T is not an object", v)
	}
	objects := []*ast.Term{}
	if in != nil {
		env := r.Environment.Name
		for i, o := range in.objects {
			if !inEnvironment(o, env) {
				continue
			}
			if in.terms[i] == nil {
				return nil, fmt.Errorf("encode input: object %s was not converted for %s", o.Path, env)
			}
			objects = append(objects, in.terms[i])
		}
	}
	doc.Insert(ast.StringTerm("objects"), ast.ArrayTerm(objects...))
	return doc, nil
}

// astValue converts x to the AST value of its JSON.
func astValue(x any) (ast.Value, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("encode input: %w", err)
	}
	v, err := decodeAST(b)
	if err != nil {
		return nil, fmt.Errorf("encode input: %w", err)
	}
	return v, nil
}

// maxJSONDepth is encoding/json's limit on nesting.
const maxJSONDepth = 10000

// maxTermBlock is the most terms astDecoder allocates at once.
const maxTermBlock = 1024

// astDecoder reads JSON text into the AST value ast.ValueFromReader
// returns for it (numbers keep their text, the last of duplicate keys
// wins), without the Go values ValueFromReader decodes to on the way,
// which cost more than the AST itself. Strings without escapes are
// slices of one copy of the text, and terms are allocated in blocks.
type astDecoder struct {
	text  string
	pos   int
	terms []ast.Term
	block int
	// elems and items are stacks of the elements of the arrays and
	// objects being read.
	elems []*ast.Term
	items [][2]*ast.Term
}

// decodeAST reads one JSON value, the whole of b.
func decodeAST(b []byte) (ast.Value, error) {
	d := &astDecoder{text: string(b)}
	d.skipSpace()
	t, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.pos < len(d.text) {
		return nil, d.errorf("invalid character %q after top-level value", d.text[d.pos])
	}
	return t.Value, nil
}

func (d *astDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *astDecoder) term(v ast.Value) *ast.Term {
	if len(d.terms) == 0 {
		// Most objects are small: blocks grow with what was read.
		d.block = min(max(2*d.block, 16), maxTermBlock)
		d.terms = make([]ast.Term, d.block)
	}
	t := &d.terms[0]
	d.terms = d.terms[1:]
	t.Value = v
	return t
}

func (d *astDecoder) skipSpace() {
	for d.pos < len(d.text) {
		switch d.text[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *astDecoder) value(depth int) (*ast.Term, error) {
	if depth > maxJSONDepth {
		return nil, d.errorf("exceeded max depth")
	}
	if d.pos >= len(d.text) {
		return nil, d.errorf("unexpected end of JSON input")
	}
	switch c := d.text[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.string()
		if err != nil {
			return nil, err
		}
		return d.term(ast.String(s)), nil
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case strings.HasPrefix(d.text[d.pos:], "true"):
		d.pos += len("true")
		return d.term(ast.Boolean(true)), nil
	case strings.HasPrefix(d.text[d.pos:], "false"):
		d.pos += len("false")
		return d.term(ast.Boolean(false)), nil
	case strings.HasPrefix(d.text[d.pos:], "null"):
		d.pos += len("null")
		return d.term(ast.NullValue), nil
	default:
		return nil, d.errorf("invalid character %q looking for beginning of value", c)
	}
}

func (d *astDecoder) object(depth int) (*ast.Term, error) {
	d.pos++ // {
	base := len(d.items)
	if d.skipSpace(); d.pos < len(d.text) && d.text[d.pos] == '}' {
		d.pos++
		return d.term(ast.NewObject()), nil
	}
	for {
		if d.skipSpace(); d.pos >= len(d.text) || d.text[d.pos] != '"' {
			return nil, d.errorf("want an object key")
		}
		k, err := d.string()
		if err != nil {
			return nil, err
		}
		if d.skipSpace(); d.pos >= len(d.text) || d.text[d.pos] != ':' {
			return nil, d.errorf("want ':' after object key")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, [2]*ast.Term{d.term(ast.String(k)), v})
		if d.skipSpace(); d.pos >= len(d.text) {
			return nil, d.errorf("unexpected end of JSON input")
		}
		c := d.text[d.pos]
		d.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return nil, d.errorf("invalid character %q after object key:value pair", c)
		}
	}
	items := d.items[base:]
	var obj ast.Object
	if hasDuplicateKey(items) {
		// Decoded to a map first, the last value of a key wins.
		obj = ast.NewObject()
		for _, kv := range items {
			obj.Insert(kv[0], kv[1])
		}
	} else {
		// NewObject copies the items: the stack can be reused.
		obj = ast.NewObject(items...)
	}
	clear(items)
	d.items = d.items[:base]
	return d.term(obj), nil
}

// hasDuplicateKey reports whether two items have the same (string) key;
// json.Marshal writes none but a MarshalJSON method could.
func hasDuplicateKey(items [][2]*ast.Term) bool {
	if len(items) <= 16 {
		for i := range items {
			for j := i + 1; j < len(items); j++ {
				if items[i][0].Value.(ast.String) == items[j][0].Value.(ast.String) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[ast.String]struct{}, len(items))
	for _, kv := range items {
		k := kv[0].Value.(ast.String)
		if _, ok := seen[k]; ok {
			return true
		}
		seen[k] = struct{}{}
	}
	return false
}

func (d *astDecoder) array(depth int) (*ast.Term, error) {
	d.pos++ // [
	base := len(d.elems)
	if d.skipSpace(); d.pos < len(d.text) && d.text[d.pos] == ']' {
		d.pos++
		return d.term(ast.NewArray()), nil
	}
	for {
		d.skipSpace()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, v)
		if d.skipSpace(); d.pos >= len(d.text) {
			return nil, d.errorf("unexpected end of JSON input")
		}
		c := d.text[d.pos]
		d.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			return nil, d.errorf("invalid character %q after array element", c)
		}
	}
	// NewArray keeps the slice it is given.
	elems := slices.Clone(d.elems[base:])
	clear(d.elems[base:])
	d.elems = d.elems[:base]
	return d.term(ast.NewArray(elems...)), nil
}

// string reads a string literal. One with control characters, invalid
// UTF-8 or an escape unescape does not take is left to encoding/json, so
// that it reads exactly as ast.ValueFromReader reads it (or fails).
func (d *astDecoder) string() (string, error) {
	start := d.pos // "
	escaped, control, ascii := false, false, true
	i := start + 1
	for ; i < len(d.text); i++ {
		c := d.text[i]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			control = true
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if i >= len(d.text) {
		d.pos = len(d.text)
		return "", d.errorf("unexpected end of JSON input in string literal")
	}
	d.pos = i + 1
	s := d.text[start+1 : i]
	if !control && (ascii || utf8.ValidString(s)) {
		if !escaped {
			return s, nil
		}
		if u, ok := unescape(s); ok {
			return u, nil
		}
	}
	if err := json.Unmarshal([]byte(d.text[start:d.pos]), &s); err != nil {
		return "", fmt.Errorf("JSON offset %d: %w", start, err)
	}
	return s, nil
}

// unescape returns the string the body of a string literal without
// control characters or invalid UTF-8 stands for, as encoding/json reads
// it: an unpaired surrogate reads as U+FFFD. ok is false for an escape
// JSON does not have.
func unescape(s string) (_ string, ok bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := strings.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(s[i+2:])
			if r < 0 {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				low := rune(-1)
				if strings.HasPrefix(s[i:], `\u`) {
					low = hex4(s[i+2:])
				}
				if pair := utf16.DecodeRune(r, low); pair != unicode.ReplacementChar {
					r = pair
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			b.WriteRune(r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// hex4 reads the four hex digits of a \u escape; -1 if they are not.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// number reads a number literal as ast.ValueFromReader does: as the
// json.Number of its text.
func (d *astDecoder) number() (*ast.Term, error) {
	start := d.pos
	t := d.text
	i := start
	if t[i] == '-' {
		i++
	}
	digits := func() bool {
		n := i
		for i < len(t) && '0' <= t[i] && t[i] <= '9' {
			i++
		}
		return i > n
	}
	switch {
	case i < len(t) && t[i] == '0':
		i++
	case !digits():
		return nil, d.errorf("invalid number")
	}
	if i < len(t) && t[i] == '.' {
		i++
		if !digits() {
			return nil, d.errorf("invalid number")
		}
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		if !digits() {
			return nil, d.errorf("invalid number")
		}
	}
	d.pos = i
	v, err := ast.InterfaceToValue(json.Number(t[start:i]))
	if err != nil {
		return nil, errors.Join(d.errorf("invalid number %s", t[start:i]), err)
	}
	return d.term(v), nil
}
