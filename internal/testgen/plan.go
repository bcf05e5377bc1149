package testgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Limits the generated call graph keeps, so that every platform passes
// govctl's governance rules whatever its size.
const (
	// maxDepth is the longest chain of calls below a service. Real call
	// chains rarely go deeper, and each hop adds to the timeouts above it.
	maxDepth = 6
	// maxAmplification bounds the product of tries (attempts + 1) along any
	// call path; GOV-RES-005 allows 10.
	maxAmplification = 9
	// retryShare is the share of calls that retry, before the bound above.
	retryShare = 0.3
	// maxTimeout caps an internal service's own timeout, maxEdgeTimeout a
	// public one's (milliseconds).
	maxTimeout     = 3000
	maxEdgeTimeout = 5000
)

// service is one generated service, everything decided, ready to print.
type service struct {
	index   int
	name    string
	group   string
	domain  string
	does    string // what it does, for its comment
	edge    bool
	lite    bool // a cache-backed fallback variant of the next service
	version string
	ports   bool // whether ports are written out
	timeout int  // milliseconds
	depth   int  // longest call chain below the service
	amp     int  // largest product of tries along a call path from it

	middleware  []string // nil: the platform default
	deps        []dependency
	breaker     *breaker
	rateLimit   *rateLimit
	degradation *degradation
	noMirror    bool
	hosts       []string
	paths       []string
	config      config
	slo         *slo
	exceptions  []exception
	overlays    []overlay
}

// dependency is a call to a service with a lower index.
type dependency struct {
	target   int
	timeout  int // milliseconds
	attempts int // 0: no retries block
	perTry   int // milliseconds
	optional bool
}

type breaker struct {
	minRequests        int
	interval, timeout  string
	errorThreshold     float64
	maxEjectionPercent int
	partial            bool // only minRequests and errorThreshold written
}

type rateLimit struct {
	algorithm string
	backend   string // "" for the default
	redis     string // the Redis a "redis" backend shares its bucket through
	rps       int
	burst     int // 0: left to the schema default (rps)
}

type degradation struct {
	warnAt, degradeAt, fatalAt float64
	fallbackTo                 int // index; -1 for none
	fallbackTimeout            int // milliseconds; 0 when fallbackTo is -1
}

type config struct {
	format string
	dataID bool // whether dataId is written out
	data   obj
}

type slo struct {
	availability float64
	p99          int // milliseconds; 0 for none
	errorRate    float64
	critical     bool
}

type exception struct {
	rule, reason, expires string
}

// overlay is services.<name>.env.<env>.
type overlay struct {
	env           string
	replicas      int
	rateLimit     *rateLimit // rps and burst only
	stableVersion string
	noMirror      bool
	data          obj
}

// obj is a CUE struct with its fields in the order they are written; a
// value is a string, int, float64, bool, []any or obj.
type obj []field

type field struct {
	key   string
	value any
}

// get returns the value of key.
func (o obj) get(key string) (any, bool) {
	for _, f := range o {
		if f.key == key {
			return f.value, true
		}
	}
	return nil, false
}

// planner decides every service of a platform from one random source, in
// index order: a service depends only on services with a lower index, so
// the call graph is a DAG by construction, and a service's timeout and
// retry amplification are known before any caller of it is decided.
type planner struct {
	opts     Options
	rng      *rand.Rand
	services []*service
	names    map[string]bool
	byDomain map[string][]int // domain → indices of its internal services
	byGroup  map[string][]int // group → indices of its internal services
}

func newPlanner(opts Options) *planner {
	return &planner{
		opts:     opts,
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		names:    map[string]bool{},
		byDomain: map[string][]int{},
		byGroup:  map[string][]int{},
	}
}

// edgeCount is how many public services a platform of n services has: a
// few, growing slowly with its size.
func edgeCount(n int) int {
	return min(1+n/60, 20, n)
}

