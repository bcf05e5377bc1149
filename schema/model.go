package schema

import (
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/govctl/govctl/internal/fieldpath"
)

// Duration is a Go duration string as written in the spec ("800ms"). The
// schema has validated it, so D never fails on a loaded model.
type Duration string

// D returns the duration; zero when d is empty.
func (d Duration) D() time.Duration {
	v, err := time.ParseDuration(string(d))
	if err != nil {
		return 0
	}
	return v
}

// Model is a loaded, validated platform spec: the one representation every
// downstream package reads. Services are as written; Resolve applies the
// layers for one environment.
type Model struct {
	// Dir is the spec directory as the user named it.
	Dir string
	// Package is the CUE package name of the spec files.
	Package string
	// Files are the spec files, slash-separated, relative to Dir, sorted.
	Files        []string
	Platform     Platform
	Environments map[string]*Environment
	Services     map[string]*ServiceSpec
	// Policies is the spec's policies block; nil when it has none.
	Policies *Policies
	// Externals are the dependencies outside the platform, by name.
	Externals map[string]*External

	// positions maps a field path (fieldpath.Path.String) to where the user
	// set it.
	positions map[string]Pos
	// trees holds the user-set values of every field, for resolution.
	trees *node
	// resolved caches every environment, resolved and checked by Load.
	resolved map[string]*Resolved
	// memoHits counts the services Load took from the resolution memo.
	memoHits int
}

// External is a dependency outside the platform.
type External struct {
	Name     string `json:"name"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	// Pos is where the external is declared.
	Pos Pos `json:"pos"`
}

// External returns the external dependency of the name, or nil.
func (r *Resolved) External(name string) *External {
	if r.model == nil {
		return nil
	}
	return r.model.Externals[name]
}

// Platform is the platform block.
type Platform struct {
	Name         string       `json:"name"`
	Registry     Registry     `json:"registry"`
	ConfigCenter ConfigCenter `json:"configCenter"`
	Telemetry    Telemetry    `json:"telemetry"`
	Mesh         Mesh         `json:"mesh"`
	GitHub       *GitHub      `json:"github,omitempty"`
}

// Registry is where services register and are health-checked.
type Registry struct {
	Kind        string      `json:"kind"`
	Address     string      `json:"address,omitempty"`
	Heartbeat   Duration    `json:"heartbeat"`
	TTL         Duration    `json:"ttl"`
	HealthCheck HealthCheck `json:"healthCheck"`
}

// HealthCheck is the registry's check of a service instance.
type HealthCheck struct {
	Path            string   `json:"path"`
	Interval        Duration `json:"interval"`
	Timeout         Duration `json:"timeout"`
	DeregisterAfter Duration `json:"deregisterAfter"`
}

// ConfigCenter is where services read their configuration.
type ConfigCenter struct {
	Kind        string   `json:"kind"`
	Address     string   `json:"address,omitempty"`
	Group       string   `json:"group"`
	Namespace   string   `json:"namespace,omitempty"`
	LongPolling Duration `json:"longPolling"`
}

// Telemetry is tracing and metrics.
type Telemetry struct {
	Tracing Tracing `json:"tracing"`
	Metrics Metrics `json:"metrics"`
}

// Tracing is where spans go and how many are kept.
type Tracing struct {
	Endpoint string  `json:"endpoint,omitempty"`
	Protocol string  `json:"protocol"`
	Sampling float64 `json:"sampling"`
	// Provider is the MeshConfig extension provider the sidecars send
	// spans to; empty to rely on the mesh's default tracing provider.
	Provider string `json:"provider,omitempty"`
}

// Metrics is how services expose metrics.
type Metrics struct {
	Enabled bool   `json:"enabled"`
	Path    string `json:"path"`
}

// Mesh is the Istio mesh the platform runs in.
type Mesh struct {
	TrustDomain string `json:"trustDomain"`
	// RetryOwner is the layer that retries calls: RetryOwnerMesh or
	// RetryOwnerApp.
	RetryOwner string  `json:"retryOwner"`
	Gateway    Gateway `json:"gateway"`
}

// Retry owners: the caller's sidecar, or the caller's Kratos client.
const (
	RetryOwnerMesh = "mesh"
	RetryOwnerApp  = "app"
)

// AppRetries reports whether the applications, not the mesh, retry calls.
func (p *Platform) AppRetries() bool { return p.Mesh.RetryOwner == RetryOwnerApp }

// Gateway is the ingress gateway in front of public services.
type Gateway struct {
	Name           string `json:"name"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
}

