package schema

import (
	"context"
	"fmt"
	"testing"

	"github.com/govctl/govctl/internal/testgen"
)

// benchSizes are the platform sizes the benchmarks measure; the largest
// is skipped under -short.
var benchSizes = []int{100, 1000}

// benchPlatform writes a generated platform of n services into a temp dir.
func benchPlatform(b *testing.B, n int) string {
	b.Helper()
	if n > 100 && testing.Short() {
		b.Skipf("%d services: skipped under -short", n)
	}
	dir := b.TempDir()
	if err := testgen.Write(dir, testgen.Options{Services: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad measures schema.Load of a generated platform (evaluate,
// validate, decode, resolve every environment), without and with a warm
// model cache.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			dir := benchPlatform(b, n)
			for b.Loop() {
				if _, err := Load(ctx, dir); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("services=%d/cached", n), func(b *testing.B) {
			dir := benchPlatform(b, n)
			opts := CacheOptions{Dir: b.TempDir(), Version: "bench"}
			if _, err := LoadCached(ctx, dir, opts); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				m, err := LoadCached(ctx, dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				if !m.fromCache() {
					b.Fatal("missed the cache")
				}
			}
		})
	}
}

// BenchmarkResolve measures resolving every service in every environment
// of a loaded platform: merging layers and checking each against #Service,
// the part of Load that grows with services × environments.
func BenchmarkResolve(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			m, err := Load(ctx, benchPlatform(b, n))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				for _, env := range m.EnvironmentNames() {
					if _, errs := m.resolve(env); len(errs) > 0 {
						b.Fatal(errs[0])
					}
				}
			}
		})
	}
}