func (p *planner) plan() []*service {
	n := p.opts.Services
	edges := edgeCount(n)
	internal := n - edges
	for i := 0; i < internal; i++ {
		// A few services get a cache-backed "-lite" variant, generated
		// just before them, that they fall back to when degraded.
		if i+1 < internal && i >= 4 && p.chance(0.03) {
			main := p.newInternal(i+1, i)
			lite := p.newLite(i, main)
			p.add(lite)
			p.add(main)
			i++
			continue
		}
		p.add(p.newInternal(i, i))
	}
	for i := internal; i < n; i++ {
		p.add(p.newEdge(i))
	}
	p.assignOverlays()
	return p.services
}

// add records s once its index-dependent fields are final.
func (p *planner) add(s *service) {
	p.services = append(p.services, s)
	if !s.edge && !s.lite {
		p.byDomain[s.domain] = append(p.byDomain[s.domain], s.index)
		p.byGroup[s.group] = append(p.byGroup[s.group], s.index)
	}
}

// newInternal decides an internal service that calls only services below
// index below. Its dependencies, and so its timeout, are decided too; the
// caller adds it.
func (p *planner) newInternal(index, below int) *service {
	g := groups[p.rng.IntN(len(groups))]
	domain := g.domains[p.rng.IntN(len(g.domains))]
	nn := p.internalNoun(domain)
	s := &service{
		index:  index,
		name:   nn.name,
		group:  g.name,
		domain: domain,
		does:   nn.does,
	}
	p.names[s.name] = true
	s.version = p.version()
	s.ports = p.chance(0.1)
	p.chooseDependencies(s, below)
	p.chooseTimeouts(s)
	p.chooseCriticality(s)
	p.chooseMiddleware(s)
	p.chooseResilience(s)
	s.noMirror = g.sideEffects && p.chance(0.5)
	s.config = p.newConfig(s)
	return s
}

// newLite decides the fallback variant of main: a cheap service with at
// most one dependency, which can never reach main (its index is lower).
func (p *planner) newLite(index int, main *service) *service {
	s := &service{
		index:  index,
		name:   uniqueName(p.names, main.name+"-lite"),
		group:  main.group,
		domain: main.domain,
		does:   fmt.Sprintf("serves a read-only %s view from cache when %s degrades", main.domain, main.name),
		lite:   true,
	}
	p.names[s.name] = true
	s.version = p.version()
	s.timeout = pick(p.rng, []int{100, 150, 200, 250, 300})
	s.amp = 1
	if t := p.pickDependency(index, s); t >= 0 {
		callee := p.services[t]
		if !callee.lite && callee.timeout < s.timeout && callee.depth < maxDepth {
			s.deps = []dependency{{target: t, timeout: callee.timeout}}
			s.depth = callee.depth + 1
			s.amp = callee.amp
		}
	}
	s.config = config{format: "yaml", data: obj{{"cache", obj{{"ttl", pick(p.rng, []string{"30s", "1m", "5m"})}, {"staleWhileRevalidate", true}}}}}
	s.slo = &slo{availability: 99.9, p99: niceDown(s.timeout / 3)}

	// The main service degrades to its lite variant within a fraction of
	// its own deadline (GOV-RES-007).
	main.degradation = &degradation{
		warnAt: 0.05, degradeAt: 0.2, fatalAt: 0.5,
		fallbackTo:      index,
		fallbackTimeout: niceDown(min(s.timeout, main.timeout/2)),
	}
	return s
}

