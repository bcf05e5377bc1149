package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ManifestName is the name of the ownership manifest at the top of an output
// directory. No object may be written under this path.
const ManifestName = ".govctl-manifest.json"

// ManifestVersion is the manifest format this package reads and writes.
const ManifestVersion = 1

// Manifest lists the files govctl wrote into an output directory. Only files
// listed here are ever replaced without asking or pruned.
type Manifest struct {
	// Version is the format version, ManifestVersion.
	Version int `json:"version"`
	// Files are the owned files, sorted by Path.
	Files []ManifestFile `json:"files"`
}

// ManifestFile is one owned file.
type ManifestFile struct {
	// Path is slash-separated and relative to the output directory.
	Path string `json:"path"`
	// Target and Env are the scope that owns the file; a scoped write only
	// prunes files of its own scope.
	Target Target `json:"target"`
	Env    string `json:"env,omitempty"`
	// SHA256 is the hex digest of the bytes govctl wrote.
	SHA256 string `json:"sha256"`
}

// ManifestError reports a manifest that cannot be trusted. Nothing is
// written or pruned while the manifest is unreadable: guessing ownership
// could delete files govctl does not own.
type ManifestError struct {
	// Path is the manifest's file path.
	Path string
	// Err says what is wrong.
	Err error
}

// Error says which manifest is corrupt and why.
func (e *ManifestError) Error() string {
	return fmt.Sprintf("ownership manifest %s is corrupt: %v (fix or remove it; govctl will not prune without it)", e.Path, e.Err)
}

// Unwrap returns the underlying cause.
func (e *ManifestError) Unwrap() error { return e.Err }

// ReadManifest reads the manifest of an output directory. It returns an error
// wrapping fs.ErrNotExist when there is none, and a *ManifestError when the
// file is not a valid manifest.
func ReadManifest(outDir string) (*Manifest, error) {
	m, _, err := readManifest(filepath.Join(outDir, ManifestName))
	return m, err
}

// readManifest also returns the manifest's bytes, so a writer can tell
// whether it changes.
func readManifest(path string) (*Manifest, []byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read ownership manifest: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, &ManifestError{Path: path, Err: fmt.Errorf("not a regular file (mode %s)", info.Mode().Type())}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read ownership manifest: %w", err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, nil, &ManifestError{Path: path, Err: err}
	}
	return m, data, nil
}

func parseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the manifest object")
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("format version %d, want %d (written by another govctl version?)", m.Version, ManifestVersion)
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		if err := validatePath(f.Path); err != nil {
			return nil, fmt.Errorf("files[%d]: %w", i, err)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("files[%d]: %s is listed twice", i, f.Path)
		}
		seen[f.Path] = true
		if f.Target == "" {
			return nil, fmt.Errorf("files[%d] (%s): no target", i, f.Path)
		}
		if sum, err := hex.DecodeString(f.SHA256); err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("files[%d] (%s): sha256 %q is not a hex SHA-256 digest", i, f.Path, f.SHA256)
		}
	}
	return &m, nil
}

// marshal encodes the manifest as stable JSON: files sorted by path, fixed
// field order, 2-space indent, trailing newline.
func (m *Manifest) marshal() ([]byte, error) {
	out := Manifest{Version: m.Version, Files: append([]ManifestFile{}, m.Files...)}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
