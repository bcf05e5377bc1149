package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
	"istio.io/istio/pkg/log"
)

// proxyImage is the sidecar image the synthesized pods carry. Istio's
// injection analyzers only look for a container named istio-proxy; the
// image is compared with an injector ConfigMap only when one is given.
const proxyImage = "docker.io/istio/proxyv2:1.27.0"

// runAnalyze is the -analyze mode: every analyzer of `istioctl analyze -A`
// (analyzers.AllCombined) over the objects in paths, as a cluster would
// hold them. Istio's own ingress gateway Service and Pod are added as
// istioctl does for a files-only analysis (AddDefaultResources), and each
// Deployment gets one Pod as its ReplicaSet would create it: the pod
// template's labels, annotations and spec, plus the istio-proxy container
// that the sidecar injector adds in a namespace labelled
// istio-injection=enabled (unless the pod opts out).
//
// Output, one line per message, sorted as istioctl sorts them:
//
//	Error [IST0101] (VirtualService shop-prod/orders) Referenced host not found: "x"
//
// then "N errors, M warnings, K infos". The exit status is 1 when there is
// an error message or a file cannot be read, 0 otherwise.
func runAnalyze(opts options, paths []string, meshConfig string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The analyzers log their progress; the messages are the output.
	for _, scope := range log.Scopes() {
		scope.SetOutputLevel(log.NoneLevel)
	}
	var docs []map[string]any
	failed := false
	read := func(name string, in io.Reader) {
		d, err := readDocuments(in)
		if err != nil {
			fmt.Fprintf(stdout, "%s: error: %v\n", name, err)
			failed = true
		}
		docs = append(docs, d...)
	}
	for _, path := range paths {
		if path == "-" {
			read("-", stdin)
			continue
		}
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || (p != path && !slices.Contains(walkedExtensions, filepath.Ext(p))) {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			read(p, f)
			return nil
		})
		if err != nil {
			fmt.Fprintf(stdout, "%s: error: %v\n", path, err)
			failed = true
		}
	}

	var buf bytes.Buffer
	for _, doc := range append(docs, podsOf(docs)...) {
		data, err := yaml.Marshal(doc)
		if err != nil {
			fmt.Fprintf(stdout, "error: cannot encode a document: %v\n", err)
			return 1
		}
		buf.WriteString("---\n")
		buf.Write(data)
	}

	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), "", resource.Namespace(opts.istioNamespace), nil)
	if meshConfig != "" {
		if err := sa.AddFileKubeMeshConfig(meshConfig); err != nil {
			fmt.Fprintf(stdout, "%s: error: cannot read mesh config: %v\n", meshConfig, err)
			return 1
		}
	}
	// The test source keeps runtime kinds (Pods, Namespaces) that the
	// plain reader source drops; it must come first, since the default
	// resources reuse the source it creates.
	if err := sa.AddTestReaderKubeSource([]local.ReaderSource{{Name: "rendered", Reader: &buf}}); err != nil {
		fmt.Fprintf(stdout, "error: cannot load the objects: %v\n", oneLine(err.Error()))
		failed = true
	}
	if err := sa.AddDefaultResources(); err != nil {
		fmt.Fprintf(stdout, "error: cannot add Istio's default resources: %v\n", err)
		return 1
	}
	cancel := make(chan struct{})
	defer close(cancel)
	result, err := sa.Analyze(cancel)
	if err != nil {
		fmt.Fprintf(stdout, "error: analysis failed: %v\n", err)
		return 1
	}
	counts := map[string]int{}
	for _, m := range result.Messages {
		level := m.Type.Level()
		counts[level.String()]++
		if level == diag.Error {
			failed = true
		}
		fmt.Fprintln(stdout, oneLine(messageLine(m)))
	}
	fmt.Fprintf(stdout, "%d errors, %d warnings, %d infos\n", counts[diag.Error.String()], counts[diag.Warning.String()], counts[diag.Info.String()])
	if failed {
		return 1
	}
	return 0
}

// messageLine is istioctl's log format without the origin's file name,
// which is the same synthetic name for every object here.
func messageLine(m diag.Message) string {
	res := ""
	if m.Resource != nil {
		res = " (" + m.Resource.Metadata.Schema.Kind() + " " + m.Resource.Metadata.FullName.String() + ")"
	}
	return fmt.Sprintf("%s [%s]%s %s", m.Type.Level(), m.Type.Code(), res, fmt.Sprintf(m.Type.Template(), m.Parameters...))
}

// readDocuments decodes every non-empty YAML document of a stream,
// flattening Lists.
func readDocuments(in io.Reader) ([]map[string]any, error) {
	reader := kubeyaml.NewYAMLReader(bufio.NewReader(in))
	var out []map[string]any
	for {
		data, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("cannot read YAML document: %w", err)
		}
		if isBlank(data) {
			continue
		}
		doc := map[string]any{}
		if err := yaml.UnmarshalStrict(data, &doc); err != nil {
			return out, fmt.Errorf("cannot decode YAML: %w", err)
		}
		un := &unstructured.Unstructured{Object: doc}
		if un.GetAPIVersion() == "" || un.GetKind() == "" {
			continue
		}
		if un.IsList() {
			list, err := un.ToList()
			if err != nil {
				return out, fmt.Errorf("cannot read List items: %w", err)
			}
			for _, item := range list.Items {
				out = append(out, item.Object)
			}
			continue
		}
		out = append(out, doc)
	}
}

// podsOf returns one Pod per Deployment in docs, as the cluster would run
// it (see runAnalyze).
func podsOf(docs []map[string]any) []map[string]any {
	injected := map[string]bool{}
	for _, doc := range docs {
		un := unstructured.Unstructured{Object: doc}
		if un.GetAPIVersion() == "v1" && un.GetKind() == "Namespace" && un.GetLabels()["istio-injection"] == "enabled" {
			injected[un.GetName()] = true
		}
	}
	var pods []map[string]any
	for _, doc := range docs {
		un := unstructured.Unstructured{Object: doc}
		if un.GetAPIVersion() != "apps/v1" || un.GetKind() != "Deployment" {
			continue
		}
		ns := un.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		tmpl, _, _ := unstructured.NestedMap(doc, "spec", "template")
		meta, _ := tmpl["metadata"].(map[string]any)
		spec, _ := tmpl["spec"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
		}
		if spec == nil {
			spec = map[string]any{}
		}
		meta["name"] = un.GetName() + "-0"
		meta["namespace"] = ns
		labels, _ := meta["labels"].(map[string]any)
		annotations, _ := meta["annotations"].(map[string]any)
		optOut := strings.EqualFold(fmt.Sprint(labels["sidecar.istio.io/inject"]), "false") ||
			strings.EqualFold(fmt.Sprint(annotations["sidecar.istio.io/inject"]), "false")
		if injected[ns] && !optOut {
			containers, _ := spec["containers"].([]any)
			spec["containers"] = append(containers, map[string]any{"name": "istio-proxy", "image": proxyImage})
		}
		pods = append(pods, map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
	}
	return pods
}