// newEdge decides a public service: it calls several internal services,
// authenticates and rate-limits its callers, and is critical.
func (p *planner) newEdge(index int) *service {
	var name string
	for try := 0; try < 8 && name == ""; try++ {
		c := edgeDomains[p.rng.IntN(len(edgeDomains))] + "-" + edgeNouns[p.rng.IntN(len(edgeNouns))]
		if !p.names[c] {
			name = c
		}
	}
	if name == "" {
		name = uniqueName(p.names, edgeDomains[index%len(edgeDomains)]+"-"+edgeNouns[index%len(edgeNouns)])
	}
	p.names[name] = true
	domain, _, _ := strings.Cut(name, "-")
	s := &service{
		index:  index,
		name:   name,
		group:  edgeGroup,
		domain: domain,
		does:   fmt.Sprintf("is the public entry point of the %s clients", domain),
		edge:   true,
	}
	s.version = p.version()
	internal := p.opts.Services - edgeCount(p.opts.Services)
	if internal > 0 {
		want := 2 + p.rng.IntN(5)
		for tries := 0; len(s.deps) < want && tries < 4*want; tries++ {
			// Edges call the upper layers: aggregators and APIs.
			t := internal - 1 - int(float64(internal)*math.Pow(p.rng.Float64(), 2))
			t = max(t, 0)
			if p.services[t].lite || hasDependency(s, t) {
				continue
			}
			s.deps = append(s.deps, dependency{target: t})
		}
		sortDeps(s.deps)
		for _, d := range s.deps {
			s.depth = max(s.depth, p.services[d.target].depth+1)
		}
	}
	p.chooseTimeouts(s)
	s.slo = &slo{availability: pick(p.rng, []float64{99.95, 99.99}), critical: true}
	s.slo.p99 = niceDown(s.timeout * (30 + p.rng.IntN(30)) / 100)
	for i := range s.deps {
		if !p.services[s.deps[i].target].critical() {
			s.deps[i].optional = true
		}
	}
	s.middleware = []string{"recovery", "tracing", "logging", "metrics", "auth", "ratelimit"}
	rps := pick(p.rng, []int{500, 1000, 2000, 5000})
	s.rateLimit = &rateLimit{algorithm: "token_bucket", rps: rps, burst: rps / 5}
	host := fmt.Sprintf("%s.%s.acme.io", name, p.opts.Name)
	s.hosts = []string{host}
	if p.chance(0.3) {
		s.hosts = append(s.hosts, "www."+host)
	}
	if strings.HasSuffix(name, "-api") {
		s.paths = []string{"/v1", "/v2"}
	}
	s.config = config{format: "yaml", dataID: true, data: obj{
		{"cors", obj{{"allowOrigins", []any{"https://" + host}}, {"maxAge", "10m"}}},
		{"session", obj{{"cookie", domain + "_session"}, {"ttl", "24h"}}},
	}}
	return s
}

func (s *service) critical() bool { return s.slo != nil && s.slo.critical }

type nameAndDoes struct{ name, does string }

// internalNoun names a service of domain: a free <domain>-<noun>, with a
// numeric suffix only when the domain has run out of nouns.
func (p *planner) internalNoun(domain string) nameAndDoes {
	try := func(n noun) (nameAndDoes, bool) {
		if n.word == domain {
			return nameAndDoes{}, false
		}
		name := domain + "-" + n.word
		if p.names[name] {
			return nameAndDoes{}, false
		}
		return nameAndDoes{name, fmt.Sprintf(n.does, domain)}, true
	}
	for range 8 {
		if nd, ok := try(nouns[p.rng.IntN(len(nouns))]); ok {
			return nd
		}
	}
	start := p.rng.IntN(len(nouns))
	for k := range nouns {
		if nd, ok := try(nouns[(start+k)%len(nouns)]); ok {
			return nd
		}
	}
	n := nouns[start]
	if n.word == domain {
		n = nouns[(start+1)%len(nouns)]
	}
	return nameAndDoes{uniqueName(p.names, domain+"-"+n.word), fmt.Sprintf(n.does, domain)}
}

// uniqueName returns base, or base-2, base-3 … when taken.
func uniqueName(taken map[string]bool, base string) string {
	if !taken[base] {
		return base
	}
	for k := 2; ; k++ {
		if c := fmt.Sprintf("%s-%d", base, k); !taken[c] {
			return c
		}
	}
}

