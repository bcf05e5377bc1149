# METADATA
# title: Nacos dataId names the service and its format
# description: >-
#   The Kratos Nacos config source picks the decoder from the dataId's
#   extension, and operators find a service's entry in the console by its
#   name. A dataId with another service's name or the wrong extension
#   ("orders.conf" holding YAML) either fails to decode at start-up or is
#   silently read as the wrong format, and hot reloads of it break the
#   service in production rather than in review.
# custom:
#   id: GOV-OBS-004
#   severity: warning
#   reads: connected
#   remediation: >-
#     Name config.dataId after the service with the extension of its format,
#     e.g. "orders.yaml" for format "yaml" or "payments.properties" for
#     format "properties".
#   params:
#     pattern:
#       type: string
#       format: regex
#       default: ^{service}([.-][a-z0-9-]+)*\.{ext}$
#       description: >-
#         The form of a dataId; {service} is replaced by the service name and
#         {ext} by the extensions of the config's format.
#     extensions:
#       type: object
#       additionalProperties: {type: array, items: {type: string}}
#       default: {yaml: [yaml, yml], properties: [properties], json: [json], text: [txt, text]}
#       description: The file extensions accepted for each config format.
#   examples:
#     fail: |
#       services: orders: config: {dataId: "shop-orders.conf", format: "yaml"}
#     pass: |
#       services: orders: config: {dataId: "orders.yaml", format: "yaml"}
package govctl.rules.obs_004

params := data.govctl.params["GOV-OBS-004"]

violation contains f if {
	some name, svc in input.services
	data_id := object.get(svc.config, "dataId", "")
	data_id != ""
	format := object.get(svc.config, "format", "yaml")
	extensions := object.get(params.extensions, format, [format])
	pattern := replace(
		replace(params.pattern, "{service}", name),
		"{ext}", sprintf("(%s)", [concat("|", extensions)]),
	)
	not regex.match(pattern, data_id)
	f := {
		"msg": sprintf("dataId %q does not match %s for format %s: name it after the service with a .%s extension", [data_id, pattern, format, extensions[0]]),
		"service": name,
		"path": "config.dataId",
	}
}
