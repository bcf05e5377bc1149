// Package nacos renders Nacos config entries: the Entry type, one entry per
// service and environment with its md5 and ownership marker, the index and
// the console import bundle. It is pure (model in, objects out); the Open API
// client and the compare-and-swap apply live in package
// github.com/govctl/govctl/nacos.
//
// Where the Open API documentation, the SDKs and the server disagree, this
// package follows the server's source (alibaba/nacos 2.x); the comments name
// the server file each decision comes from.
package nacos

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The config types govctl renders. Nacos accepts a few more (xml, html,
// toml), but these are the ones the spec language produces.
const (
	TypeYAML       = "yaml"
	TypeProperties = "properties"
	TypeJSON       = "json"
	TypeText       = "text"
)

// PublicNamespace is the console's name for the default namespace. Its id on
// a Nacos 2.x server is the empty string; see NormalizeNamespace.
const PublicNamespace = "public"

// maxNamespaceLen is ParamUtils.TENANT_MAX_LEN in the server.
const maxNamespaceLen = 128

// Entry is one Nacos configuration: the unit govctl renders, bundles and
// publishes. MD5 is the lower-case hex md5 of Content's UTF-8 bytes, the
// value the server stores and compares casMd5 against.
type Entry struct {
	Namespace string `json:"namespace"`
	Group     string `json:"group"`
	DataID    string `json:"dataId"`
	Type      string `json:"type"`
	Content   string `json:"content"`
	MD5       string `json:"md5"`
}

// Key identifies a config on a server: namespace, group and dataId.
type Key struct {
	Namespace string `json:"namespace"`
	Group     string `json:"group"`
	DataID    string `json:"dataId"`
}

// String renders the key as namespace/group/dataId, the identity plan
// matches Nacos entries by. The public namespace prints as "public".
func (k Key) String() string {
	ns := k.Namespace
	if ns == "" {
		ns = PublicNamespace
	}
	return ns + "/" + k.Group + "/" + k.DataID
}

// Less reports whether k sorts before o: by namespace, group, then dataId,
// the order apply and List report keys in.
func (k Key) Less(o Key) bool {
	if k.Namespace != o.Namespace {
		return k.Namespace < o.Namespace
	}
	if k.Group != o.Group {
		return k.Group < o.Group
	}
	return k.DataID < o.DataID
}

// Key returns the entry's identity, namespace/group/dataId.
func (e Entry) Key() Key {
	return Key{Namespace: e.Namespace, Group: e.Group, DataID: e.DataID}
}

// NewEntry builds a validated Entry and computes its MD5. The namespace is
// normalised ("public" becomes ""), so that keys compare equal to what the
// server reports.
func NewEntry(namespace, group, dataID, typ, content string) (Entry, error) {
	e := Entry{
		Namespace: NormalizeNamespace(namespace),
		Group:     group,
		DataID:    dataID,
		Type:      typ,
		Content:   content,
		MD5:       ContentMD5(content),
	}
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// ContentMD5 is the md5 Nacos keeps for a config: MD5Utils.md5Hex(content,
// "UTF-8") in the server, lower-case hex.
func ContentMD5(content string) string {
	sum := md5.Sum([]byte(content))
	return hex.EncodeToString(sum[:])
}

// NormalizeNamespace maps the names the server treats as the default
// namespace ("", "public", "null", any case) to its id "". The server does
// this itself on publish and get (NamespaceUtil.processNamespaceParameter)
// but not in the console's detail view (ConfigController.detailConfigInfo),
// so the client normalises before every request.
func NormalizeNamespace(namespace string) string {
	ns := strings.TrimSpace(namespace)
	if strings.EqualFold(ns, PublicNamespace) || strings.EqualFold(ns, "null") {
		return ""
	}
	return ns
}

// Validate checks the entry against the server's own rules
// (ParamUtils.checkParam / checkTenant and ConfigType) and that MD5 matches
// Content, so that a bad entry fails before anything is written.
func (e Entry) Validate() error {
	if err := checkName("dataId", e.DataID); err != nil {
		return fmt.Errorf("nacos entry %s: %w", e.Key(), err)
	}
	if err := checkName("group", e.Group); err != nil {
		return fmt.Errorf("nacos entry %s: %w", e.Key(), err)
	}
	if e.Namespace != "" {
		if err := checkName("namespace", e.Namespace); err != nil {
			return fmt.Errorf("nacos entry %s: %w", e.Key(), err)
		}
		if len(e.Namespace) > maxNamespaceLen {
			return fmt.Errorf("nacos entry %s: namespace longer than %d characters", e.Key(), maxNamespaceLen)
		}
	}
	switch e.Type {
	case TypeYAML, TypeProperties, TypeJSON, TypeText:
	default:
		return fmt.Errorf("nacos entry %s: type %q is not one of yaml, properties, json, text", e.Key(), e.Type)
	}
	if strings.TrimSpace(e.Content) == "" {
		// The server rejects blank content ("content is blank"); the CAS
		// sentinel ExpectAbsent relies on that.
		return fmt.Errorf("nacos entry %s: content is blank", e.Key())
	}
	if !utf8.ValidString(e.Content) {
		// The server decodes the request as UTF-8 and hashes what it
		// decoded: invalid bytes would change the md5 behind our back.
		return fmt.Errorf("nacos entry %s: content is not valid UTF-8", e.Key())
	}
	if want := ContentMD5(e.Content); e.MD5 != want {
		return fmt.Errorf("nacos entry %s: md5 %q does not match its content (want %s)", e.Key(), e.MD5, want)
	}
	return nil
}

// checkName applies ParamUtils.isValid: letters, digits and "_-.:" only.
func checkName(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s is empty", field)
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '_', r == '-', r == '.', r == ':':
		default:
			return fmt.Errorf("%s %q has %q: Nacos allows only letters, digits and _-.:", field, v, r)
		}
	}
	return nil
}
