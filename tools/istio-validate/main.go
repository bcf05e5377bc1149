// Command istio-validate checks Kubernetes YAML with Istio's own validation
// code, the code that `istioctl validate` runs, and reports one line per
// problem.
//
// It lives in its own module so that istio.io/istio, which is large, stays out
// of govctl's dependency graph; govctl's tests build and run it through
// internal/istiovalidate.
//
// Usage:
//
//	istio-validate [-v] [-namespace NS] [-istio-namespace NS] PATH...
//	istio-validate -analyze [-meshconfig FILE] [-istio-namespace NS] PATH...
//
// With -analyze it runs Istio's analyzers instead (see runAnalyze).
//
// Each PATH is a file, a directory (walked recursively for *.yaml and *.yml)
// or "-" for standard input. Every YAML document is checked as
// istioctl/pkg/validate does it:
//
//  1. the document is decoded strictly (a duplicate key is an error);
//  2. its schema is found by apiVersion and kind among the Istio kinds that
//     istiod serves (collections.Pilot), older versions such as
//     networking.istio.io/v1alpha3 included;
//  3. spec is unmarshalled strictly into the istio.io/api proto, so an unknown
//     field, a malformed duration or an unknown enum value is an error;
//  4. top-level fields other than apiVersion, kind, metadata, spec and status
//     are errors;
//  5. the validation function Istio registers for the kind runs with the
//     object's namespace ("default" when it has none, as istioctl does).
//
// Kubernetes Services and Deployments get istioctl's port-naming and
// canonical-label checks. Where this tool is stricter than istioctl, it says
// so: a document with an Istio apiVersion but a kind Istio does not know is an
// error (istioctl passes it silently), the items of a List are checked one by
// one (istioctl checks only Services and Deployments inside a List), and a
// document that is not an object Istio validates is reported as skipped
// rather than passed.
//
// Output, one line per finding:
//
//	<file>:<doc> <kind>/<namespace>/<name>: <severity>: <message>
//
// where doc counts the documents of a file from 1 (0 for a problem with the
// whole file), namespace is the one the document states (empty when it
// states none), and severity is "error", "warning" or "skipped"; with -v
// every object without a finding also gets a line whose severity is "ok".
// Items of a List share their List's document number. The last line is
// "N objects valid, M invalid", followed by ", K skipped" when documents were
// skipped. An object with only warnings counts as valid. The exit status is 1
// if there was any error, 2 for a usage mistake and 0 otherwise.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/protocol"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/resource"
	"istio.io/istio/pkg/kube/labels"
	"istio.io/istio/pkg/url"
)

// Severities printed after the object's identity.
const (
	severityOK      = "ok"
	severityError   = "error"
	severityWarning = "warning"
	severitySkipped = "skipped"
)

// validTopLevelFields are the only top-level fields istioctl accepts on an
// Istio object (istioctl/pkg/validate: validFields).
var validTopLevelFields = map[string]bool{
	"apiVersion": true,
	"kind":       true,
	"metadata":   true,
	"spec":       true,
	"status":     true,
}

// walkedExtensions are the file name endings read when a directory is
// walked. istioctl also reads *.json; govctl's output directories hold JSON
// files (the manifest) that are not Kubernetes objects, so JSON is read only
// when named explicitly.
var walkedExtensions = []string{".yaml", ".yml"}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the command-line settings.
type options struct {
	verbose          bool
	defaultNamespace string
	istioNamespace   string
}

// finding is one problem (or the absence of one) found in one object.
type finding struct {
	severity string
	message  string
}

// report collects findings and counts, and prints them as they come.
type report struct {
	out                     io.Writer
	verbose                 bool
	valid, invalid, skipped int
	failed                  bool
}

// object reports the findings for one object or document.
func (r *report) object(file string, doc int, kind, namespace, name string, findings []finding) {
	prefix := fmt.Sprintf("%s:%d %s/%s/%s:", file, doc, kind, namespace, name)
	hasError, isSkipped := false, false
	for _, f := range findings {
		switch f.severity {
		case severityError:
			hasError = true
		case severitySkipped:
			isSkipped = true
		}
		fmt.Fprintf(r.out, "%s %s: %s\n", prefix, f.severity, oneLine(f.message))
	}
	switch {
	case hasError:
		r.invalid++
		r.failed = true
	case isSkipped:
		r.skipped++
	default:
		r.valid++
		if len(findings) == 0 && r.verbose {
			fmt.Fprintf(r.out, "%s %s\n", prefix, severityOK)
		}
	}
}

