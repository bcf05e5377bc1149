package render

// EncodeObjectsYAMLv3 is EncodeObjects with every file written by one
// yaml.v3 Encoder, as before the emitter: the oracle for tests outside
// the package.
func EncodeObjectsYAMLv3(objs []Object) ([]File, error) {
	return encodeObjects(objs, newYAMLv3Stream)
}

// MarshalYAMLv3 is MarshalYAML written by yaml.v3.
func MarshalYAMLv3(value any) ([]byte, error) {
	return marshalYAML(value, newYAMLv3Stream)
}

// DocumentFallbacks is how many documents the emitter has left to yaml.v3
// so far.
func DocumentFallbacks() int64 { return documentFallbacks.Load() }
