package govctl.risk.objects_test

import data.govctl.risk.objects

tiers := {"dev": "dev", "prod": "prod"}

# High: a prod object disappears and no spec edit says why.
test_prod_delete_without_cause_is_high if {
	some r in objects.rating with input as {"scope": "objects", "spec_baseline": true, "tiers": tiers,
		"objects": [{"action": "delete", "env": "prod", "kind": "Deployment", "name": "Deployment shop-prod/orders"}]}
	r.level == "high"
}

test_dev_only_object_is_low if {
	{r.level | some r in objects.rating} == {"low"} with input as {"scope": "objects", "spec_baseline": false, "tiers": tiers,
		"objects": [{"action": "update", "env": "dev", "kind": "Deployment", "name": "x"}]}
}
