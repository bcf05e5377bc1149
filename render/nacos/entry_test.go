package nacos

import (
	"strings"
	"testing"
)

func TestNewEntryComputesTheMD5NacosStores(t *testing.T) {
	e, err := NewEntry("shop-dev", "DEFAULT_GROUP", "orders.yaml", TypeYAML, "hello")
	if err != nil {
		t.Fatal(err)
	}
	// md5Hex("hello"), lower-case, as MD5Utils.md5Hex returns it.
	if e.MD5 != "5d41402abc4b2a76b9719d911017c592" {
		t.Fatalf("md5 = %s", e.MD5)
	}
	if got := e.Key().String(); got != "shop-dev/DEFAULT_GROUP/orders.yaml" {
		t.Fatalf("key = %s", got)
	}
}

func TestNewEntryNormalisesThePublicNamespace(t *testing.T) {
	for _, ns := range []string{"", "public", "PUBLIC", "null"} {
		e, err := NewEntry(ns, "DEFAULT_GROUP", "a.yaml", TypeYAML, "a: 1\n")
		if err != nil {
			t.Fatal(err)
		}
		if e.Namespace != "" {
			t.Errorf("namespace %q became %q, want \"\"", ns, e.Namespace)
		}
		if got := e.Key().String(); got != "public/DEFAULT_GROUP/a.yaml" {
			t.Errorf("key = %s", got)
		}
	}
}

func TestNewEntryRejectsWhatTheServerRejects(t *testing.T) {
	tests := []struct {
		name                             string
		namespace, group, dataID, typ, c string
		want                             string
	}{
		{"slash in dataId", "dev", "G", "a/b.yaml", TypeYAML, "x", "dataId"},
		{"space in group", "dev", "my group", "a.yaml", TypeYAML, "x", "group"},
		{"empty group", "dev", "", "a.yaml", TypeYAML, "x", "group is empty"},
		{"bad namespace", "dev/x", "G", "a.yaml", TypeYAML, "x", "namespace"},
		{"long namespace", strings.Repeat("n", 129), "G", "a.yaml", TypeYAML, "x", "longer than 128"},
		{"unknown type", "dev", "G", "a.xml", "xml", "<a/>", "type"},
		{"blank content", "dev", "G", "a.yaml", TypeYAML, " \n\t", "blank"},
		{"invalid utf-8", "dev", "G", "a.txt", TypeText, "a\xffb", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEntry(tt.namespace, tt.group, tt.dataID, tt.typ, tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestValidateCatchesAStaleMD5(t *testing.T) {
	e, err := NewEntry("dev", "G", "a.yaml", TypeYAML, "a: 1\n")
	if err != nil {
		t.Fatal(err)
	}
	e.Content = "a: 2\n"
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("err = %v", err)
	}
}

// shopEntries are four entries of one namespace, in key order.
func shopEntries(t *testing.T) []Entry {
	t.Helper()
	return []Entry{
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "cart.yaml", TypeYAML, "cart:\n  ttl: 30m\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", TypeYAML, "db:\n  maxOpen: 50\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "payments.properties", TypeProperties, "timeout=800ms\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "users.json", TypeJSON, "{\"cache\":true}\n"),
	}
}

func mustEntry(t *testing.T, ns, group, dataID, typ, content string) Entry {
	t.Helper()
	e, err := NewEntry(ns, group, dataID, typ, content)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