// chooseDependencies picks 0–4 services with lower indices, most of them
// from the service's own domain or group, the rest biased towards low
// indices (the platform's core services, which many others call).
func (p *planner) chooseDependencies(s *service, below int) {
	want := pickWeighted(p.rng, []int{0, 1, 2, 3, 4}, []float64{0.22, 0.28, 0.25, 0.15, 0.10})
	for tries := 0; len(s.deps) < want && tries < 4*want; tries++ {
		t := p.pickDependency(below, s)
		if t < 0 || p.services[t].lite || hasDependency(s, t) || p.services[t].depth+1 > maxDepth {
			continue
		}
		s.deps = append(s.deps, dependency{target: t})
	}
	sortDeps(s.deps)
	for _, d := range s.deps {
		s.depth = max(s.depth, p.services[d.target].depth+1)
	}
}

// pickDependency returns a candidate callee of s with an index below
// below, or -1: often one of its own domain or group.
func (p *planner) pickDependency(below int, s *service) int {
	if below == 0 {
		return -1
	}
	var near []int
	switch r := p.rng.Float64(); {
	case r < 0.45:
		near = p.byDomain[s.domain]
	case r < 0.7:
		near = p.byGroup[s.group]
	}
	if len(near) > 0 {
		if t := near[p.rng.IntN(len(near))]; t < below {
			return t
		}
	}
	t := int(float64(below) * math.Pow(p.rng.Float64(), 1.6))
	return min(t, below-1)
}

func hasDependency(s *service, t int) bool {
	for _, d := range s.deps {
		if d.target == t {
			return true
		}
	}
	return false
}

// sortDeps orders calls by callee index, so the output does not depend
// on the order they were picked in.
func sortDeps(deps []dependency) {
	for i := 1; i < len(deps); i++ {
		for j := i; j > 0 && deps[j].target < deps[j-1].target; j-- {
			deps[j], deps[j-1] = deps[j-1], deps[j]
		}
	}
}

// chooseTimeouts gives the service a deadline above its callees' and each
// call a timeout strictly below the deadline (GOV-RES-002), retries on
// about one call in three as long as the tries multiplied along any path
// stay within maxAmplification (GOV-RES-005), and per-try timeouts whose
// sum fits the call's timeout (GOV-RES-004).
func (p *planner) chooseTimeouts(s *service) {
	s.amp = 1
	if len(s.deps) == 0 {
		s.timeout = pick(p.rng, []int{80, 100, 120, 150, 180, 200, 250, 300, 400, 500})
		return
	}
	// A call's timeout is the callee's own, or somewhat less when the
	// caller would rather give up early, never below the callee's p99.
	slowest := 0
	for i := range s.deps {
		d := &s.deps[i]
		callee := p.services[d.target]
		d.timeout = callee.timeout
		if callee.timeout >= 200 && p.chance(0.5) {
			d.timeout = niceDown(callee.timeout * (60 + p.rng.IntN(30)) / 100)
			if callee.slo != nil && d.timeout <= callee.slo.p99 {
				d.timeout = callee.timeout
			}
		}
		slowest = max(slowest, d.timeout)
	}
	factor := 1.1 + 0.3*p.rng.Float64()
	limit := maxTimeout
	if s.edge {
		limit = maxEdgeTimeout
		slowest = max(slowest, 800)
	}
	s.timeout = min(niceUp(int(float64(slowest)*factor)), limit)
	for i := range s.deps {
		d := &s.deps[i]
		callee := p.services[d.target]
		if d.timeout > s.timeout*9/10 {
			d.timeout = niceDown(s.timeout * 8 / 10)
		}
		tries := 1
		if p.chance(retryShare) {
			attempts := pickWeighted(p.rng, []int{1, 2}, []float64{0.4, 0.6})
			perTry := niceDown(d.timeout * 2 / (2*attempts + 1))
			if (attempts+1)*callee.amp <= maxAmplification && attempts*perTry <= d.timeout {
				d.attempts, d.perTry = attempts, perTry
				tries = attempts + 1
			}
		}
		s.amp = max(s.amp, tries*callee.amp)
	}
}