// GitHub is the repository the platform delivers from.
type GitHub struct {
	Repository    string   `json:"repository"`
	DefaultBranch string   `json:"defaultBranch"`
	ServicePaths  []string `json:"servicePaths"`
}

// Tier is an environment's place in promotion.
type Tier string

// The tiers, in promotion order.
const (
	TierDev     Tier = "dev"
	TierStaging Tier = "staging"
	TierProd    Tier = "prod"
)

func (t Tier) rank() int {
	switch t {
	case TierDev:
		return 0
	case TierStaging:
		return 1
	default:
		return 2
	}
}

// Environment is one delivery stage.
type Environment struct {
	Name       string   `json:"name"`
	Tier       Tier     `json:"tier"`
	Namespace  string   `json:"namespace"`
	MTLS       string   `json:"mtls"`
	Approvals  int      `json:"approvals"`
	Reviewers  []string `json:"reviewers"`
	AutoDeploy bool     `json:"autoDeploy"`
	SmokeTest  string   `json:"smokeTest,omitempty"`
	WaitTimer  Duration `json:"waitTimer,omitempty"`
	Mirror     *Mirror  `json:"mirror,omitempty"`
	Canary     *Canary  `json:"canary,omitempty"`
	// Pos is where the environment is declared.
	Pos Pos `json:"-"`
}

// Mirror copies a share of live traffic to a subset.
type Mirror struct {
	Percent float64 `json:"percent"`
	Subset  string  `json:"subset"`
	// Methods is MirrorIdempotent or MirrorAll.
	Methods string `json:"methods"`
}

// Mirror methods.
const (
	MirrorIdempotent = "idempotent"
	MirrorAll        = "all"
)

// Canary is a stepped rollout with a metric gate.
type Canary struct {
	Steps        []int    `json:"steps"`
	Interval     Duration `json:"interval"`
	MaxErrorRate float64  `json:"maxErrorRate"`
	Metric       string   `json:"metric"`
}

// ServiceSpec is a service as declared, before resolution.
type ServiceSpec struct {
	Name string
	// Pos is where the service is declared; Pos.File is its source file.
	Pos Pos
	// Overlays names the environments the service has an env overlay for.
	Overlays []string
}

// Service is a service resolved for one environment: every layer applied,
// every default filled in.
type Service struct {
	Name           string                `json:"name"`
	Owner          string                `json:"owner"`
	Kind           string                `json:"kind"`
	Protocol       string                `json:"protocol,omitempty"`
	Port           int                   `json:"port,omitempty"`
	MaxConnections int                   `json:"maxConnections,omitempty"`
	Workload       Workload              `json:"workload"`
	Build          Build                 `json:"build"`
	Image          string                `json:"image"`
	Version        string                `json:"version"`
	Ports          Ports                 `json:"ports"`
	Replicas       int                   `json:"replicas"`
	Timeout        Duration              `json:"timeout"`
	Middleware     []string              `json:"middleware"`
	Dependencies   map[string]Dependency `json:"dependencies"`
	Resilience     Resilience            `json:"resilience"`
	Traffic        Traffic               `json:"traffic"`
	Exposure       Exposure              `json:"exposure"`
	Config         Config                `json:"config"`
	SLO            SLO                   `json:"slo"`
	Exceptions     []Exception           `json:"exceptions"`

	// Source is the spec file that declares the service.
	Source string `json:"-"`
	// Pos is where the service is declared.
	Pos  Pos               `json:"-"`
	prov map[string]Origin // field path (relative to the service, as String prints it) → where its value came from
}

