package nacos

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"
)

// BundleMetadataFile is the metadata file of the import bundle: the
// ".metadata.yml" of Nacos 2.x's console export (ConfigController
// exportConfigV2, Constants.CONFIG_EXPORT_METADATA_NEW), which the import
// (importAndPublishConfig → parseImportDataV2) reads with each config's
// type and desc. The older ".meta.yml" (v1) only carries appName, so an
// import of it would lose the type and govctl's ownership marker.
const BundleMetadataFile = ".metadata.yml"

// bundleDOSDate is 1980-01-01 in MS-DOS date format, the zip epoch: every
// file in a bundle has this time, so the bytes depend on the entries only.
const bundleDOSDate = 1<<5 | 1

// Bundle returns the zip the Nacos console's "import configuration" takes,
// for entries of one namespace (the console imports into the namespace
// selected on screen; the zip has no namespace in it).
//
// Layout, as ZipUtils.unzip and parseImportDataV2 read it:
//   - one file per config named "<group>/<dataId>" holding its content
//     (the name is split on "/" and must give exactly two parts);
//   - ".metadata.yml": a YAML map whose first key holds a list of maps of
//     scalars, each with dataId, group, type (all three required) and desc.
//     govctl writes its ownership marker as desc, so that apply recognises
//     imported configs as its own.
//
// The bytes are deterministic: files sorted by group and dataId, then the
// metadata (where the server's own export puts it), fixed timestamps, and
// no compression (Stored with sizes in the local header, which Java's
// ZipInputStream requires of stored entries; it rejects a stored entry
// with a trailing data descriptor).
func Bundle(entries []Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("nacos bundle: no entries")
	}
	sorted := make([]Entry, len(entries))
	for i, e := range entries {
		e.Namespace = NormalizeNamespace(e.Namespace)
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("nacos bundle: %w", err)
		}
		sorted[i] = e
	}
	ns := sorted[0].Namespace
	for _, e := range sorted[1:] {
		if e.Namespace != ns {
			return nil, fmt.Errorf("nacos bundle: entries span namespaces %q and %q; make one bundle per namespace", ns, e.Namespace)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Key().Less(sorted[j].Key()) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Key() == sorted[i-1].Key() {
			return nil, fmt.Errorf("nacos bundle: entry %s appears twice", sorted[i].Key())
		}
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range sorted {
		if err := addStored(zw, e.Group+"/"+e.DataID, []byte(e.Content)); err != nil {
			return nil, fmt.Errorf("nacos bundle: %s: %w", e.Key(), err)
		}
	}
	if err := addStored(zw, BundleMetadataFile, bundleMetadata(sorted)); err != nil {
		return nil, fmt.Errorf("nacos bundle: %s: %w", BundleMetadataFile, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("nacos bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// addStored writes one uncompressed file with its CRC and sizes in the
// local header and no data descriptor.
func addStored(zw *zip.Writer, name string, data []byte) error {
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Store,
		CreatorVersion:     20,
		ReaderVersion:      10,
		ModifiedDate:       bundleDOSDate,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(len(data)),
		UncompressedSize64: uint64(len(data)),
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// bundleMetadata renders .metadata.yml the way the server's export does
// (SnakeYAML dumpAsMap of ConfigMetadata: keys in alphabetical order, null
// fields left out).
func bundleMetadata(entries []Entry) []byte {
	var b strings.Builder
	b.WriteString("metadata:\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "- dataId: %s\n", yamlScalar(e.DataID))
		fmt.Fprintf(&b, "  desc: %s\n", yamlScalar(ManagedDesc(e.MD5)))
		fmt.Fprintf(&b, "  group: %s\n", yamlScalar(e.Group))
		fmt.Fprintf(&b, "  type: %s\n", yamlScalar(e.Type))
	}
	return []byte(b.String())
}

// yamlScalar writes s plain when that is unambiguous and double-quoted
// otherwise. The server's constructor takes each scalar's text as is
// (ScalarNode.getValue), so "true" or "1.0" stay strings either way; only
// YAML syntax (indicators, ": ", " #") needs quoting.
func yamlScalar(s string) string {
	plain := s != ""
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '_' || r == '.' || r == '=' || (r == '-' && i > 0) || (r == ' ' && i > 0 && i < len(s)-1)
		if !ok {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
