package schema

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/govctl/govctl/internal/atomicfile"
)

// A resolution memo remembers, across runs, what checking a merged service
// against #Service gave: the resolved service's JSON, keyed by a hash of
// the merged layers. That check is a pure function of the merged tree and
// the embedded schema, and it is most of a cold load (one CUE unification
// per service and environment), while an edit changes the merged tree of
// only the services it touches. So after an edit the model cache misses,
// the spec is evaluated again, and only the services whose layers changed
// are unified again; the others are decoded from the memo.

// memoFormat changes whenever a memo file's shape or meaning does.
const memoFormat = "govctl-resolution-memo/1"

// memoKey is the hash of one merged service tree.
type memoKey [sha256.Size]byte

// resolutionMemo holds resolved services by the hash of their merged tree.
// It is read-only while services are resolved; new results are collected
// and merged in afterwards.
type resolutionMemo struct {
	entries map[memoKey][]byte
}

// lookup returns the resolved JSON for key.
func (r *resolutionMemo) lookup(key memoKey) ([]byte, bool) {
	if r == nil {
		return nil, false
	}
	js, ok := r.entries[key]
	return js, ok
}

// treeKey hashes a merged tree, types included: 5 and 5.0 are different
// inputs to CUE (int and float) and must not share an entry. ok is false
// for a value of a type it does not know, which is then not memoized.
func treeKey(tree map[string]any) (memoKey, bool) {
	h := sha256.New()
	if !hashValue(h, tree) {
		return memoKey{}, false
	}
	var k memoKey
	h.Sum(k[:0])
	return k, true
}

func hashValue(h hash.Hash, v any) bool {
	var buf [9]byte
	tagged := func(tag byte, n uint64) {
		buf[0] = tag
		binary.LittleEndian.PutUint64(buf[1:], n)
		h.Write(buf[:])
	}
	switch x := v.(type) {
	case nil:
		tagged('z', 0)
	case bool:
		n := uint64(0)
		if x {
			n = 1
		}
		tagged('b', n)
	case string:
		tagged('s', uint64(len(x)))
		h.Write([]byte(x))
	case int:
		tagged('i', uint64(x))
	case int64:
		tagged('i', uint64(x))
	case float64:
		tagged('f', math.Float64bits(x))
	case []any:
		tagged('l', uint64(len(x)))
		for _, e := range x {
			if !hashValue(h, e) {
				return false
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tagged('m', uint64(len(keys)))
		for _, k := range keys {
			tagged('k', uint64(len(k)))
			h.Write([]byte(k))
			if !hashValue(h, x[k]) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// memoPath is where the memo of the spec directory abs lives.
func memoPath(cacheDir, abs string) string {
	d := sha256.Sum256([]byte(abs))
	return filepath.Join(cacheDir, "resolutions", fmt.Sprintf("%x.memo", d[:8]))
}

// memoHeader ties a memo file to the govctl build and the embedded schema
// that produced it; a memo of another build is never read.
func memoHeader(version string) []byte {
	h := sha256.New()
	for _, s := range []string{memoFormat, version, schemaSource} {
		hashField(h, []byte(s))
	}
	return h.Sum(nil)
}

// readMemo reads a memo file; a missing, foreign or corrupt one is an
// empty memo. The file is a header frame and then, per entry, a frame of
// the key followed by the JSON.
func readMemo(path, version string) *resolutionMemo {
	memo := &resolutionMemo{entries: map[memoKey][]byte{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return memo
	}
	fs := frames(data)
	if len(fs) == 0 || string(fs[0]) != string(memoHeader(version)) {
		return memo
	}
	for _, f := range fs[1:] {
		if len(f) <= len(memoKey{}) {
			return &resolutionMemo{entries: map[memoKey][]byte{}}
		}
		var k memoKey
		copy(k[:], f)
		memo.entries[k] = f[len(k):]
	}
	return memo
}

// writeMemo replaces the memo file with entries: those the last load used,
// so the file holds one spec's services and does not grow with its
// history. Failing to write is not an error.
func writeMemo(path, version string, entries map[memoKey][]byte) {
	keys := make([]memoKey, 0, len(entries))
	size := 0
	for k, js := range entries {
		keys = append(keys, k)
		size += 8 + len(k) + len(js)
	}
	sort.Slice(keys, func(i, j int) bool { return string(keys[i][:]) < string(keys[j][:]) })
	data := make([]byte, 0, size+64)
	data = appendFrame(data, memoHeader(version))
	for _, k := range keys {
		js := entries[k]
		data = binary.LittleEndian.AppendUint64(data, uint64(len(k)+len(js)))
		data = append(data, k[:]...)
		data = append(data, js...)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = atomicfile.Write(path, data, 0o644)
}
