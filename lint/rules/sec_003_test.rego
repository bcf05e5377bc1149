package govctl.rules.sec_003_test

import data.govctl.rules.sec_003

defaults := {"GOV-SEC-003": {
	"pattern": `(?i)(password|passwd|secret|token|api_?key|private_?key|credentials?)$`,
	"valuePattern": `^([A-Za-z][A-Za-z0-9+.-]*://)?[^:/@\s]+:[^@\s/]+@`,
	"placeholderPattern": `\$\{[^}]+\}`,
}}

spec(config_data) := {"services": {"orders": {"config": {"format": "yaml", "data": config_data}}}}

test_literal_password_fails if {
	sec_003.violation == {{
		"msg": `config key "password" holds a literal secret: use a placeholder such as ${PASSWORD}`,
		"service": "orders",
		"path": "config.data.db.password",
	}} with input as spec({"db": {"password": "hunter2", "maxOpen": 50}})
		with data.govctl.params as defaults
}

test_secret_in_a_list_fails if {
	{f.path | some f in sec_003.violation} == {"config.data.providers[1].apiKey"} with input as spec({"providers": [{"name": "a"}, {"name": "b", "apiKey": "sk_live_123"}]})
		with data.govctl.params as defaults
}

test_dsn_with_password_fails if {
	sec_003.violation == {{
		"msg": "config value embeds a literal password (user:password@host): use a placeholder for the password",
		"service": "orders",
		"path": "config.data.db.dsn",
	}} with input as spec({"db": {"dsn": "app:s3cret@tcp(mysql:3306)/orders"}})
		with data.govctl.params as defaults
}

test_placeholders_pass if {
	count(sec_003.violation) == 0 with input as spec({"db": {
		"password": "${DB_PASSWORD}",
		"dsn": "mysql://app:${DB_PASSWORD}@mysql:3306/orders",
		"token": "",
	}})
		with data.govctl.params as defaults
}

test_non_secret_keys_pass if {
	count(sec_003.violation) == 0 with input as spec({
		"passwordPolicy": {"minLength": 12},
		"tokenTTL": "1h",
		"endpoint": "https://api.stripe.com",
		"notify": "ops@acme.io",
		"pin": 1234,
	})
		with data.govctl.params as defaults
}

test_custom_pattern if {
	count(sec_003.violation) == 1 with input as spec({"tokenTTL": "1h"})
		with data.govctl.params as {"GOV-SEC-003": object.union(defaults["GOV-SEC-003"], {"pattern": "(?i)token"})}
	count(sec_003.violation) == 0 with input as spec({"password": "%%PW%%"})
		with data.govctl.params as {"GOV-SEC-003": object.union(defaults["GOV-SEC-003"], {"placeholderPattern": "^%%[A-Z_]+%%$"})}
}

test_keys_the_spec_marks_sensitive if {
	sec_003.violation == {{
		"msg": `config key "dsn" holds a literal secret: use a placeholder such as ${DSN}`,
		"service": "orders",
		"path": "config.data.db.dsn",
	}} with input as {"services": {
		"orders": {"config": {"format": "yaml", "sensitive": ["dsn"], "data": {"db": {"dsn": "mysql:3306"}}}},
		"cart": {"config": {"format": "yaml", "data": {"db": {"dsn": "mysql:3306"}}}},
	}}
		with data.govctl.params as defaults
	count(sec_003.violation) == 0 with input as {"services": {"orders": {"config": {"format": "yaml", "sensitive": ["dsn"], "data": {"dsn": "${DSN}"}}}}}
		with data.govctl.params as defaults
}
