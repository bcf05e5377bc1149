# METADATA
# title: Immutable image versions
# description: >-
#   A version such as "latest" names whatever was pushed last. The same spec
#   then deploys different code on every rollout, a rollback redeploys the
#   broken build, the canary and stable subsets may run the same image, and
#   nobody can tell from the spec what is running.
# custom:
#   id: GOV-SEC-004
#   severity: error
#   reads: connected
#   remediation: >-
#     Set version (and traffic.stableVersion) to an immutable tag such as
#     "v1.4.2" or a commit SHA, and keep tags out of image.
#   params:
#     forbiddenTags:
#       type: array
#       items: {type: string}
#       default: [latest, master, main]
#       description: Mutable tags that must not be deployed (compared case-insensitively).
#   examples:
#     fail: |
#       services: orders: {image: "ghcr.io/acme/orders", version: "latest"}
#     pass: |
#       services: orders: {image: "ghcr.io/acme/orders", version: "v1.4.2"}
package govctl.rules.sec_004

params := data.govctl.params["GOV-SEC-004"]

forbidden := {lower(t) | some t in params.forbiddenTags}

violation contains f if {
	some name, svc in input.services
	some field in ["version", "traffic.stableVersion"]
	tag := object.get(svc, split(field, "."), null)
	is_string(tag)
	problem := mutable(tag)
	f := {
		"msg": sprintf("%s %q %s", [field, tag, problem]),
		"service": name,
		"path": field,
	}
}

violation contains f if {
	some name, svc in input.services
	tag := image_tag(svc.image)
	problem := mutable(tag)
	f := {
		"msg": sprintf("image %q carries the tag %q, which %s", [svc.image, tag, problem]),
		"service": name,
		"path": "image",
	}
}

violation contains f if {
	some name, svc in input.services
	object.get(svc, "version", "") == ""
	f := {
		"msg": "version is empty: the image tag would default to latest",
		"service": name,
		"path": "version",
	}
}

mutable(tag) := "is a mutable tag: the same spec deploys different code" if {
	lower(tag) in forbidden
}

# The tag is what follows the last ':' of the last path element; a digest
# (@sha256:...) is immutable.
image_tag(image) := tag if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}
