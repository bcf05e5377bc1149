package plan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/govctl/govctl/nacos"
	"github.com/govctl/govctl/render"
)

// item is an object prepared for matching: its key, display name and
// content.
type item struct {
	obj     render.Object
	key     string
	name    string
	content *content
}

// tree is the item's content in generic form. Reading it back cannot fail
// any more: prepare has read every tree that can fail (a Value's).
func (it item) tree() any {
	t, _ := it.content.readTree()
	return t
}

// prepare normalizes objects and computes their identities; contents are
// the objects' contents (readContents), in the same order. Objects that
// share an output path and have no identity of their own are told apart
// by their position in the file.
func prepare(objs []render.Object, contents []content) ([]item, error) {
	items := make([]item, 0, len(objs))
	docIndex := map[string]int{}
	seen := make(map[string]render.Object, len(objs))
	for i, o := range objs {
		c := &contents[i]
		var tree any
		if c.needed(o) {
			t, err := c.readTree()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Describe(), err)
			}
			tree = t
		}
		id, key, name := identify(o, tree)
		if key == "" {
			// Matched by output path: the n-th such document of the file.
			n := docIndex[string(o.Target)+"|"+o.Path]
			docIndex[string(o.Target)+"|"+o.Path] = n + 1
			key = "path|" + string(o.Target) + "|" + o.Path
			if n > 0 {
				key += "#" + strconv.Itoa(n)
			}
		}
		key = o.Env + "|" + key
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s and %s have the same identity %s in environment %q", prev.Describe(), o.Describe(), name, o.Env)
		}
		seen[key] = o
		o.ID = id
		items = append(items, item{obj: o, key: key, name: name, content: c})
	}
	return items, nil
}

// identify returns an object's identity, its matching key ("" when it is
// matched by output path) and its display name.
func identify(o render.Object, tree any) (render.Identity, string, string) {
	id := o.ID
	// A Nacos entry first: its content may itself look like a Kubernetes
	// object.
	if ns, group, dataID, ok := nacosKey(o); ok {
		return id, "nacos|" + ns + "|" + group + "|" + dataID, nacosName(ns, group, dataID)
	}
	if k, ok := kubeIdentity(tree); ok {
		return k, "kube|" + k.APIVersion + "|" + k.Kind + "|" + k.Namespace + "|" + k.Name, kubeName(k)
	}
	if id.APIVersion != "" && id.Kind != "" && id.Name != "" {
		return id, "kube|" + id.APIVersion + "|" + id.Kind + "|" + id.Namespace + "|" + id.Name, kubeName(id)
	}
	// Named by path alone, so that an object reads the same whether its
	// kind is known (rendered) or not (a file left in a directory).
	return id, "", o.Path
}

func kubeName(id render.Identity) string {
	if id.Namespace == "" {
		return id.Kind + " " + id.Name
	}
	return id.Kind + " " + id.Namespace + "/" + id.Name
}

func nacosName(ns, group, dataID string) string {
	if ns == "" {
		ns = "public"
	}
	return ns + "/" + group + "/" + dataID
}

