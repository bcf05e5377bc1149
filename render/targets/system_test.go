package targets

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/govctl/govctl/internal/istiovalidate"
	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/kratos/conf"
	"github.com/govctl/govctl/schema"
)

// unavoidableWarnings are analyzer warnings no spec can avoid, by code,
// with the kind they are about and the reason.
var unavoidableWarnings = map[string]string{
	// Istio warns on every EnvoyFilter; a local rate limit has no other
	// Istio API.
	"IST0133 EnvoyFilter": "EnvoyFilter exposes implementation details",
}

// meshConfig is the mesh a cluster running govctl's output has: Istio's
// defaults plus the tracing extension provider the platform's Telemetry
// names (the README's MeshConfig).
func meshConfig(t *testing.T, provider, endpoint string) string {
	t.Helper()
	host, port := endpoint, "4317"
	if h, p, ok := strings.Cut(endpoint, ":"); ok {
		host, port = h, p
	}
	data := "extensionProviders: []\n"
	if provider != "" {
		data = fmt.Sprintf("extensionProviders:\n- name: %s\n  opentelemetry:\n    service: %s\n    port: %s\n", provider, host, port)
	}
	p := filepath.Join(t.TempDir(), "mesh.yaml")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// clusterFixtures are the objects of the cluster that govctl does not
// render but its output names: the TLS Secrets of public hosts, in the
// ingress gateway's namespace.
func clusterFixtures(t *testing.T, m *schema.Model, envs []string) string {
	t.Helper()
	var b strings.Builder
	seen := map[string]bool{}
	for _, env := range envs {
		res, err := m.Resolve(env)
		if err != nil {
			t.Fatal(err)
		}
		for _, svc := range res.Services {
			if tls := svc.Exposure.TLS; tls != nil && !seen[tls.CredentialName] {
				seen[tls.CredentialName] = true
				crt, key := selfSignedCert(t, svc.Exposure.Hosts)
				fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  tls.crt: %s\n  tls.key: %s\n",
					tls.CredentialName, res.Platform.Mesh.Gateway.Namespace, crt, key)
			}
		}
	}
	p := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(p, []byte(b.String()+"---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// selfSignedCert returns a certificate for hosts and its key, PEM, base64
// encoded as a Secret's data.
func selfSignedCert(t *testing.T, hosts []string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     hosts,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(typ string, b []byte) string {
		return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}))
	}
	return enc("CERTIFICATE", der), enc("EC PRIVATE KEY", keyDER)
}