// fileError reports a problem with a whole file (doc 0), such as a file that
// cannot be read.
func (r *report) fileError(file string, err error) {
	fmt.Fprintf(r.out, "%s:0 //: %s: %s\n", file, severityError, oneLine(err.Error()))
	r.failed = true
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("istio-validate", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var opts options
	var analyze bool
	var meshConfig string
	fset.BoolVar(&analyze, "analyze", false, "run Istio's analyzers (istioctl analyze -A) over all PATHs together instead of validating each object")
	fset.StringVar(&meshConfig, "meshconfig", "", "with -analyze: a MeshConfig file (istioctl analyze --meshConfigFile)")
	fset.BoolVar(&opts.verbose, "v", false, "also print an \"ok\" line for every object without findings")
	fset.StringVar(&opts.defaultNamespace, "namespace", "default",
		"namespace assumed for objects that state none (istioctl's --namespace)")
	fset.StringVar(&opts.istioNamespace, "istio-namespace", "istio-system",
		"Istio's own namespace, whose Services and Deployments are not checked (istioctl's --istioNamespace)")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "usage: istio-validate [flags] PATH...\n\n"+
			"Validates Istio objects in YAML files, directories (*.yaml, *.yml) or - (stdin)\n"+
			"with the validation code of istioctl validate.\n\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return 2
	}
	if analyze {
		return runAnalyze(opts, fset.Args(), meshConfig, stdin, stdout, stderr)
	}

	r := &report{out: stdout, verbose: opts.verbose}
	for _, path := range fset.Args() {
		if path == "-" {
			validateStream(r, opts, "-", stdin)
			continue
		}
		info, err := os.Stat(path)
		if err != nil {
			r.fileError(path, fmt.Errorf("cannot stat: %w", err))
			continue
		}
		if !info.IsDir() {
			validatePath(r, opts, path)
			continue
		}
		// WalkDir visits entries in lexical order, so the output is stable.
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				r.fileError(p, fmt.Errorf("cannot walk: %w", err))
				return nil
			}
			if !d.IsDir() && slices.Contains(walkedExtensions, filepath.Ext(p)) {
				validatePath(r, opts, p)
			}
			return nil
		})
		if err != nil {
			r.fileError(path, fmt.Errorf("cannot walk: %w", err))
		}
	}

	summary := fmt.Sprintf("%d objects valid, %d invalid", r.valid, r.invalid)
	if r.skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", r.skipped)
	}
	fmt.Fprintln(stdout, summary)
	if r.failed {
		return 1
	}
	return 0
}

// validatePath validates every document of one file.
func validatePath(r *report, opts options, path string) {
	f, err := os.Open(path)
	if err != nil {
		r.fileError(path, fmt.Errorf("cannot read: %w", err))
		return
	}
	defer f.Close()
	validateStream(r, opts, path, f)
}

// validateStream splits a multi-document YAML stream as istioctl does and
// validates each document.
func validateStream(r *report, opts options, file string, in io.Reader) {
	reader := kubeyaml.NewYAMLReader(bufio.NewReader(in))
	for doc := 1; ; doc++ {
		data, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			r.object(file, doc, "", "", "", []finding{{severityError, fmt.Sprintf("cannot read YAML document: %v", err)}})
			// The reader cannot resynchronise after a broken document.
			return
		}
		if isBlank(data) {
			doc--
			continue
		}
		out := map[string]any{}
		if err := yaml.UnmarshalStrict(data, &out); err != nil {
			r.object(file, doc, "", "", "", []finding{{severityError, fmt.Sprintf("cannot decode YAML: %v", err)}})
			continue
		}
		validateObject(r, opts, file, doc, &unstructured.Unstructured{Object: out})
	}
}

// isBlank reports whether a document holds nothing but comments and blank
// lines: a leading "---" or a trailing comment is not a document.
func isBlank(data []byte) bool {
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") && line != "---" {
			return false
		}
	}
	return true
}

// validateObject validates one decoded document; the items of a List are
// validated one by one.
func validateObject(r *report, opts options, file string, doc int, un *unstructured.Unstructured) {
	kind, namespace, name := un.GetKind(), un.GetNamespace(), un.GetName()
	if un.GetAPIVersion() == "" || kind == "" {
		r.object(file, doc, kind, namespace, name, []finding{{severitySkipped, "not a Kubernetes object: apiVersion or kind is missing"}})
		return
	}
	if un.IsList() {
		list, err := un.ToList()
		if err != nil {
			r.object(file, doc, kind, namespace, name, []finding{{severityError, fmt.Sprintf("cannot read List items: %v", err)}})
			return
		}
		if len(list.Items) == 0 {
			r.object(file, doc, kind, namespace, name, []finding{{severitySkipped, "List has no items"}})
		}
		for i := range list.Items {
			validateObject(r, opts, file, doc, &list.Items[i])
		}
		return
	}
	r.object(file, doc, kind, namespace, name, checkObject(opts, un))
}

