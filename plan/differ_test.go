package plan

import (
	"fmt"
	"strings"
	"testing"
)

func yamlTree(t *testing.T, src string) any {
	t.Helper()
	docs, err := parseYAMLDocuments([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	return docs[0]
}

// lines writes diffs as "op path before after", one per line.
func lines(diffs []FieldDiff) string {
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "%s\n", fieldLine(d))
	}
	return b.String()
}

func TestDiffTrees(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{
			name:   "RouteWeightsAreComparedByPosition",
			before: "spec: {http: [{route: [{destination: {subset: canary}, weight: 10}, {destination: {subset: stable}, weight: 90}]}]}",
			after:  "spec: {http: [{route: [{destination: {subset: canary}, weight: 30}, {destination: {subset: stable}, weight: 70}]}]}",
			want: "~ spec.http[0].route[0].weight: 10 → 30\n" +
				"~ spec.http[0].route[1].weight: 90 → 70\n",
		},
		{
			name:   "ReorderedRoutesAreAChange",
			before: "spec: {http: [{name: a}, {name: b}]}",
			after:  "spec: {http: [{name: b}, {name: a}]}",
			want:   "~ spec.http (order): \"a, b\" → \"b, a\"\n",
		},
		{
			name:   "RemovedRouteIsOneRemovalMatchedByName",
			before: "spec: {http: [{name: a, timeout: 1s}, {name: b, timeout: 2s}, {name: c, timeout: 3s}]}",
			after:  "spec: {http: [{name: a, timeout: 1s}, {name: c, timeout: 4s}]}",
			want: "- spec.http[name=b]: {\"name\":\"b\",\"timeout\":\"2s\"}\n" +
				"~ spec.http[name=c].timeout: \"3s\" → \"4s\"\n",
		},
		{
			name:   "ReorderedSubsetsAreNoChange",
			before: "spec: {subsets: [{name: stable}, {name: canary}]}",
			after:  "spec: {subsets: [{name: canary}, {name: stable}]}",
			want:   "",
		},
		{
			name:   "ReorderedMiddlewareIsAChange",
			before: "middleware: [recovery, tracing, auth]",
			after:  "middleware: [tracing, recovery, auth]",
			want: "~ middleware[0]: \"recovery\" → \"tracing\"\n" +
				"~ middleware[1]: \"tracing\" → \"recovery\"\n",
		},
		{
			name:   "ReorderedHostsAreNoChange",
			before: "spec: {hosts: [a.example, b.example]}",
			after:  "spec: {hosts: [b.example, a.example]}",
			want:   "",
		},
		{
			name:   "SetElementsAreAddedAndRemovedWithoutPosition",
			before: "spec: {rules: [{from: [{source: {principals: [sa/a, sa/b]}}]}]}",
			after:  "spec: {rules: [{from: [{source: {principals: [sa/c, sa/a]}}]}]}",
			want: "- spec.rules[0].from[0].source.principals[]: \"sa/b\"\n" +
				"+ spec.rules[0].from[0].source.principals[]: \"sa/c\"\n",
		},
		{
			name:   "ReorderedReviewersAreNoChange",
			before: "reviewers: [alice, bob, acme/sre]",
			after:  "reviewers: [acme/sre, alice, bob]",
			want:   "",
		},
		{
			name:   "ListGrowsAndShrinksAtTheEnd",
			before: "canary: {steps: [10, 30, 100]}",
			after:  "canary: {steps: [20, 100]}",
			want: "~ canary.steps[0]: 10 → 20\n" +
				"~ canary.steps[1]: 30 → 100\n" +
				"- canary.steps[2]: 100\n",
		},
		{
			name:   "FieldsAddedAndRemoved",
			before: "a: 1\nb: {c: true}",
			after:  "a: 1\nd: x",
			want: "- b: {\"c\":true}\n" +
				"+ d: \"x\"\n",
		},
		{
			name:   "KeysThatAreNotIdentifiersAreQuoted",
			before: `metadata: {labels: {"app.kubernetes.io/name": orders}}`,
			after:  `metadata: {labels: {"app.kubernetes.io/name": orders-v2}}`,
			want:   "~ metadata.labels[\"app.kubernetes.io/name\"]: \"orders\" → \"orders-v2\"\n",
		},
		{
			name:   "NumbersCompareByValueNotSpelling",
			before: "a: 0x1F\nb: 1.0e-07\nc: 5.0",
			after:  "a: 31\nb: 1e-7\nc: 5",
			want:   "",
		},
		{
			name:   "NullIsAValueAbsenceIsNot",
			before: "a: null",
			after:  "{}",
			want:   "- a: null\n",
		},
		{
			name:   "TypeChangeIsAChange",
			before: "a: [1]",
			after:  "a: {x: 1}",
			want:   "~ a: [1] → {\"x\":1}\n",
		},
		{
			name:   "EmbeddedYAMLIsDiffedFieldByField",
			before: "data: {config.yaml: \"rate_limit:\\n  burst: 400\\n  rps: 2000\\nservice:\\n  name: gateway\\n\"}",
			after:  "data: {config.yaml: \"rate_limit:\\n  burst: 400\\n  rps: 600\\nservice:\\n  name: gateway\\n\"}",
			want:   "~ data[\"config.yaml\"] › rate_limit.rps: 2000 → 600\n",
		},
		{
			name:   "EmbeddedJSONIsDiffedFieldByField",
			before: `content: '{"a": {"b": 1}, "c": "x"}'`,
			after:  `content: '{"a": {"b": 2}, "c": "x"}'`,
			want:   "~ content › a.b: 1 → 2\n",
		},
		{
			name:   "EmbeddedDocumentAddedShowsItsFields",
			before: "data: {}",
			after:  "data: {app.yaml: \"a: 1\\nb: {c: 2}\\n\"}",
			want: "+ data[\"app.yaml\"] › a: 1\n" +
				"+ data[\"app.yaml\"] › b: {\"c\":2}\n",
		},
		{
			name:   "MultiLineTextIsDiffedLineByLine",
			before: "motd: \"one\\ntwo\\nthree\\n\"",
			after:  "motd: \"one\\n2\\nthree\\n\"",
			want: "- motd › line 2: \"two\"\n" +
				"+ motd › line 2: \"2\"\n",
		},
		{
			name:   "OneLineKeyValueStringIsNotADocument",
			before: `a: "x: 1"`,
			after:  `a: "x: 2"`,
			want:   "~ a: \"x: 1\" → \"x: 2\"\n",
		},
		{
			name:   "StringAndNumberDiffer",
			before: `a: "8000"`,
			after:  "a: 8000",
			want:   "~ a: \"8000\" → 8000\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(diffTrees(yamlTree(t, tt.before), yamlTree(t, tt.after)))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDiffTreesIsDeterministic(t *testing.T) {
	before := yamlTree(t, "l: [a, b, a, c, a]\nhosts: [x, y, z]\nm: {k1: 1, k2: 2, k3: 3}")
	after := yamlTree(t, "l: [a, a, c, b]\nhosts: [q, x]\nm: {k3: 4, k1: 1, k4: 2}")
	first := lines(diffTrees(before, after))
	for range 50 {
		if got := lines(diffTrees(before, after)); got != first {
			t.Fatalf("diff changed between runs:\n%s\nvs\n%s", first, got)
		}
	}
}

func TestRawContentThatIsNotStructuredIsDiffedLineByLine(t *testing.T) {
	got := lines(diffTrees(rawTree([]byte("a.b=1\nc=2\n")), rawTree([]byte("a.b=1\nc=3\n"))))
	if want := "- line 2: \"c=2\"\n+ line 2: \"c=3\"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBinaryContentIsComparedByDigest(t *testing.T) {
	a, b := rawTree([]byte("PK\x03\x04\x00one")), rawTree([]byte("PK\x03\x04\x00two"))
	if a == b {
		t.Fatal("different binary contents read as equal")
	}
	if s, _ := a.(string); !strings.HasPrefix(s, "(binary, 8 bytes, sha256 ") {
		t.Errorf("got %q, want a size and digest", s)
	}
}
