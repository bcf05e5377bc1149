# METADATA
# title: No plaintext secrets in service config
# description: >-
#   config.data is rendered into Nacos entries and files under deploy/,
#   committed to the spec repository, shown in plan diffs and PR comments,
#   and readable by everyone with console access to the config centre. A
#   password or token written there as a literal leaks to all of them and
#   cannot be rotated without a commit; secrets belong in a secret store,
#   referenced by a placeholder resolved at run time.
# custom:
#   id: GOV-SEC-003
#   severity: error
#   reads: connected
#   remediation: >-
#     Replace the literal with a placeholder such as "${DB_PASSWORD}" that the
#     service resolves from its secret store or environment, and rotate the
#     secret that was committed.
#   params:
#     pattern:
#       type: string
#       format: regex
#       default: (?i)(password|passwd|secret|token|api_?key|private_?key|credentials?)$
#       description: >-
#         Config keys whose string values are secrets; a service adds its
#         own with config.sensitive. govctl redacts their values in every
#         output (plan, diff, apply, PR comments).
#     valuePattern:
#       type: string
#       format: regex
#       default: ^([A-Za-z][A-Za-z0-9+.-]*://)?[^:/@\s]+:[^@\s/]+@
#       description: Values that carry a secret whatever their key, such as DSNs with a password.
#     placeholderPattern:
#       type: string
#       format: regex
#       default: \$\{[^}]+\}
#       description: A value containing a placeholder is resolved at run time, not a literal.
#   examples:
#     fail: |
#       services: orders: config: data: db: password: "hunter2"
#     pass: |
#       services: orders: config: data: db: password: "${DB_PASSWORD}"
package govctl.rules.sec_003

params := data.govctl.params["GOV-SEC-003"]

# The messages name the field, never the value: findings end up in CI logs.
violation contains f if {
	some name, svc in input.services
	walk(object.get(svc.config, "data", {}), [keys, value])
	literal(value)
	key := keys[count(keys) - 1]
	secret_key(svc, key)
	f := {
		"msg": sprintf("config key %q holds a literal secret: use a placeholder such as ${%s}", [key, upper(key)]),
		"service": name,
		"path": field_path(keys),
	}
}

violation contains f if {
	some name, svc in input.services
	walk(object.get(svc.config, "data", {}), [keys, value])
	literal(value)
	count(keys) > 0
	not secret_key(svc, keys[count(keys) - 1])
	regex.match(params.valuePattern, value)
	f := {
		"msg": "config value embeds a literal password (user:password@host): use a placeholder for the password",
		"service": name,
		"path": field_path(keys),
	}
}

literal(value) if {
	is_string(value)
	value != ""
	not regex.match(params.placeholderPattern, value)
}

# The one definition of a secret key, which govctl's redaction of plans,
# diffs and logs reads too (lint.SecretMatcher): the pattern parameter in
# force, or a key the service lists in config.sensitive.
secret_key(_, key) if {
	is_string(key)
	regex.match(params.pattern, key)
}

secret_key(svc, key) if {
	is_string(key)
	key in object.get(svc.config, "sensitive", [])
}

field_path(keys) := concat("", array.concat(["config.data"], [segment(k) | some k in keys]))

segment(k) := sprintf("[%d]", [k]) if {
	is_number(k)
} else := sprintf(".%s", [k])