// chooseCriticality marks core services (low indices) critical more often,
// and makes a critical service's calls to non-critical ones optional
// (GOV-DEP-003).
func (p *planner) chooseCriticality(s *service) {
	share := 0.15
	if s.index < p.opts.Services/5 {
		share = 0.5
	}
	critical := p.chance(share)
	switch {
	case critical:
		s.slo = &slo{availability: pick(p.rng, []float64{99.95, 99.99}), critical: true}
		s.slo.p99 = niceDown(s.timeout * (25 + p.rng.IntN(35)) / 100)
	case p.chance(0.8):
		s.slo = &slo{availability: pick(p.rng, []float64{99.5, 99.9, 99.9, 99.95})}
		if p.chance(0.6) {
			s.slo.p99 = niceDown(s.timeout * (25 + p.rng.IntN(35)) / 100)
		}
		if p.chance(0.2) {
			s.slo.errorRate = pick(p.rng, []float64{0.001, 0.005, 0.01})
		}
	}
	for i := range s.deps {
		callee := p.services[s.deps[i].target]
		if critical && !callee.critical() || p.chance(0.08) {
			s.deps[i].optional = true
		}
	}
}

func (p *planner) chooseMiddleware(s *service) {
	switch r := p.rng.Float64(); {
	case r < 0.55: // the platform default chain
	case r < 0.88:
		s.middleware = []string{"recovery", "tracing", "logging", "metrics", "auth"}
	case r < 0.95:
		s.middleware = []string{"recovery", "tracing", "logging", "metrics", "validate"}
	default:
		s.middleware = []string{"recovery", "tracing", "logging", "metrics", "metadata", "auth"}
	}
}

// chooseResilience overrides the platform's breaker on some services
// (minRequests ≥ 50 and 0 < errorThreshold ≤ 0.5, GOV-RES-003, except for
// a few low-volume services that record an exception), rate-limits about
// 40 % (burst at least rps/10) and gives a few a degradation ladder.
func (p *planner) chooseResilience(s *service) {
	switch r := p.rng.Float64(); {
	case r < 0.015:
		s.breaker = &breaker{minRequests: 20, errorThreshold: 0.2, partial: true}
		s.exceptions = []exception{{
			rule:    "GOV-RES-003",
			reason:  fmt.Sprintf("low volume: %s handles a few hundred requests an hour, a breaker needing 50 would never open (SRE-%d)", s.name, 1000+p.rng.IntN(9000)),
			expires: fmt.Sprintf("2028-%02d-%02d", 1+p.rng.IntN(12), 1+p.rng.IntN(28)),
		}}
	case r < 0.12:
		s.breaker = &breaker{
			minRequests:    pick(p.rng, []int{50, 100, 200}),
			errorThreshold: pick(p.rng, []float64{0.02, 0.05, 0.1, 0.2}),
			partial:        true,
		}
	case r < 0.22:
		s.breaker = &breaker{
			minRequests:        pick(p.rng, []int{50, 100, 200}),
			interval:           pick(p.rng, []string{"30s", "60s"}),
			timeout:            pick(p.rng, []string{"5s", "10s", "30s"}),
			errorThreshold:     pick(p.rng, []float64{0.02, 0.05, 0.1}),
			maxEjectionPercent: pick(p.rng, []int{30, 50}),
		}
	}
	if p.chance(0.4) {
		rps := pick(p.rng, []int{50, 100, 200, 300, 500, 800, 1000, 2000})
		if p.chance(0.2) {
			s.rateLimit = &rateLimit{algorithm: "leaky_bucket", rps: rps}
			if p.chance(0.5) {
				s.rateLimit.backend = "redis"
				s.rateLimit.redis = "redis-" + s.domain + ":6379"
			}
		} else {
			s.rateLimit = &rateLimit{algorithm: "token_bucket", rps: rps, burst: rps / pick(p.rng, []int{2, 4, 5, 10})}
		}
	}
	if p.chance(0.06) {
		s.degradation = &degradation{
			warnAt:     pick(p.rng, []float64{0.02, 0.05}),
			degradeAt:  pick(p.rng, []float64{0.1, 0.2}),
			fatalAt:    pick(p.rng, []float64{0.4, 0.5}),
			fallbackTo: -1,
		}
	}
}

