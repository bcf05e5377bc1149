// Command benchparams prints the data document govctl's built-in rules
// read their parameters from ({"govctl": {"params": {<rule id>: {...}}}}),
// as the spec in -dir configures them, so that scripts/bench.sh can run
// the same rules under conftest / opa with the same parameters.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/schema"
)

func main() {
	dir := flag.String("dir", ".", "spec directory")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "benchparams:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ctx := context.Background()
	m, err := schema.Load(ctx, dir)
	if err != nil {
		return err
	}
	settings, err := lint.Rules(ctx, m, lint.Options{})
	if err != nil {
		return err
	}
	params := map[string]any{}
	for _, s := range settings {
		doc := map[string]any{}
		for _, p := range s.Params {
			doc[p.Name] = p.Value
		}
		params[s.Rule.ID] = doc
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(map[string]any{"govctl": map[string]any{"params": params}})
}