// checkObject returns the findings for one object, following
// istioctl/pkg/validate's validateResource.
func checkObject(opts options, un *unstructured.Unstructured) []finding {
	gvk := un.GroupVersionKind()
	istioGVK := config.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
	if schema, ok := collections.Pilot.FindByGroupVersionAliasesKind(istioGVK); ok {
		return checkIstioObject(opts, schema, un)
	}
	switch {
	case gvk.Group == "install.istio.io" && gvk.Kind == "IstioOperator":
		return []finding{{severitySkipped, "IstioOperator is checked by istioctl's operator validation, which this tool does not include"}}
	case gvk.Group == "istio.io" || strings.HasSuffix(gvk.Group, ".istio.io"):
		if schema, ok := collections.Pilot.FindByGroupKind(istioGVK); ok {
			return []finding{{severityError, fmt.Sprintf("unknown version %q of Istio kind %s (known: %s)",
				gvk.Version, gvk.Kind, strings.Join(versions(schema), ", "))}}
		}
		return []finding{{severityError, fmt.Sprintf("unknown Istio kind %q in apiVersion %q", gvk.Kind, un.GetAPIVersion())}}
	case gvk.Group == "" && gvk.Kind == "Service":
		return errorFindings(checkServicePorts(opts, un))
	case gvk.Group == "apps" && gvk.Kind == "Deployment":
		return checkDeploymentLabels(opts, un)
	}
	return []finding{{severitySkipped, fmt.Sprintf("%s %s is not a kind Istio validates", un.GetAPIVersion(), gvk.Kind)}}
}

// versions lists the apiVersions under which a schema is served.
func versions(schema resource.Schema) []string {
	var out []string
	for _, gvk := range schema.GroupVersionAliasKinds() {
		out = append(out, gvk.Group+"/"+gvk.Version)
	}
	return out
}

// checkIstioObject strictly decodes an Istio object's spec and runs the
// validation function Istio registers for its kind.
func checkIstioObject(opts options, schema resource.Schema, un *unstructured.Unstructured) []finding {
	cfg, err := convertObjectFromUnstructured(schema, un)
	if err != nil {
		// The same words as istioctl, which stops here too.
		return []finding{{severityError, fmt.Sprintf("cannot parse proto message: %v", err)}}
	}
	var findings []finding
	for key := range un.Object {
		if !validTopLevelFields[key] {
			findings = append(findings, finding{severityError, fmt.Sprintf("unknown field %q", key)})
		}
	}
	if len(findings) > 0 {
		sortFindings(findings)
		return findings
	}
	// The validity of an object may depend on its namespace (for example a
	// VirtualService with exportTo: ["."]), so istioctl fills one in.
	if cfg.Namespace == "" {
		cfg.Namespace = opts.defaultNamespace
	}
	warnings, err := schema.ValidateConfig(*cfg)
	for _, w := range flatten(warnings) {
		findings = append(findings, finding{severityWarning, w.Error()})
	}
	for _, e := range flatten(err) {
		findings = append(findings, finding{severityError, e.Error()})
	}
	sortFindings(findings)
	return findings
}

// convertObjectFromUnstructured is istioctl's function of the same name: it
// turns a decoded document into the config.Config that Istio's validation
// functions take, unmarshalling spec strictly into the kind's proto.
func convertObjectFromUnstructured(schema resource.Schema, un *unstructured.Unstructured) (*config.Config, error) {
	js, err := json.Marshal(un.Object["spec"])
	if err != nil {
		return nil, err
	}
	spec, err := schema.NewInstance()
	if err != nil {
		return nil, err
	}
	if err := config.ApplyJSONStrict(spec, string(js)); err != nil {
		return nil, err
	}
	return &config.Config{
		Meta: config.Meta{
			GroupVersionKind:  schema.GroupVersionKind(),
			Name:              un.GetName(),
			Namespace:         un.GetNamespace(),
			Labels:            un.GetLabels(),
			Annotations:       un.GetAnnotations(),
			ResourceVersion:   un.GetResourceVersion(),
			CreationTimestamp: un.GetCreationTimestamp().Time,
		},
		Spec: spec,
	}, nil
}

