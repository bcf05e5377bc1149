// Package nacosfake is an in-process fake of the Nacos 2.x server's v1 Open
// API endpoints kit uses, following the server's source (alibaba/nacos):
//
// Naming (naming/.../controllers/InstanceController.java, web/ServiceNameFilter.java):
//   - POST /nacos/v1/ns/instance: register (serviceName, ip, port
//     required; groupName default DEFAULT_GROUP, namespaceId default
//     public; metadata a JSON object; ephemeral); answers "ok";
//   - PUT /nacos/v1/ns/instance/beat: a heartbeat of an ephemeral instance;
//     the beat parameter (RsInfo JSON) gives ip, port and cluster; an
//     unknown instance with a beat is registered from it, without one the
//     answer's code is 20404 (RESOURCE_NOT_FOUND); answers
//     {"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true};
//   - DELETE /nacos/v1/ns/instance: deregister; answers "ok";
//   - serviceName may be "group@@name" or name with groupName
//     (ServiceNameFilter); the grouped name must contain one "@@";
//   - an ephemeral instance is unhealthy after
//     preserved.heart.beat.timeout (default 15 s) without a beat and removed
//     after preserved.ip.delete.timeout (default 30 s) (ClientBeatCheckTask).
//
// Config (config/.../controller/ConfigController.java, LongPollingService, MD5Util):
//   - GET /nacos/v1/cs/configs: dataId, group, tenant; the content, with
//     Content-MD5 and Config-Type; 404 "config data not exist";
//   - POST /nacos/v1/cs/configs/listener: the Listening-Configs form value
//     (dataId ^2 group ^2 md5 [^2 tenant] ^1 …); answers at once with the
//     changed keys, URL-encoded "dataId ^2 group [^2 tenant] ^1", when an md5
//     differs, otherwise holds the request until a change or the
//     Long-Pulling-Timeout header's milliseconds minus 500 (at least 10 s)
//     and answers an empty 200; Long-Pulling-Timeout-No-Hangup answers at
//     once.
//
// Not modelled: auth, clusters beyond DEFAULT, persistent instances,
// instance list and subscription, gray configs.
package nacosfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Instance is a registered instance.
type Instance struct {
	Namespace, Service, IP string // Service is "group@@name"
	Port                   int
	Cluster                string
	Metadata               map[string]string
	Ephemeral              bool
	Healthy                bool
	Beats                  int
	lastBeat               time.Time
}

type instanceKey struct {
	ns, service, ip string
	port            int
}

type configKey struct{ ns, group, dataID string }

// Server is the fake.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	instances map[instanceKey]*Instance
	configs   map[configKey]string
	changed   chan struct{} // closed and replaced on every publish
	polls     int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{instances: map[instanceKey]*Instance{}, configs: map[configKey]string{}, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// Addr is the server's host:port, what registry.address and
// config_center.address hold.
func (s *Server) Addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// Instances returns the registered instances, expired ones removed.
func (s *Server) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(time.Now())
	var out []Instance
	for _, in := range s.instances {
		out = append(out, *in)
	}
	return out
}

// Publish stores a config as the console or the Open API would, waking the
// listeners whose md5 no longer matches.
func (s *Server) Publish(namespace, group, dataID, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configs[configKey{normNS(namespace), group, dataID}] = content
	close(s.changed)
	s.changed = make(chan struct{})
}

// Polls is how many listener requests the fake has answered.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

func normNS(ns string) string {
	if ns == "public" {
		return ""
	}
	return ns
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "caused: "+err.Error(), http.StatusBadRequest)
		return
	}
	switch p := strings.TrimPrefix(r.URL.Path, "/nacos"); {
	case p == "/v1/ns/instance" && r.Method == http.MethodPost:
		s.register(w, r)
	case p == "/v1/ns/instance" && r.Method == http.MethodDelete:
		s.deregister(w, r)
	case p == "/v1/ns/instance/beat" && r.Method == http.MethodPut:
		s.beat(w, r)
	case p == "/v1/cs/configs" && r.Method == http.MethodGet:
		s.getConfig(w, r)
	case p == "/v1/cs/configs/listener" && r.Method == http.MethodPost:
		s.listen(w, r)
	default:
		http.Error(w, fmt.Sprintf("fake nacos: no %s %s", r.Method, r.URL.Path), http.StatusNotFound)
	}
}