// newConfig builds nested config data from a few fragments a Go service
// typically has. Secrets appear only as ${...} placeholders (GOV-SEC-003)
// and the dataId is <service>.<ext> (GOV-OBS-004).
func (p *planner) newConfig(s *service) config {
	c := config{format: pickWeighted(p.rng, []string{"yaml", "properties", "json"}, []float64{0.8, 0.12, 0.08})}
	c.dataID = p.chance(0.5)
	env := strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
	if p.chance(0.6) {
		c.data = append(c.data, field{"db", obj{
			{"driver", pick(p.rng, []string{"mysql", "postgres"})},
			{"host", s.domain + "-db.internal"},
			{"name", strings.ReplaceAll(s.name, "-", "_")},
			{"user", s.domain + "_app"},
			{"password", "${" + env + "_DB_PASSWORD}"},
			{"maxOpen", pick(p.rng, []int{20, 30, 50, 100})},
			{"maxIdle", pick(p.rng, []int{5, 10, 20})},
			{"connMaxLifetime", pick(p.rng, []string{"5m", "30m", "1h"})},
		}})
	}
	if p.chance(0.45) {
		c.data = append(c.data, field{"cache", obj{
			{"addr", "redis-" + s.domain + ":6379"},
			{"db", p.rng.IntN(16)},
			{"ttl", pick(p.rng, []string{"30s", "1m", "5m", "15m"})},
			{"localSize", pick(p.rng, []int{1000, 5000, 10000})},
		}})
	}
	if p.chance(0.35) {
		c.data = append(c.data, field{"kafka", obj{
			{"brokers", []any{"kafka-0.kafka:9092", "kafka-1.kafka:9092", "kafka-2.kafka:9092"}},
			{"topic", s.domain + "." + strings.TrimPrefix(s.name, s.domain+"-") + ".events"},
			{"consumerGroup", s.name},
			{"batch", obj{{"size", pick(p.rng, []int{100, 500, 1000})}, {"linger", pick(p.rng, []string{"5ms", "10ms", "50ms"})}}},
		}})
	}
	if p.chance(0.3) {
		c.data = append(c.data, field{"worker", obj{
			{"concurrency", pick(p.rng, []int{4, 8, 16})},
			{"queue", s.name + "-jobs"},
			{"retryBackoff", pick(p.rng, []string{"1s", "5s", "30s"})},
		}})
	}
	if p.chance(0.4) {
		var flags obj
		start := p.rng.IntN(len(featureFlags))
		for k := range 1 + p.rng.IntN(3) {
			flags = append(flags, field{featureFlags[(start+k)%len(featureFlags)], p.chance(0.5)})
		}
		c.data = append(c.data, field{"features", flags})
	}
	if p.chance(0.2) {
		start := p.rng.IntN(len(regions))
		c.data = append(c.data, field{"regions", []any{regions[start], regions[(start+1)%len(regions)]}})
	}
	// Every service logs: the entry is never blank, which Nacos refuses.
	c.data = append(c.data, field{"log", obj{{"level", "info"}, {"format", pick(p.rng, []string{"json", "json", "text"})}}})
	return c
}