// Service kinds: a Kratos application, or a backing service.
const (
	KindApp      = "app"
	KindDatabase = "database"
	KindBroker   = "broker"
	KindCache    = "cache"
)

// IsApp reports whether the service is a Kratos application, which gets a
// bootstrap, a config entry, HTTP/gRPC routes and a deploy workflow; a
// backing service (database, broker, cache) gets none of them.
func (s *Service) IsApp() bool { return s.Kind == "" || s.Kind == KindApp }

// Workload is who owns the service's Kubernetes workload.
type Workload struct {
	// Managed is whether govctl renders the workload.
	Managed bool `json:"managed"`
	// ServiceAccount is the account an unmanaged workload runs as.
	ServiceAccount string `json:"serviceAccount,omitempty"`
}

// ServiceAccount is the Kubernetes service account the service's pods run
// as, the identity the mesh authenticates and AuthorizationPolicies admit:
// workload.serviceAccount, or the service's name for a workload govctl
// renders.
func (s *Service) ServiceAccount() string {
	if s.Workload.ServiceAccount != "" {
		return s.Workload.ServiceAccount
	}
	return s.Name
}

// Build is how a service's image is built.
type Build struct {
	// Kind is BuildGo, BuildDockerfile or BuildImage.
	Kind       string `json:"kind"`
	Path       string `json:"path,omitempty"`
	Dockerfile string `json:"dockerfile,omitempty"`
}

// Build kinds.
const (
	BuildGo         = "go"
	BuildDockerfile = "dockerfile"
	BuildImage      = "image"
)

// Ports are the Kratos HTTP and gRPC server ports.
type Ports struct {
	HTTP int `json:"http"`
	GRPC int `json:"grpc"`
}

// Dependency is a call from a service to another.
type Dependency struct {
	Timeout  Duration `json:"timeout,omitempty"`
	Retries  *Retries `json:"retries,omitempty"`
	Optional bool     `json:"optional"`
}

// Retries is a client retry policy.
type Retries struct {
	Attempts      int      `json:"attempts"`
	PerTryTimeout Duration `json:"perTryTimeout,omitempty"`
	RetryOn       string   `json:"retryOn"`
}

// Resilience is a service's breaker, rate limit and degradation.
type Resilience struct {
	CircuitBreaker *CircuitBreaker `json:"circuitBreaker,omitempty"`
	RateLimit      *RateLimit      `json:"rateLimit,omitempty"`
	Degradation    *Degradation    `json:"degradation,omitempty"`
}

// CircuitBreaker is a closed/open/half-open breaker.
type CircuitBreaker struct {
	MinRequests        int      `json:"minRequests"`
	Interval           Duration `json:"interval"`
	Timeout            Duration `json:"timeout"`
	ErrorThreshold     float64  `json:"errorThreshold"`
	MaxEjectionPercent int      `json:"maxEjectionPercent"`
}

// RateLimit is a token- or leaky-bucket limit on incoming requests.
type RateLimit struct {
	Algorithm string `json:"algorithm"`
	Backend   string `json:"backend"`
	RPS       int    `json:"rps"`
	Burst     int    `json:"burst"`
	// Redis is the shared bucket's Redis: host:port, or the name of a
	// cache service of the platform.
	Redis string `json:"redis,omitempty"`
}

// Degradation is the NORMAL → WARN → DEGRADED → FATAL ladder.
type Degradation struct {
	WarnAt          float64  `json:"warnAt"`
	DegradeAt       float64  `json:"degradeAt"`
	FatalAt         *float64 `json:"fatalAt,omitempty"`
	FallbackTo      string   `json:"fallbackTo,omitempty"`
	FallbackTimeout Duration `json:"fallbackTimeout"`
}

// Traffic is colouring, canary and mirroring participation.
type Traffic struct {
	Colouring Colouring `json:"colouring"`
	Canary    bool      `json:"canary"`
	Mirror    bool      `json:"mirror"`
	// StableVersion is the version serving while Version rolls out as a
	// canary; empty when no rollout is in progress.
	StableVersion string `json:"stableVersion,omitempty"`
}

