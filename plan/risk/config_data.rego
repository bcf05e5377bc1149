# METADATA
# title: Config data is live
# description: >-
#   A service's config entry is published to Nacos and hot-reloaded:
#   running instances pick a change up within seconds, with no deploy,
#   canary or rollback.
# custom:
#   id: RISK-CFG-001
package govctl.risk.config_data

import data.govctl.risk.lib

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s live config %s %s: running instances reload it without a deploy or canary", [lib.owner, input.field, lib.where])} if {
	lib.is_service_field("config")
}