// assignOverlays gives about OverlayShare of the services env overlays:
// more replicas and a higher rate limit in prod, smaller pools in dev,
// and on a few a prod canary in progress.
func (p *planner) assignOverlays() {
	share := p.opts.overlayShare()
	canaries := 0
	for _, s := range p.services {
		if s.lite || !p.chance(share) {
			continue
		}
		prod := overlay{env: "prod", replicas: pick(p.rng, []int{4, 6, 8, 10, 12})}
		if s.rateLimit != nil {
			k := pick(p.rng, []int{2, 4, 5})
			prod.rateLimit = &rateLimit{rps: s.rateLimit.rps * k, burst: s.rateLimit.burst * k}
		}
		if db, ok := s.config.data.get("db"); ok && p.chance(0.5) {
			open, _ := db.(obj).get("maxOpen")
			prod.data = append(prod.data, field{"db", obj{{"maxOpen", open.(int) * 4}}})
		}
		if w, ok := s.config.data.get("worker"); ok && p.chance(0.5) {
			c, _ := w.(obj).get("concurrency")
			prod.data = append(prod.data, field{"worker", obj{{"concurrency", c.(int) * 2}}})
		}
		if p.chance(0.1) || canaries == 0 && s.index >= len(p.services)/2 {
			prod.stableVersion = previousVersion(s.version)
			canaries++
		}
		var list []overlay
		if p.chance(0.4) {
			dev := overlay{env: "dev"}
			if _, ok := s.config.data.get("db"); ok {
				dev.data = append(dev.data, field{"db", obj{{"maxOpen", 5}}})
			}
			dev.data = append(dev.data, field{"log", obj{{"level", "debug"}}})
			list = append(list, dev)
		}
		if p.chance(0.15) {
			list = append(list, overlay{env: "staging", replicas: 2})
		}
		s.overlays = append(list, prod)
	}
}

// version is a semantic version tag; never a mutable tag (GOV-SEC-004).
func (p *planner) version() string {
	return fmt.Sprintf("v%d.%d.%d", p.rng.IntN(6), p.rng.IntN(20), p.rng.IntN(15))
}

// previousVersion is the release before v, for a rollout in progress.
func previousVersion(v string) string {
	var major, minor, patch int
	fmt.Sscanf(v, "v%d.%d.%d", &major, &minor, &patch)
	switch {
	case patch > 0:
		patch--
	case minor > 0:
		minor, patch = minor-1, 4
	default:
		return fmt.Sprintf("v%d.%d.%d-rc.1", major, minor, patch)
	}
	return fmt.Sprintf("v%d.%d.%d", major, minor, patch)
}

func (p *planner) chance(share float64) bool { return p.rng.Float64() < share }

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func pickWeighted[T any](rng *rand.Rand, list []T, weights []float64) T {
	r := rng.Float64()
	for i, w := range weights {
		if r < w {
			return list[i]
		}
		r -= w
	}
	return list[len(list)-1]
}

// niceDurations are the timeouts people write, in milliseconds.
var niceDurations = []int{
	10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 120, 150, 180, 200, 250, 300, 350, 400,
	450, 500, 600, 700, 800, 900, 1000, 1200, 1500, 1800, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000,
}

// niceUp is the smallest nice duration not below ms.
func niceUp(ms int) int {
	for _, d := range niceDurations {
		if d >= ms {
			return d
		}
	}
	return niceDurations[len(niceDurations)-1]
}

// niceDown is the largest nice duration not above ms (at least the
// smallest one).
func niceDown(ms int) int {
	out := niceDurations[0]
	for _, d := range niceDurations {
		if d <= ms {
			out = d
		}
	}
	return out
}

// duration writes milliseconds as a Go duration, as people do: "800ms",
// "1s", "1.5s".
func duration(ms int) string {
	if ms >= 1000 && ms%100 == 0 {
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + "s"
	}
	return strconv.Itoa(ms) + "ms"
}