// groupedName is ServiceNameFilter: groupName@@serviceName, checked.
func groupedName(r *http.Request) (string, error) {
	name := strings.TrimSpace(r.Form.Get("serviceName"))
	if name == "" {
		return "", fmt.Errorf("Param 'serviceName' is required.")
	}
	group := r.Form.Get("groupName")
	if group == "" {
		group = "DEFAULT_GROUP"
	}
	if !strings.Contains(name, "@@") {
		name = group + "@@" + name
	}
	if strings.Count(name, "@@") != 1 || strings.HasPrefix(name, "@@") || strings.HasSuffix(name, "@@") {
		return "", fmt.Errorf("Param 'serviceName' is illegal, illegal characters should not appear in the param.")
	}
	return name, nil
}

func namespaceOf(r *http.Request) string {
	ns := r.Form.Get("namespaceId")
	if ns == "" {
		ns = "public"
	}
	return ns
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	name, err := groupedName(r)
	if err != nil {
		http.Error(w, "caused: "+err.Error(), http.StatusBadRequest)
		return
	}
	ip := r.Form.Get("ip")
	port, err := strconv.Atoi(r.Form.Get("port"))
	if ip == "" || err != nil {
		http.Error(w, "caused: Param 'ip' and 'port' are required.", http.StatusBadRequest)
		return
	}
	md := map[string]string{}
	if m := r.Form.Get("metadata"); m != "" {
		if err := json.Unmarshal([]byte(m), &md); err != nil {
			http.Error(w, "caused: metadata is not a JSON object: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	cluster := r.Form.Get("clusterName")
	if cluster == "" {
		cluster = "DEFAULT"
	}
	ephemeral := r.Form.Get("ephemeral") != "false"
	s.mu.Lock()
	s.instances[instanceKey{namespaceOf(r), name, ip, port}] = &Instance{Namespace: namespaceOf(r), Service: name, IP: ip, Port: port,
		Cluster: cluster, Metadata: md, Ephemeral: ephemeral, Healthy: true, lastBeat: time.Now()}
	s.mu.Unlock()
	fmt.Fprint(w, "ok")
}

func (s *Server) deregister(w http.ResponseWriter, r *http.Request) {
	name, err := groupedName(r)
	if err != nil {
		http.Error(w, "caused: "+err.Error(), http.StatusBadRequest)
		return
	}
	port, _ := strconv.Atoi(r.Form.Get("port"))
	s.mu.Lock()
	delete(s.instances, instanceKey{namespaceOf(r), name, r.Form.Get("ip"), port})
	s.mu.Unlock()
	fmt.Fprint(w, "ok")
}

type rsInfo struct {
	ServiceName string            `json:"serviceName"`
	IP          string            `json:"ip"`
	Port        int               `json:"port"`
	Cluster     string            `json:"cluster"`
	Weight      float64           `json:"weight"`
	Ephemeral   bool              `json:"ephemeral"`
	Metadata    map[string]string `json:"metadata"`
}

func (s *Server) beat(w http.ResponseWriter, r *http.Request) {
	name, err := groupedName(r)
	if err != nil {
		http.Error(w, "caused: "+err.Error(), http.StatusBadRequest)
		return
	}
	ip := r.Form.Get("ip")
	port, _ := strconv.Atoi(r.Form.Get("port"))
	var beat *rsInfo
	if b := r.Form.Get("beat"); b != "" {
		beat = &rsInfo{}
		if err := json.Unmarshal([]byte(b), beat); err != nil {
			http.Error(w, "caused: beat: "+err.Error(), http.StatusBadRequest)
			return
		}
		ip, port = beat.IP, beat.Port
	}
	ns := namespaceOf(r)
	code := 10200
	s.mu.Lock()
	s.expire(time.Now())
	key := instanceKey{ns, name, ip, port}
	in, ok := s.instances[key]
	switch {
	case ok:
		in.Beats++
		in.Healthy = true
		in.lastBeat = time.Now()
	case beat != nil:
		s.instances[key] = &Instance{Namespace: ns, Service: name, IP: ip, Port: port, Cluster: "DEFAULT", Metadata: beat.Metadata,
			Ephemeral: true, Healthy: true, Beats: 1, lastBeat: time.Now()}
	default:
		code = 20404
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"clientBeatInterval":5000,"code":%d,"lightBeatEnabled":true}`, code)
}

func msMetadata(md map[string]string, key string, def time.Duration) time.Duration {
	if v, err := strconv.ParseInt(md[key], 10, 64); err == nil && v > 0 {
		return time.Duration(v) * time.Millisecond
	}
	return def
}

// expire is ClientBeatCheckTask. s.mu is held.
func (s *Server) expire(now time.Time) {
	for k, in := range s.instances {
		if !in.Ephemeral {
			continue
		}
		since := now.Sub(in.lastBeat)
		if since > msMetadata(in.Metadata, "preserved.ip.delete.timeout", 30*time.Second) {
			delete(s.instances, k)
			continue
		}
		if since > msMetadata(in.Metadata, "preserved.heart.beat.timeout", 15*time.Second) {
			in.Healthy = false
		}
	}
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	dataID, group := r.Form.Get("dataId"), r.Form.Get("group")
	if dataID == "" {
		http.Error(w, "caused: Param 'dataId' is required.", http.StatusBadRequest)
		return
	}
	if group == "" {
		group = "DEFAULT_GROUP"
	}
	s.mu.Lock()
	content, ok := s.configs[configKey{normNS(r.Form.Get("tenant")), group, dataID}]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "config data not exist", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.Header().Set("Content-MD5", md5Hex(content))
	w.Header().Set("Config-Type", "yaml")
	fmt.Fprint(w, content)
}

type listened struct {
	key configKey
	md5 string
}

// parseListening is MD5Util.getClientMd5Map.
func parseListening(v string) ([]listened, error) {
	var out []listened
	var fields []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 2:
			fields = append(fields, v[start:i])
			start = i + 1
			if len(fields) > 3 {
				return nil, fmt.Errorf("invalid protocol,too much key")
			}
		case 1:
			end := v[start:i]
			start = i + 1
			switch len(fields) {
			case 2:
				out = append(out, listened{configKey{"", fields[1], fields[0]}, end})
			case 3:
				out = append(out, listened{configKey{normNS(end), fields[1], fields[0]}, fields[2]})
			default:
				return nil, fmt.Errorf("invalid probeModify")
			}
			fields = nil
		}
	}
	return out, nil
}

func (s *Server) changedKeys(ls []listened) string {
	var sb strings.Builder
	for _, l := range ls {
		content, ok := s.configs[l.key]
		current := ""
		if ok {
			current = md5Hex(content)
		}
		if current != l.md5 {
			sb.WriteString(l.key.dataID + "\x02" + l.key.group)
			if l.key.ns != "" {
				sb.WriteString("\x02" + l.key.ns)
			}
			sb.WriteString("\x01")
		}
	}
	if sb.Len() == 0 {
		return ""
	}
	return url.QueryEscape(sb.String())
}

func (s *Server) listen(w http.ResponseWriter, r *http.Request) {
	probe := r.Form.Get("Listening-Configs")
	if probe == "" {
		http.Error(w, "caused: invalid probeModify", http.StatusBadRequest)
		return
	}
	// ConfigController decodes the (already form-decoded) value once more.
	if d, err := url.QueryUnescape(probe); err == nil {
		probe = d
	}
	ls, err := parseListening(probe)
	if err != nil {
		http.Error(w, "caused: "+err.Error(), http.StatusBadRequest)
		return
	}
	timeout := 30 * time.Second
	if v, err := strconv.ParseInt(r.Header.Get("Long-Pulling-Timeout"), 10, 64); err == nil {
		timeout = max(10*time.Second, time.Duration(v)*time.Millisecond-500*time.Millisecond)
	}
	noHangup := r.Header.Get("Long-Pulling-Timeout-No-Hangup") == "true"
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		changed := s.changedKeys(ls)
		wake := s.changed
		if changed != "" || noHangup {
			s.polls++
		}
		s.mu.Unlock()
		if changed != "" || noHangup {
			w.Header().Set("Content-Type", "text/html;charset=UTF-8")
			fmt.Fprint(w, changed)
			return
		}
		select {
		case <-wake:
		case <-t.C:
			s.mu.Lock()
			s.polls++
			s.mu.Unlock()
			w.WriteHeader(http.StatusOK)
			return
		case <-r.Context().Done():
			return
		}
	}
}