func writeTree(t *testing.T, objs []render.Object) string {
	t.Helper()
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func systemModels(t *testing.T) map[string]*schema.Model {
	return map[string]*schema.Model{"shop": testutil.LoadShop(t), "generated-300": testutil.LoadGenerated(t, 300)}
}

// TestRenderedSystemPassesIstiosAnalyzers runs all of Istio's analyzers
// (istioctl analyze -A) over each environment's Kubernetes and Istio
// objects together, with one Pod per Deployment as the cluster would run
// it: no errors, and no warnings but the unavoidable ones.
func TestRenderedSystemPassesIstiosAnalyzers(t *testing.T) {
	for name, m := range systemModels(t) {
		t.Run(name, func(t *testing.T) {
			envs := m.EnvironmentNames()
			objs, err := Render(context.Background(), m, envs, Options{Targets: []render.Target{render.TargetKubernetes, render.TargetIstio}})
			if err != nil {
				t.Fatal(err)
			}
			dir := writeTree(t, objs)
			tracing := m.Platform.Telemetry.Tracing
			mesh := meshConfig(t, tracing.Provider, tracing.Endpoint)
			fixtures := clusterFixtures(t, m, envs)
			for _, env := range envs {
				a := istiovalidate.Analyze(t, mesh, fixtures, filepath.Join(dir, env, "kubernetes"), filepath.Join(dir, env, "istio"))
				for _, msg := range a.Messages {
					kind, _, _ := strings.Cut(msg.Resource, " ")
					if msg.Level == "Warning" && unavoidableWarnings[msg.Code+" "+kind] != "" {
						continue
					}
					if msg.Level == "Error" || msg.Level == "Warning" {
						t.Errorf("%s: %s", env, msg)
					}
				}
			}
		})
	}
}

// workloads indexes one environment's rendered Kubernetes objects.
type workloads struct {
	accounts map[string]bool
	pods     []map[string]string         // pod template labels
	ports    map[string]map[int32]string // service → port → name
}

func indexWorkloads(objs []render.Object, env string) workloads {
	w := workloads{accounts: map[string]bool{}, ports: map[string]map[int32]string{}}
	for _, o := range objs {
		if o.Env != env || o.Target != render.TargetKubernetes {
			continue
		}
		switch v := o.Value.(type) {
		case *corev1.ServiceAccount:
			w.accounts[v.Namespace+"/"+v.Name] = true
		case *appsv1.Deployment:
			w.pods = append(w.pods, v.Spec.Template.Labels)
			w.accounts[v.Namespace+"/"+v.Spec.Template.Spec.ServiceAccountName] = true
		case *corev1.Service:
			ports := map[int32]string{}
			for _, p := range v.Spec.Ports {
				ports[p.Port] = p.Name
			}
			w.ports[v.Name+"."+v.Namespace+".svc.cluster.local"] = ports
		}
	}
	return w
}

func (w workloads) selects(labels map[string]string) bool {
	for _, pod := range w.pods {
		ok := true
		for k, v := range labels {
			if pod[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestMeshObjectsAgreeWithTheRenderedWorkloads checks, per environment,
// every AuthorizationPolicy principal against the rendered service
// accounts (or the ingress gateway's), every DestinationRule subset
// against the pods of the rendered Deployments, every VirtualService
// destination port against its Service, and every Kratos client endpoint
// against the Service and port it dials.
func TestMeshObjectsAgreeWithTheRenderedWorkloads(t *testing.T) {
	for name, m := range systemModels(t) {
		t.Run(name, func(t *testing.T) {
			envs := m.EnvironmentNames()
			objs, err := Render(context.Background(), m, envs, Options{Targets: []render.Target{render.TargetKubernetes, render.TargetIstio, render.TargetKratos}})
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, env := range envs {
				res, err := m.Resolve(env)
				if err != nil {
					t.Fatal(err)
				}
				gw := res.Platform.Mesh.Gateway
				w := indexWorkloads(objs, env)
				for _, o := range objs {
					if o.Env != env {
						continue
					}
					switch v := o.Value.(type) {
					case *securityv1.AuthorizationPolicy:
						for _, r := range v.Spec.Rules {
							for _, f := range r.From {
								for _, p := range f.Source.Principals {
									checked++
									ns, sa, _ := strings.Cut(strings.TrimPrefix(p, res.Platform.Mesh.TrustDomain+"/ns/"), "/sa/")
									if !w.accounts[ns+"/"+sa] && (ns != gw.Namespace || sa != gw.ServiceAccount) {
										t.Errorf("%s: AuthorizationPolicy %s admits %s, which no rendered workload runs as", env, v.Name, p)
									}
								}
							}
						}
						if !w.selects(v.Spec.Selector.GetMatchLabels()) {
							t.Errorf("%s: AuthorizationPolicy %s selects no rendered pod", env, v.Name)
						}
					case *networkingv1.DestinationRule:
						for _, s := range v.Spec.Subsets {
							checked++
							labels := map[string]string{"app": strings.SplitN(v.Spec.Host, ".", 2)[0]}
							for k, l := range s.Labels {
								labels[k] = l
							}
							if !w.selects(labels) {
								t.Errorf("%s: DestinationRule %s subset %s (%v) selects no rendered pod", env, v.Name, s.Name, labels)
							}
						}
					case *networkingv1.VirtualService:
						for _, r := range v.Spec.Http {
							for _, d := range r.Route {
								checked++
								ports, ok := w.ports[d.Destination.Host]
								if !ok || ports[int32(d.Destination.Port.GetNumber())] == "" {
									t.Errorf("%s: VirtualService %s route %s goes to %s:%d, which no rendered Service exposes", env, v.Name, r.Name, d.Destination.Host, d.Destination.Port.GetNumber())
								}
								for _, mt := range r.Match {
									if mt.Port != 0 && mt.Port != d.Destination.Port.GetNumber() {
										t.Errorf("%s: VirtualService %s route %s matches port %d but goes to %d", env, v.Name, r.Name, mt.Port, d.Destination.Port.GetNumber())
									}
								}
							}
						}
					case conf.Bootstrap:
						for dep, c := range v.Clients {
							checked++
							checkEndpoint(t, w, env, o.Service, dep, strings.TrimPrefix(c.Endpoint, "dns:///"), "grpc")
							if u, err := url.Parse(c.HTTPEndpoint); err != nil || u.Scheme != "http" {
								t.Errorf("%s: %s's client %s http_endpoint %q is not an http URL", env, o.Service, dep, c.HTTPEndpoint)
							} else {
								checkEndpoint(t, w, env, o.Service, dep, u.Host, "http")
							}
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("nothing checked")
			}
		})
	}
}

func checkEndpoint(t *testing.T, w workloads, env, caller, dep, hostPort, portName string) {
	t.Helper()
	i := strings.LastIndexByte(hostPort, ':')
	if i < 0 {
		t.Errorf("%s: %s's client %s dials %q, not host:port", env, caller, dep, hostPort)
		return
	}
	port, _ := strconv.Atoi(hostPort[i+1:])
	ports, ok := w.ports[hostPort[:i]]
	if !ok || ports[int32(port)] != portName {
		t.Errorf("%s: %s's client %s dials %s, which is not the %s port of a rendered Service (%v)", env, caller, dep, hostPort, portName, ports)
	}

}
