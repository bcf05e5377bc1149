package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-kratos/kratos/v2/registry"

	"github.com/govctl/govctl/render/kratos/conf"
)

// nacosGroup is the naming group instances register in.
const nacosGroup = "DEFAULT_GROUP"

// NacosRegistry registers ephemeral instances through the Nacos Open API.
type NacosRegistry struct {
	client    *nacosClient
	namespace string
	reg       conf.Registry
	beats     *heartbeats
}

func newNacosRegistry(ctx context.Context, bc *conf.Bootstrap, o *options) (*NacosRegistry, error) {
	c, err := newNacosClient(bc.Registry.Address)
	if err != nil {
		return nil, fmt.Errorf("registry.kind nacos: %w", err)
	}
	// The environment's namespace is the Nacos namespace, as for its config
	// entries.
	ns := bc.Service.Namespace
	if cc := bc.ConfigCenter; cc != nil && cc.Kind == "nacos" && cc.Namespace != "" {
		ns = cc.Namespace
	}
	return &NacosRegistry{client: c, namespace: ns, reg: bc.Registry, beats: newHeartbeats(ctx, o.logger)}, nil
}

// nacosInstance is one registration: one per endpoint scheme.
type nacosInstance struct {
	service  string
	ip       string
	port     int
	metadata map[string]string
}

func (r *NacosRegistry) instances(in *registry.ServiceInstance) ([]nacosInstance, error) {
	eps, err := parseEndpoints(in)
	if err != nil {
		return nil, err
	}
	var out []nacosInstance
	for _, e := range eps {
		md := map[string]string{"kind": e.scheme, "version": in.Version}
		for k, v := range in.Metadata {
			md[k] = v
		}
		// Nacos' own per-instance timeouts (PreservedMetadataKeys): the
		// server marks the instance unhealthy after ttl without a beat and
		// removes it after deregister_after.
		md["preserved.heart.beat.interval"] = millis(heartbeatInterval(r.reg))
		if r.reg.TTL > 0 {
			md["preserved.heart.beat.timeout"] = millis(r.reg.TTL.Std())
		}
		if d := r.reg.HealthCheck.DeregisterAfter; d > 0 {
			md["preserved.ip.delete.timeout"] = millis(d.Std())
		}
		out = append(out, nacosInstance{service: in.Name + "." + e.scheme, ip: e.host, port: e.port, metadata: md})
	}
	return out, nil
}

func (r *NacosRegistry) params(ni nacosInstance) url.Values {
	v := url.Values{}
	v.Set("serviceName", ni.service)
	v.Set("groupName", nacosGroup)
	v.Set("namespaceId", r.namespace)
	v.Set("ip", ni.ip)
	v.Set("port", strconv.Itoa(ni.port))
	v.Set("ephemeral", "true")
	return v
}

func (r *NacosRegistry) register(ctx context.Context, ni nacosInstance) error {
	md, _ := json.Marshal(ni.metadata)
	v := r.params(ni)
	v.Set("weight", "1")
	v.Set("enabled", "true")
	v.Set("healthy", "true")
	v.Set("metadata", string(md))
	_, _, err := r.client.do(ctx, http.MethodPost, "/v1/ns/instance", v, nil)
	return err
}

// nacosBeat is the beat parameter (RsInfo on the server).
type nacosBeat struct {
	ServiceName string            `json:"serviceName"`
	IP          string            `json:"ip"`
	Port        int               `json:"port"`
	Cluster     string            `json:"cluster"`
	Weight      float64           `json:"weight"`
	Ephemeral   bool              `json:"ephemeral"`
	Metadata    map[string]string `json:"metadata"`
}

// nacosResourceNotFound is NamingResponseCode.RESOURCE_NOT_FOUND, the beat's
// answer for an instance the server does not know.
const nacosResourceNotFound = 20404

func (r *NacosRegistry) beat(ctx context.Context, ni nacosInstance) error {
	b, _ := json.Marshal(nacosBeat{ServiceName: nacosGroup + "@@" + ni.service, IP: ni.ip, Port: ni.port, Cluster: "DEFAULT", Weight: 1, Ephemeral: true, Metadata: ni.metadata})
	v := r.params(ni)
	v.Set("beat", string(b))
	body, _, err := r.client.do(ctx, http.MethodPut, "/v1/ns/instance/beat", v, nil)
	if err != nil {
		return err
	}
	var res struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("nacos beat: %w in %q", err, body)
	}
	if res.Code == nacosResourceNotFound {
		return r.register(ctx, ni)
	}
	return nil
}

// Register registers one ephemeral instance per endpoint and beats for
// each every heartbeat.
func (r *NacosRegistry) Register(ctx context.Context, in *registry.ServiceInstance) error {
	nis, err := r.instances(in)
	if err != nil {
		return err
	}
	for _, ni := range nis {
		if err := r.register(ctx, ni); err != nil {
			return fmt.Errorf("nacos register %s %s:%d: %w", ni.service, ni.ip, ni.port, err)
		}
	}
	r.beats.start(in.ID, heartbeatInterval(r.reg), func(ctx context.Context) error {
		for _, ni := range nis {
			if err := r.beat(ctx, ni); err != nil {
				return fmt.Errorf("%s %s:%d: %w", ni.service, ni.ip, ni.port, err)
			}
		}
		return nil
	})
	return nil
}

// Deregister stops the beats and removes the instances.
func (r *NacosRegistry) Deregister(ctx context.Context, in *registry.ServiceInstance) error {
	r.beats.stop(in.ID)
	nis, err := r.instances(in)
	if err != nil {
		return err
	}
	for _, ni := range nis {
		if _, _, err := r.client.do(ctx, http.MethodDelete, "/v1/ns/instance", r.params(ni), nil); err != nil {
			return fmt.Errorf("nacos deregister %s %s:%d: %w", ni.service, ni.ip, ni.port, err)
		}
	}
	return nil
}