// checkServicePorts is istioctl's validateServicePortPrefix: outside Istio's
// own namespace, every non-UDP Service port must name its protocol, by
// appProtocol or by a name prefix such as "http-" or "grpc-".
func checkServicePorts(opts options, un *unstructured.Unstructured) error {
	if un.GetNamespace() == opts.istioNamespace {
		return nil
	}
	ports, _, err := unstructured.NestedSlice(un.Object, "spec", "ports")
	if err != nil {
		return fmt.Errorf("cannot read spec.ports: %w", err)
	}
	id := fmt.Sprintf("%s/%s/:", un.GetName(), un.GetNamespace())
	var errs error
	for i, port := range ports {
		p, ok := port.(map[string]any)
		if !ok {
			errs = multierror.Append(errs, fmt.Errorf("spec.ports[%d] is not an object", i))
			continue
		}
		if proto, _ := p["protocol"].(string); strings.EqualFold(proto, "UDP") {
			continue
		}
		if ap, ok := p["appProtocol"].(string); ok {
			if protocol.Parse(ap).IsUnsupported() {
				errs = multierror.Append(errs, fmt.Errorf("service %q doesn't follow Istio protocol selection. "+
					"This is not recommended, See %s", id, url.ProtocolSelection))
			}
			continue
		}
		name, ok := p["name"].(string)
		if !ok {
			errs = multierror.Append(errs, fmt.Errorf("service %q has an unnamed port. This is not recommended,"+
				" See %s", id, url.DeploymentRequirements))
			continue
		}
		if servicePortPrefixed(name) {
			errs = multierror.Append(errs, fmt.Errorf("service %q port %q does not follow the Istio naming convention."+
				" See %s", id, name, url.DeploymentRequirements))
		}
	}
	return errs
}

// servicePortPrefixed is istioctl's function of the same name: despite its
// name it reports whether the port name does NOT start with a protocol.
func servicePortPrefixed(name string) bool {
	if i := strings.IndexByte(name, '-'); i >= 0 {
		name = name[:i]
	}
	return protocol.Parse(name) == protocol.Unsupported
}

// checkDeploymentLabels is istioctl's validateDeploymentLabel: a Deployment
// whose pods lack the canonical service name and revision labels still
// works, so istioctl prints a note and does not fail; it is a warning here.
func checkDeploymentLabels(opts options, un *unstructured.Unstructured) []finding {
	if un.GetNamespace() == opts.istioNamespace {
		return nil
	}
	podLabels, _, err := unstructured.NestedStringMap(un.Object, "spec", "template", "metadata", "labels")
	if err != nil {
		return []finding{{severityError, fmt.Sprintf("cannot read spec.template.metadata.labels: %v", err)}}
	}
	if labels.HasCanonicalServiceName(podLabels) && labels.HasCanonicalServiceRevision(podLabels) {
		return nil
	}
	return []finding{{severityWarning, fmt.Sprintf("deployment %q may not provide Istio metrics and telemetry labels: %q. See %s",
		fmt.Sprintf("%s/%s:", un.GetName(), un.GetNamespace()), podLabels, url.DeploymentRequirements)}}
}

// errorFindings turns an error, possibly a multierror, into error findings.
func errorFindings(err error) []finding {
	var findings []finding
	for _, e := range flatten(err) {
		findings = append(findings, finding{severityError, e.Error()})
	}
	sortFindings(findings)
	return findings
}

// flatten splits an error built with go-multierror or errors.Join into its
// leaves, so that each problem is reported on its own line. Istio's
// validation functions prefix each leaf (multierror.Prefix), so the leaves
// keep their context.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	var children []error
	switch e := err.(type) {
	case *multierror.Error:
		if e == nil {
			return nil
		}
		children = e.WrappedErrors()
	case interface{ Unwrap() []error }:
		children = e.Unwrap()
	default:
		return []error{err}
	}
	var out []error
	for _, c := range children {
		out = append(out, flatten(c)...)
	}
	return out
}

// sortFindings orders findings by severity, then message. Some of Istio's
// checks walk maps, so their order is not stable without this.
func sortFindings(findings []finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		if findings[i].severity != findings[j].severity {
			return findings[i].severity < findings[j].severity
		}
		return findings[i].message < findings[j].message
	})
}

// oneLine keeps a message on one output line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\t", " ")
	return s
}
