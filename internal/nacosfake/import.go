package nacosfake

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// The metadata file names of ConfigController's import
// (Constants.CONFIG_EXPORT_METADATA and CONFIG_EXPORT_METADATA_NEW).
const (
	MetadataV1 = ".meta.yml"
	MetadataV2 = ".metadata.yml"
)

// ImportedConfig is one config an import would publish.
type ImportedConfig struct {
	Group, DataID string
	// Type, Desc and AppName come from the metadata; a v1 bundle has only
	// AppName.
	Type, Desc, AppName string
	Content             string
}

// ParsedImport is what the server makes of an import zip before
// publishing anything.
type ParsedImport struct {
	// Metadata is the metadata file that decided the format: MetadataV2,
	// MetadataV1, or "" (v1 without metadata).
	Metadata string
	// Configs are in the order the server publishes them: metadata order
	// for v2, zip order for v1.
	Configs []ImportedConfig
	// Unrecognized lists the items the server reports as unrecognizedData.
	Unrecognized []string
}

// ImportError is a zip the server refuses as a whole, with the
// ResultCodeEnum code it answers.
type ImportError struct {
	Code   int
	Reason string
}

// Error implements error.
func (e *ImportError) Error() string {
	return fmt.Sprintf("import refused (code %d): %s", e.Code, e.Reason)
}

// ResultCodeEnum values of the import endpoint.
const (
	codeMetadataIllegal = 100002
	codeParsingFailed   = 100004
	codeDataEmpty       = 100005
)

// ParseImport parses an import zip exactly as Nacos 2.x does:
// ZipUtils.unzip (a java.util.zip.ZipInputStream reading local headers in
// order, skipping directories, the first metadata file winning) and then
// ConfigController.parseImportDataV2 or parseImportData depending on the
// metadata file's name.
func ParseImport(zipData []byte) (ParsedImport, error) {
	items, err := unzipStream(zipData)
	if err != nil {
		// ZipUtils logs the IOException and returns what it read so far;
		// the caller then finds no data or illegal metadata. Report the
		// cause instead, which is what a test wants to see.
		return ParsedImport{}, &ImportError{Code: codeParsingFailed, Reason: err.Error()}
	}
	var meta *zipItem
	var rest []zipItem
	for i := range items {
		it := items[i]
		if meta == nil && (it.name == MetadataV1 || it.name == MetadataV2) {
			meta = &it
			continue
		}
		rest = append(rest, it)
	}
	if meta != nil && meta.name == MetadataV2 {
		return parseV2(meta.data, rest)
	}
	return parseV1(meta, rest)
}

type zipItem struct{ name, data string }

// parseV2 follows parseImportDataV2 and YamlParserUtil's
// ConstructYamlConfigMetadata: the first key of the root map (whatever its
// name) holds a sequence of maps of scalars.
func parseV2(metadata string, items []zipItem) (ParsedImport, error) {
	res := ParsedImport{Metadata: MetadataV2}
	illegal := func(why string) (ParsedImport, error) {
		return ParsedImport{}, &ImportError{Code: codeMetadataIllegal, Reason: "metadata illegal: " + why}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(metadata), &doc); err != nil {
		return illegal(err.Error())
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode || len(doc.Content[0].Content) < 2 {
		return illegal("not a map with a metadata list")
	}
	seq := doc.Content[0].Content[1]
	if seq.Kind != yaml.SequenceNode {
		// SnakeYAML: ClassCastException to SequenceNode.
		return illegal("the first key does not hold a list")
	}
	if len(seq.Content) == 0 {
		return illegal("empty metadata list")
	}
	type meta struct{ dataID, group, typ, desc, appName string }
	var metas []meta
	for _, n := range seq.Content {
		if n.Kind != yaml.MappingNode {
			return illegal("a metadata item is not a map")
		}
		m := map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
				// SnakeYAML: ClassCastException to ScalarNode.
				return illegal("a metadata field is not a scalar")
			}
			m[k.Value] = v.Value
		}
		md := meta{dataID: m["dataId"], group: m["group"], typ: m["type"], desc: m["desc"], appName: m["appName"]}
		if isBlank(md.dataID) || isBlank(md.group) || isBlank(md.typ) {
			return illegal("an item lacks dataId, group or type")
		}
		metas = append(metas, md)
	}
	keys := map[string]bool{}
	for _, md := range metas {
		keys[groupKey(md.dataID, md.group)] = true
	}
	contents := map[string]string{}
	for _, it := range items {
		group, dataID, ok := splitItemName(it.name)
		if !ok {
			res.Unrecognized = append(res.Unrecognized, it.name)
			continue
		}
		k := groupKey(dataID, group)
		if !keys[k] {
			res.Unrecognized = append(res.Unrecognized, "未在元数据中找到: "+it.name)
			continue
		}
		contents[k] = it.data
	}
	for _, md := range metas {
		content, ok := contents[groupKey(md.dataID, md.group)]
		if !ok {
			res.Unrecognized = append(res.Unrecognized, "未在文件中找到: "+md.group+"/"+md.dataID)
			continue
		}
		res.Configs = append(res.Configs, ImportedConfig{
			Group: md.group, DataID: md.dataID, Type: md.typ, Desc: md.desc, AppName: md.appName, Content: content,
		})
	}
	return res, nil
}

