package nacos

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/nacosfake"
)

func TestBundleHasTheLayoutTheConsoleImportReads(t *testing.T) {
	entries := shopEntries(t)
	b, err := Bundle(entries)
	if err != nil {
		t.Fatal(err)
	}

	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store || f.Flags&0x8 != 0 {
			t.Errorf("%s: method %d flags %#x: ZipInputStream needs stored entries without a data descriptor", f.Name, f.Method, f.Flags)
		}
		if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: modified %v, want the fixed zip epoch", f.Name, f.Modified)
		}
	}
	wantNames := "DEFAULT_GROUP/cart.yaml DEFAULT_GROUP/orders.yaml DEFAULT_GROUP/payments.properties DEFAULT_GROUP/users.json .metadata.yml"
	if got := strings.Join(names, " "); got != wantNames {
		t.Fatalf("files %s\nwant  %s", got, wantNames)
	}
	meta, err := zr.Open(BundleMetadataFile)
	if err != nil {
		t.Fatal(err)
	}
	metaText, _ := io.ReadAll(meta)
	wantMeta := "metadata:\n" +
		"- dataId: cart.yaml\n  desc: " + ManagedDesc(entries[0].MD5) + "\n  group: DEFAULT_GROUP\n  type: yaml\n" +
		"- dataId: orders.yaml\n  desc: " + ManagedDesc(entries[1].MD5) + "\n  group: DEFAULT_GROUP\n  type: yaml\n" +
		"- dataId: payments.properties\n  desc: " + ManagedDesc(entries[2].MD5) + "\n  group: DEFAULT_GROUP\n  type: properties\n" +
		"- dataId: users.json\n  desc: " + ManagedDesc(entries[3].MD5) + "\n  group: DEFAULT_GROUP\n  type: json\n"
	if string(metaText) != wantMeta {
		t.Fatalf(".metadata.yml:\n%s\nwant:\n%s", metaText, wantMeta)
	}

	// Now as the server reads it: ZipInputStream, then parseImportDataV2.
	parsed, err := nacosfake.ParseImport(b)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Metadata != nacosfake.MetadataV2 || len(parsed.Unrecognized) != 0 {
		t.Fatalf("metadata %q, unrecognized %v", parsed.Metadata, parsed.Unrecognized)
	}
	if len(parsed.Configs) != len(entries) {
		t.Fatalf("%d configs, want %d", len(parsed.Configs), len(entries))
	}
	for i, e := range entries {
		got := parsed.Configs[i]
		if got.Group != e.Group || got.DataID != e.DataID || got.Type != e.Type || got.Content != e.Content || got.Desc != ManagedDesc(e.MD5) {
			t.Errorf("config %d: %+v, want %+v", i, got, e)
		}
	}
}

func TestBundleBytesAreDeterministic(t *testing.T) {
	entries := shopEntries(t)
	a, err := Bundle(entries)
	if err != nil {
		t.Fatal(err)
	}
	reversed := make([]Entry, len(entries))
	for i, e := range entries {
		reversed[len(entries)-1-i] = e
	}
	b, err := Bundle(reversed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("bundle bytes depend on input order")
	}
}

func TestBundleQuotesMetadataThatWouldNotParseAsPlainYAML(t *testing.T) {
	e := mustEntry(t, "dev", "GROUP:A", "-odd:name", TypeText, "x")
	b, err := Bundle([]Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := nacosfake.ParseImport(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Configs) != 1 || parsed.Configs[0].DataID != "-odd:name" || parsed.Configs[0].Group != "GROUP:A" {
		t.Fatalf("%+v", parsed)
	}
}

func TestBundleRefusesEntriesOfSeveralNamespaces(t *testing.T) {
	a := mustEntry(t, "dev", "G", "a.yaml", TypeYAML, "a: 1\n")
	b := mustEntry(t, "prod", "G", "a.yaml", TypeYAML, "a: 1\n")
	if _, err := Bundle([]Entry{a, b}); err == nil || !strings.Contains(err.Error(), "one bundle per namespace") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Bundle([]Entry{a, a}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("err = %v", err)
	}
}