// kubeIdentity reads apiVersion, kind, metadata.namespace and
// metadata.name from a Kubernetes-style object.
func kubeIdentity(tree any) (render.Identity, bool) {
	m, ok := tree.(map[string]any)
	if !ok {
		return render.Identity{}, false
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if apiVersion == "" || kind == "" || name == "" {
		return render.Identity{}, false
	}
	ns, _ := meta["namespace"].(string)
	return render.Identity{APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name}, true
}

// nacosKey returns the namespace, group and dataId of a Nacos config
// entry: an object of the nacos target with raw content whose identity
// name is "group/dataId" (the render contract), or a baseline object whose
// path ends in namespace/group/dataId. Other nacos objects (the index,
// the import bundle) are matched by path.
func nacosKey(o render.Object) (ns, group, dataID string, ok bool) {
	if o.Target != render.TargetNacos || o.Raw == nil {
		return "", "", "", false
	}
	if g, d, found := strings.Cut(o.ID.Name, "/"); found && g != "" && d != "" && !strings.Contains(d, "/") {
		return nacos.NormalizeNamespace(o.ID.Namespace), g, d, true
	}
	return "", "", "", false
}

// content is an object's content in the two forms plan compares: data,
// the bytes a writer puts in the file, and the generic tree read back from
// them: map[string]any, []any, string, json.Number, bool and nil.
//
// A Value is encoded with render.MarshalYAML and read back, so that both
// sides of a comparison are exactly what the writer puts in a file (the
// same normalization, number forms and dropped empty status) whether they
// come from a renderer or from a file on disk. Raw content is read as YAML
// (which includes JSON) when it is a mapping or a list; other text is
// compared as one string, and binary content (an import bundle) as its
// size and digest.
//
// The tree is a function of the bytes and their form alone, so objects
// whose bytes are the same have the same tree: a plan compares field by
// field only objects whose bytes differ, and reads back only the trees it
// needs. On a large platform, encoding and reading back are most of a
// plan's work, and most objects of a typical change are unchanged.
type content struct {
	// raw says that data is Raw (read by rawTree), not an encoded Value.
	raw  bool
	data []byte
	// tree and err are the tree read from data, or the error encoding or
	// reading it; final once read is set.
	tree any
	err  error
	read bool
}

// encodeContent returns o's content with its bytes, not yet read back.
func encodeContent(o render.Object) content {
	switch {
	case o.Value != nil:
		data, err := render.MarshalYAML(o.Value)
		return content{data: data, err: err, read: err != nil}
	case o.Raw != nil:
		return content{raw: true, data: o.Raw}
	}
	return content{read: true} // no content: the nil tree
}

// readTree reads the tree back from the bytes, once.
func (c *content) readTree() (any, error) {
	if !c.read {
		c.tree, c.err = c.parse()
		c.read = true
	}
	return c.tree, c.err
}

// peekTree is readTree without keeping the result, for readers that share
// c with others running at the same time.
func (c *content) peekTree() (any, error) {
	if c.read {
		return c.tree, c.err
	}
	return c.parse()
}

func (c *content) parse() (any, error) {
	if c.raw {
		return rawTree(c.data), nil
	}
	docs, err := parseYAMLDocuments(c.data)
	if err != nil {
		return nil, fmt.Errorf("read back the encoded value: %w", err)
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("the encoded value has %d YAML documents, want 1", len(docs))
	}
	return docs[0], nil
}

// sameAs reports whether c and o are the same bytes in the same form, so
// that their trees are equal.
func (c *content) sameAs(o *content) bool {
	return c.err == nil && o.err == nil && c.raw == o.raw && bytes.Equal(c.data, o.data)
}

// needed reports whether prepare reads the tree of o, whose content c is:
// a Value's always, so that an encoding that does not read back is an
// error, and raw content's when the tree is what identifies the object.
// The raw content of a Nacos entry (identified by its name) is read only
// when the entry is created, deleted or changed.
func (c *content) needed(o render.Object) bool {
	if !c.raw {
		return true
	}
	_, _, _, nacos := nacosKey(o)
	return !nacos
}

// readContents returns the contents of objs, encoded and, where prepare
// needs them, read back, on up to GOMAXPROCS goroutines. given, when set,
// holds per object its content if the baseline knew it, else nil. known,
// when set, are contents already read (the desired objects'): an object
// whose bytes are among them takes their tree instead of reading its own.
// Errors stay in the contents, for prepare to report in object order.
func readContents(ctx context.Context, objs []render.Object, given []*content, known []content) ([]content, error) {
	contents := make([]content, len(objs))
	err := forEachIndex(ctx, len(objs), func(i int) error {
		if given != nil && given[i] != nil {
			contents[i] = *given[i]
		} else {
			contents[i] = encodeContent(objs[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	index := newContentIndex(known)
	err = forEachIndex(ctx, len(objs), func(i int) error {
		c := &contents[i]
		if c.read || !c.needed(objs[i]) {
			return nil
		}
		if k := index.find(c); k != nil {
			c.tree, c.err, c.read = k.tree, k.err, true
			return nil
		}
		c.readTree()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return contents, nil
}

// contentIndex finds read contents by their bytes.
type contentIndex struct {
	seed     maphash.Seed
	contents []content
	byHash   map[uint64][]int
}

func newContentIndex(contents []content) *contentIndex {
	x := &contentIndex{seed: maphash.MakeSeed(), contents: contents, byHash: make(map[uint64][]int, len(contents))}
	for i := range contents {
		if c := &contents[i]; c.read && c.err == nil && c.data != nil {
			h := maphash.Bytes(x.seed, c.data)
			x.byHash[h] = append(x.byHash[h], i)
		}
	}
	return x
}

// find returns a read content with c's bytes in c's form, or nil. The
// hash only narrows the search; the bytes are compared.
func (x *contentIndex) find(c *content) *content {
	if len(x.byHash) == 0 {
		return nil
	}
	for _, i := range x.byHash[maphash.Bytes(x.seed, c.data)] {
		if k := &x.contents[i]; k.sameAs(c) {
			return k
		}
	}
	return nil
}

// forEachIndex calls fn(i) for every i in [0, n) on up to GOMAXPROCS
// goroutines and returns the error of the lowest i that failed, so that
// the error reported does not depend on scheduling.
func forEachIndex(ctx context.Context, n int, fn func(i int) error) error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		if err := ctx.Err(); err != nil {
			g.Wait()
			return err
		}
		g.Go(func() error {
			errs[i] = fn(i)
			return nil
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rawTree reads raw file content: a structured YAML or JSON document as its
// tree, other text as a string, binary content as a summary string.
func rawTree(data []byte) any {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		sum := sha256.Sum256(data)
		return fmt.Sprintf("(binary, %d bytes, sha256 %s)", len(data), hex.EncodeToString(sum[:])[:12])
	}
	if docs, err := parseYAMLDocuments(data); err == nil && len(docs) == 1 {
		switch docs[0].(type) {
		case map[string]any, []any:
			return docs[0]
		}
	}
	return string(data)
}

// parseYAMLDocuments reads every document of a YAML stream into the
// generic form. Numbers keep their written form as json.Number; empty
// documents are skipped.
func parseYAMLDocuments(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) == 0 {
			continue
		}
		v, err := nodeTree(n.Content[0], 0)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		docs = append(docs, v)
	}
}

// maxDepth bounds nesting (and alias expansion) of documents read from disk.
const maxDepth = 200

func nodeTree(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("document nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeTree(n.Content[0], depth+1)
	case yaml.AliasNode:
		return nodeTree(n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				merged, err := nodeTree(v, depth+1)
				if err != nil {
					return nil, err
				}
				if mm, ok := merged.(map[string]any); ok {
					for mk, mv := range mm {
						if _, set := m[mk]; !set {
							m[mk] = mv
						}
					}
				}
				continue
			}
			key := k.Value
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			val, err := nodeTree(v, depth+1)
			if err != nil {
				return nil, err
			}
			m[key] = val
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeTree(c, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalarValue(n), nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// scalarValue converts a scalar by its resolved tag. Integers and finite
// floats become json.Number in a canonical decimal form, so that the same
// number written two ways (0x1F and 31) compares equal.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		var u uint64
		if n.Decode(&u) == nil {
			return json.Number(strconv.FormatUint(u, 10))
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}