// parseV1 follows parseImportData: metadata lines
// "<group>.<dataId with its last '.' as '~'>.app=<appName>".
func parseV1(meta *zipItem, items []zipItem) (ParsedImport, error) {
	res := ParsedImport{}
	apps := map[string]string{}
	if meta != nil {
		res.Metadata = meta.name
		normalized := lineBreaks.ReplaceAllString(meta.data, "|")
		for _, line := range javaSplit(normalized, "|") {
			kv := javaSplit(line, "=")
			if len(kv) != 2 {
				return ParsedImport{}, &ImportError{Code: codeMetadataIllegal, Reason: fmt.Sprintf("metadata illegal: %q", line)}
			}
			apps[kv[0]] = kv[1]
		}
	}
	for _, it := range items {
		group, dataID, ok := splitItemName(it.name)
		if !ok {
			res.Unrecognized = append(res.Unrecognized, it.name)
			continue
		}
		tmp := dataID
		if i := strings.LastIndex(tmp, "."); i >= 0 {
			tmp = tmp[:i] + "~" + tmp[i+1:]
		}
		res.Configs = append(res.Configs, ImportedConfig{Group: group, DataID: dataID, AppName: apps[group+"."+tmp+".app"], Content: it.data})
	}
	return res, nil
}

var lineBreaks = regexp.MustCompile(`[\r\n]+`)

// javaSplit is Java's String.split with a literal separator: trailing empty
// strings are removed (but a string without the separator is returned as
// is, even when empty).
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	if len(parts) == 1 {
		return parts
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// splitItemName is itemName.split("/") with length 2 required.
func splitItemName(name string) (group, dataID string, ok bool) {
	parts := javaSplit(name, "/")
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// groupKey is GroupKey.getKey(dataId, group).
func groupKey(dataID, group string) string { return dataID + "+" + group }

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// unzipStream reads entries the way java.util.zip.ZipInputStream does: by
// local headers, in order, trusting the sizes there for stored entries and
// refusing a stored entry with a data descriptor ("only DEFLATED entries
// can have EXT descriptor"), checking each CRC.
func unzipStream(data []byte) ([]zipItem, error) {
	const (
		localSig      = 0x04034b50
		descriptorSig = 0x08074b50
	)
	r := bytes.NewReader(data)
	var items []zipItem
	for {
		var hdr [30]byte
		if _, err := io.ReadFull(r, hdr[:4]); err != nil {
			return items, nil // end of stream
		}
		if binary.LittleEndian.Uint32(hdr[:4]) != localSig {
			return items, nil // central directory: ZipInputStream stops here
		}
		if _, err := io.ReadFull(r, hdr[4:]); err != nil {
			return nil, fmt.Errorf("truncated local header: %w", err)
		}
		flags := binary.LittleEndian.Uint16(hdr[6:])
		method := binary.LittleEndian.Uint16(hdr[8:])
		crc := binary.LittleEndian.Uint32(hdr[14:])
		csize := binary.LittleEndian.Uint32(hdr[18:])
		nameLen := binary.LittleEndian.Uint16(hdr[26:])
		extraLen := binary.LittleEndian.Uint16(hdr[28:])
		name := make([]byte, nameLen)
		if _, err := io.ReadFull(r, name); err != nil {
			return nil, fmt.Errorf("truncated entry name: %w", err)
		}
		if _, err := r.Seek(int64(extraLen), io.SeekCurrent); err != nil {
			return nil, err
		}
		var content []byte
		switch method {
		case 0: // STORED
			if flags&0x8 != 0 {
				return nil, fmt.Errorf("%s: only DEFLATED entries can have EXT descriptor", name)
			}
			content = make([]byte, csize)
			if _, err := io.ReadFull(r, content); err != nil {
				return nil, fmt.Errorf("%s: truncated content: %w", name, err)
			}
		case 8: // DEFLATED; bytes.Reader is an io.ByteReader, so flate stops exactly at the stream's end
			fr := flate.NewReader(r)
			b, err := io.ReadAll(fr)
			if err != nil {
				return nil, fmt.Errorf("%s: inflate: %w", name, err)
			}
			content = b
			if flags&0x8 != 0 {
				var d [4]byte
				if _, err := io.ReadFull(r, d[:]); err != nil {
					return nil, fmt.Errorf("%s: truncated data descriptor", name)
				}
				if binary.LittleEndian.Uint32(d[:]) == descriptorSig {
					if _, err := io.ReadFull(r, d[:]); err != nil {
						return nil, fmt.Errorf("%s: truncated data descriptor", name)
					}
				}
				crc = binary.LittleEndian.Uint32(d[:])
				if _, err := r.Seek(8, io.SeekCurrent); err != nil { // sizes (zip64 not handled)
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("%s: invalid compression method %d", name, method)
		}
		if crc32.ChecksumIEEE(content) != crc {
			return nil, fmt.Errorf("%s: invalid entry CRC", name)
		}
		if strings.HasSuffix(string(name), "/") {
			continue // isDirectory
		}
		items = append(items, zipItem{name: string(name), data: string(content)})
	}
}