// CanaryInProgress reports whether the service is rolling out a new version
// next to a stable one.
func (s *Service) CanaryInProgress() bool {
	return s.Traffic.StableVersion != "" && s.Traffic.StableVersion != s.Version
}

// Colouring routes requests by header to an environment's or canary subset.
type Colouring struct {
	Enabled      bool   `json:"enabled"`
	EnvHeader    string `json:"envHeader"`
	CanaryHeader string `json:"canaryHeader"`
}

// Exposure is whether the gateway routes to the service.
type Exposure struct {
	Public bool     `json:"public"`
	Hosts  []string `json:"hosts"`
	Paths  []string `json:"paths"`
	TLS    *TLS     `json:"tls,omitempty"`
}

// TLS is the HTTPS of a public service's hosts at the ingress gateway.
type TLS struct {
	// CredentialName is the Secret holding the hosts' certificate.
	CredentialName string `json:"credentialName"`
}

// Config is the service's entry in the config centre.
type Config struct {
	DataID string         `json:"dataId,omitempty"`
	Group  string         `json:"group,omitempty"`
	Format string         `json:"format"`
	Data   map[string]any `json:"data"`
	// Sensitive are keys of Data whose values are secrets, at any depth,
	// besides those the secret rule recognises by name.
	Sensitive []string `json:"sensitive,omitempty"`
}

// SLO is the service's objectives.
type SLO struct {
	Availability float64  `json:"availability,omitempty"`
	P99          Duration `json:"p99,omitempty"`
	ErrorRate    float64  `json:"errorRate,omitempty"`
	Critical     bool     `json:"critical"`
}

// Exception waives a lint rule for a service, with a reason, until a date.
type Exception struct {
	Rule         string   `json:"rule"`
	Reason       string   `json:"reason"`
	Expires      string   `json:"expires"`
	Environments []string `json:"environments"`
}

// Policies is which lint rules apply, how strictly, with what parameters.
type Policies struct {
	FailOn string                 `json:"failOn"`
	Rules  map[string]*RulePolicy `json:"rules"`
}

// RulePolicy configures one lint rule.
type RulePolicy struct {
	Enabled      *bool          `json:"enabled,omitempty"`
	Severity     string         `json:"severity,omitempty"`
	Params       map[string]any `json:"params,omitempty"`
	Environments []string       `json:"environments,omitempty"`
	Owners       []string       `json:"owners,omitempty"`
	Reason       string         `json:"reason,omitempty"`
}

// EnvironmentNames returns the environments in promotion order: by tier,
// then by name.
func (m *Model) EnvironmentNames() []string {
	names := make([]string, 0, len(m.Environments))
	for n := range m.Environments {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := m.Environments[names[i]], m.Environments[names[j]]
		if a.Tier.rank() != b.Tier.rank() {
			return a.Tier.rank() < b.Tier.rank()
		}
		return names[i] < names[j]
	})
	return names
}

// ServiceNames returns the service names, sorted.
func (m *Model) ServiceNames() []string {
	return slices.Sorted(maps.Keys(m.Services))
}

// PosOf returns where the user set the field at path, or the nearest
// enclosing field the user set; ok is false when none is known.
func (m *Model) PosOf(path fieldpath.Path) (Pos, bool) {
	for p := path; len(p) > 0; p = p.Parent() {
		if pos, ok := m.positions[p.String()]; ok {
			return pos, true
		}
	}
	return Pos{}, false
}

// ConfigDataID is the service's Nacos dataId: config.dataId, or the service
// name with the extension of its config format.
func (s *Service) ConfigDataID() string {
	if s.Config.DataID != "" {
		return s.Config.DataID
	}
	ext := map[string]string{"yaml": ".yaml", "properties": ".properties", "json": ".json", "text": ".txt"}[s.Config.Format]
	if ext == "" {
		ext = ".yaml"
	}
	return s.Name + ext
}

// ConfigGroup is the service's Nacos group: config.group, or the platform's.
func (s *Service) ConfigGroup(p *Platform) string {
	if s.Config.Group != "" {
		return s.Config.Group
	}
	return p.ConfigCenter.Group
}
