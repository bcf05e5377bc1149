package render

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// APIObject is a typed Kubernetes-style resource (a Kubernetes or an Istio
// API type): it knows its apiVersion and kind and has object metadata.
type APIObject interface {
	runtime.Object
	metav1.Object
}

// NewAPIObject wraps v as the Object of target, identified by its
// apiVersion, kind, namespace and name, written at path and named after the
// spec file source.
func NewAPIObject(target Target, env, service, source, path string, v APIObject) Object {
	gvk := v.GetObjectKind().GroupVersionKind()
	return Object{
		Target:  target,
		Env:     env,
		Service: service,
		Path:    path,
		ID: Identity{
			APIVersion: gvk.GroupVersion().String(),
			Kind:       gvk.Kind,
			Namespace:  v.GetNamespace(),
			Name:       v.GetName(),
		},
		Source: source,
		Value:  v,
	}
}
