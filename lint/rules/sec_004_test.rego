package govctl.rules.sec_004_test

import data.govctl.rules.sec_004

defaults := {"GOV-SEC-004": {"forbiddenTags": ["latest", "master", "main"]}}

spec(svc) := {"services": {"orders": object.union({"image": "ghcr.io/acme/orders", "version": "v1.4.2", "traffic": {}}, svc)}}

test_latest_version_fails if {
	sec_004.violation == {{
		"msg": `version "Latest" is a mutable tag: the same spec deploys different code`,
		"service": "orders",
		"path": "version",
	}} with input as spec({"version": "Latest"})
		with data.govctl.params as defaults
}

test_latest_stable_version_fails if {
	{f.path | some f in sec_004.violation} == {"traffic.stableVersion"} with input as spec({"traffic": {"stableVersion": "main"}})
		with data.govctl.params as defaults
}

test_tag_in_image_fails if {
	sec_004.violation == {{
		"msg": `image "registry:5000/acme/orders:latest" carries the tag "latest", which is a mutable tag: the same spec deploys different code`,
		"service": "orders",
		"path": "image",
	}} with input as spec({"image": "registry:5000/acme/orders:latest"})
		with data.govctl.params as defaults
}

test_empty_version_fails if {
	{f.path | some f in sec_004.violation} == {"version"} with input as spec({"version": ""})
		with data.govctl.params as defaults
}

test_pinned_versions_pass if {
	count(sec_004.violation) == 0 with input as spec({"traffic": {"stableVersion": "v1.4.1"}})
		with data.govctl.params as defaults
	count(sec_004.violation) == 0 with input as spec({"image": "registry:5000/acme/orders@sha256:abc"})
		with data.govctl.params as defaults
}

test_custom_tags if {
	count(sec_004.violation) == 1 with input as spec({"version": "nightly"})
		with data.govctl.params as {"GOV-SEC-004": {"forbiddenTags": ["latest", "nightly"]}}
	count(sec_004.violation) == 0 with input as spec({"version": "main"})
		with data.govctl.params as {"GOV-SEC-004": {"forbiddenTags": ["latest"]}}
}
