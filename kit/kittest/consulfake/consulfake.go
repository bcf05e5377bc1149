// Package consulfake is an in-process fake of the Consul agent HTTP API
// endpoints kit's registry uses, following Consul's API documentation
// (agent/service, agent/check) and the agent's behaviour:
//
//   - PUT /v1/agent/service/register (?replace-existing-checks): a JSON
//     AgentServiceRegistration; Name is required ("Missing service name");
//     a check with HTTP needs an Interval; durations are Go duration
//     strings; a check without CheckID is "service:<id>" (numbered from 1
//     when there are several);
//   - PUT /v1/agent/service/deregister/<id>: 404 "Unknown service ID" for
//     an unknown one;
//   - PUT /v1/agent/check/update/<id>: body {"Status", "Output"} for a TTL
//     check; 404 for an unknown check;
//
// Tests read the agent's state with Services and Checks.
//
// HTTP checks are run the way the agent runs them: GET the URL every
// Interval with Timeout; 2xx is passing, 429 warning, anything else
// critical. A TTL check is critical until it is updated and ttl after its
// last update. A service whose check has been critical for longer than its
// DeregisterCriticalServiceAfter is removed (the agent's reaper).
// Not modelled: ACLs, blocking queries, catalog and health endpoints,
// script/TCP/gRPC checks.
package consulfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Check is a registered check as the agent keeps it.
type Check struct {
	CheckID, Name, ServiceID string
	HTTP, Method             string
	Interval, Timeout, TTL   time.Duration
	DeregisterAfter          time.Duration
	Status, Output           string
	// Updates counts TTL updates; Runs counts HTTP check runs.
	Updates, Runs int
	criticalSince time.Time
	lastUpdate    time.Time
}

// Service is a registered service.
type Service struct {
	ID, Name        string
	Tags            []string
	Address         string
	Port            int
	Meta            map[string]string
	TaggedAddresses map[string]struct {
		Address string
		Port    int
	}
}

// Server is the fake agent.
type Server struct {
	srv      *httptest.Server
	mu       sync.Mutex
	services map[string]*Service
	checks   map[string]*Check
	stop     chan struct{}
	wg       sync.WaitGroup
}

// New starts a fake agent, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{services: map[string]*Service{}, checks: map[string]*Check{}, stop: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Addr is the agent's host:port, what registry.address holds.
func (s *Server) Addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// Close stops the checks and the server.
func (s *Server) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
	s.srv.Close()
}

// Services returns the registered services by id.
func (s *Server) Services() map[string]Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reap(time.Now())
	out := map[string]Service{}
	for id, sv := range s.services {
		out[id] = *sv
	}
	return out
}

// Checks returns the registered checks by id.
func (s *Server) Checks() map[string]Check {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.reap(now)
	out := map[string]Check{}
	for id, c := range s.checks {
		s.expireTTL(c, now)
		out[id] = *c
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPut && p == "/v1/agent/service/register":
		s.register(w, r)
	case r.Method == http.MethodPut && strings.HasPrefix(p, "/v1/agent/service/deregister/"):
		s.deregister(w, strings.TrimPrefix(p, "/v1/agent/service/deregister/"))
	case r.Method == http.MethodPut && strings.HasPrefix(p, "/v1/agent/check/update/"):
		s.update(w, r, strings.TrimPrefix(p, "/v1/agent/check/update/"))
	default:
		http.Error(w, fmt.Sprintf("fake consul: no %s %s", r.Method, p), http.StatusNotFound)
	}
}

type checkDef struct {
	CheckID, Name, HTTP, Method    string
	Interval, Timeout, TTL         string
	DeregisterCriticalServiceAfter string
}

type registration struct {
	ID, Name        string
	Tags            []string
	Address         string
	Port            int
	Meta            map[string]string
	TaggedAddresses map[string]struct {
		Address string
		Port    int
	}
	Check  *checkDef
	Checks []*checkDef
}

func parseDuration(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("Request decode failed: %s: time: invalid duration %q", field, v)
	}
	return d, nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var reg registration
	if err := json.NewDecoder(r.Body).Decode(&reg); err != nil {
		http.Error(w, "Request decode failed: "+err.Error(), http.StatusBadRequest)
		return
	}
	if reg.Name == "" {
		http.Error(w, "Invalid Service: Missing service name", http.StatusBadRequest)
		return
	}
	if reg.ID == "" {
		reg.ID = reg.Name
	}
	defs := reg.Checks
	if reg.Check != nil {
		defs = append([]*checkDef{reg.Check}, defs...)
	}
	var checks []*Check
	for i, d := range defs {
		c := &Check{CheckID: d.CheckID, Name: d.Name, ServiceID: reg.ID, HTTP: d.HTTP, Method: d.Method, Status: "critical", criticalSince: time.Now()}
		if c.CheckID == "" {
			c.CheckID = "service:" + reg.ID
			if len(defs) > 1 {
				c.CheckID = fmt.Sprintf("service:%s:%d", reg.ID, i+1)
			}
		}
		var err error
		for _, f := range []struct {
			name string
			v    string
			dst  *time.Duration
		}{{"Interval", d.Interval, &c.Interval}, {"Timeout", d.Timeout, &c.Timeout}, {"TTL", d.TTL, &c.TTL}, {"DeregisterCriticalServiceAfter", d.DeregisterCriticalServiceAfter, &c.DeregisterAfter}} {
			if *f.dst, err = parseDuration(f.name, f.v); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		switch {
		case c.HTTP != "" && c.Interval <= 0:
			http.Error(w, "Invalid check: Interval must be > 0 for Script, HTTP, or TCP checks", http.StatusBadRequest)
			return
		case c.HTTP == "" && c.TTL <= 0:
			http.Error(w, "Invalid check: TTL must be > 0 for TTL checks", http.StatusBadRequest)
			return
		}
		checks = append(checks, c)
	}
	s.mu.Lock()
	if r.URL.Query().Has("replace-existing-checks") {
		for id, c := range s.checks {
			if c.ServiceID == reg.ID {
				delete(s.checks, id)
			}
		}
	}
	s.services[reg.ID] = &Service{ID: reg.ID, Name: reg.Name, Tags: reg.Tags, Address: reg.Address, Port: reg.Port, Meta: reg.Meta, TaggedAddresses: reg.TaggedAddresses}
	for _, c := range checks {
		s.checks[c.CheckID] = c
		if c.HTTP != "" {
			s.wg.Add(1)
			go s.runHTTP(c)
		}
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// runHTTP is the agent's HTTP check loop for c, until c is removed.
func (s *Server) runHTTP(c *Check) {
	defer s.wg.Done()
	t := time.NewTicker(c.Interval)
	defer t.Stop()
	for {
		s.mu.Lock()
		current := s.checks[c.CheckID] == c
		s.mu.Unlock()
		if !current {
			return
		}
		status, output := probe(c)
		s.mu.Lock()
		c.Runs++
		s.setStatus(c, status, output, time.Now())
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func probe(c *Check) (string, string) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, c.HTTP, nil)
	if err != nil {
		return "critical", err.Error()
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return "critical", err.Error()
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return "passing", resp.Status
	case resp.StatusCode == http.StatusTooManyRequests:
		return "warning", resp.Status
	}
	return "critical", resp.Status
}

func (s *Server) setStatus(c *Check, status, output string, now time.Time) {
	if status == "critical" && c.Status != "critical" {
		c.criticalSince = now
	}
	c.Status, c.Output = status, output
}

func (s *Server) expireTTL(c *Check, now time.Time) {
	if c.TTL > 0 && c.Status != "critical" && now.Sub(c.lastUpdate) > c.TTL {
		s.setStatus(c, "critical", "TTL expired", c.lastUpdate.Add(c.TTL))
	}
}

// reap removes services with a check critical for longer than its
// DeregisterCriticalServiceAfter. s.mu is held.
func (s *Server) reap(now time.Time) {
	for _, c := range s.checks {
		s.expireTTL(c, now)
		if c.DeregisterAfter > 0 && c.Status == "critical" && now.Sub(c.criticalSince) > c.DeregisterAfter {
			s.removeService(c.ServiceID)
		}
	}
}

func (s *Server) removeService(id string) {
	delete(s.services, id)
	for cid, c := range s.checks {
		if c.ServiceID == id {
			delete(s.checks, cid)
		}
	}
}

func (s *Server) deregister(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.services[id]; !ok {
		http.Error(w, fmt.Sprintf("Unknown service ID %q. Ensure that the service ID is passed, not the service name.", id), http.StatusNotFound)
		return
	}
	s.removeService(id)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id string) {
	var body struct{ Status, Output string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "Request decode failed: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !slices.Contains([]string{"passing", "warning", "critical"}, body.Status) {
		http.Error(w, fmt.Sprintf("Invalid check status: %q", body.Status), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checks[id]
	if !ok || c.TTL <= 0 {
		http.Error(w, fmt.Sprintf("Unknown check ID %q. Ensure that the check ID is passed, not the check name.", id), http.StatusNotFound)
		return
	}
	now := time.Now()
	c.Updates++
	c.lastUpdate = now
	s.setStatus(c, body.Status, body.Output, now)
	w.WriteHeader(http.StatusOK)
}
